#!/usr/bin/env bash
# Runs the browser tests against a freshly started lianzhu server.
#
#   LIANZHU_BIN=./lianzhu web/e2e/run.sh
#
# The binary must have been built after `npm run build` in web/ (the UI is
# embedded), and web/node_modules must be installed (`npm ci` in web/).
# It starts `lianzhu serve` on a free loopback port with a fresh data dir,
# waits for /readyz, runs `node --test` on web/e2e, stops the server with
# SIGTERM and checks that no PostgreSQL or Meilisearch process of that data dir
# survived it. Set LIANZHU_E2E_KEEP=1 to keep the data dir and server log.
set -euo pipefail

: "${LIANZHU_BIN:?set LIANZHU_BIN to the built lianzhu binary}"

script_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
web_dir=$(dirname "$script_dir")
bin=$(realpath "$LIANZHU_BIN")
ready_timeout=${LIANZHU_E2E_READY_TIMEOUT:-600} # seconds for /readyz (first start writes the demo district)
settle_timeout=${LIANZHU_E2E_SETTLE_TIMEOUT:-300} # seconds for sign-in to become quick
demo_timeout=${LIANZHU_E2E_DEMO_TIMEOUT:-1200} # seconds for the demo's signals, warnings and closed loop
stop_timeout=${LIANZHU_E2E_STOP_TIMEOUT:-60} # seconds for the server to exit after SIGTERM

log() { printf 'e2e: %s\n' "$*" >&2; }
fail() {
  log "FAIL: $*"
  exit 1
}

[[ -x $bin ]] || fail "LIANZHU_BIN=$LIANZHU_BIN is not an executable file"
[[ -d $web_dir/node_modules/playwright-core ]] || fail "run 'npm ci' in $web_dir first"
[[ -x ${LIANZHU_CHROMIUM:-/usr/bin/chromium} ]] || fail "no Chromium at ${LIANZHU_CHROMIUM:-/usr/bin/chromium} (apt-get install chromium)"

data_dir=$(mktemp -d "${TMPDIR:-/tmp}/lianzhu-e2e.XXXXXX")
# PostgreSQL runs as an unprivileged user when we are root: it must be able to
# reach its folder inside the data dir.
chmod 755 "$data_dir"
server_log=$(mktemp "${TMPDIR:-/tmp}/lianzhu-e2e-log.XXXXXX")
server_pid=

# PIDs of PostgreSQL or Meilisearch processes whose command line names the data dir.
leftover_pids() {
  local dir cmd pid
  for dir in /proc/[0-9]*; do
    pid=${dir#/proc/}
    [[ $pid == "$$" || $pid == "$BASHPID" ]] && continue
    # The process may be gone by now; then its cmdline cannot be opened.
    cmd=$({ tr '\0' ' ' <"$dir/cmdline"; } 2>/dev/null) || continue
    [[ $cmd == *"$data_dir"* ]] || continue
    [[ $cmd == *postgres* || $cmd == *meilisearch* ]] || continue
    printf '%s\n' "$pid"
  done
}

show_server_log() {
  log "last lines of the server log ($server_log):"
  tail -n 60 "$server_log" >&2 || true
}

# Sends SIGTERM and waits up to $1 seconds; then SIGKILL. Returns 1 if it had to kill.
stop_server() {
  local waited=0
  [[ -n $server_pid ]] && kill -0 "$server_pid" 2>/dev/null || return 0
  kill -TERM "$server_pid" 2>/dev/null || true
  while kill -0 "$server_pid" 2>/dev/null && ((waited < $1 * 10)); do
    sleep 0.1
    waited=$((waited + 1))
  done
  if kill -0 "$server_pid" 2>/dev/null; then
    kill -KILL "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
    server_pid=
    return 1
  fi
  return 0
}

cleanup() {
  local status=$?
  set +e
  if [[ -n $server_pid ]] && kill -0 "$server_pid" 2>/dev/null; then
    stop_server 10
  fi
  local pids
  pids=$(leftover_pids)
  if [[ -n $pids ]]; then
    log "killing leftover processes: $(echo $pids)"
    kill -KILL $pids 2>/dev/null
  fi
  if ((status != 0)); then show_server_log; fi
  if [[ ${LIANZHU_E2E_KEEP:-} == 1 ]]; then
    log "kept data dir $data_dir and server log $server_log"
  else
    rm -rf "$data_dir" "$server_log"
  fi
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

port=$(node -e '
  const srv = require("net").createServer().listen(0, "127.0.0.1", () => {
    console.log(srv.address().port)
    srv.close()
  })')
base_url="http://127.0.0.1:$port"

log "starting $bin serve on $base_url (data dir $data_dir)"
# The server refuses unknown LIANZHU_* variables (a typo must never fall back
# silently), so the harness's own variables (LIANZHU_BIN, LIANZHU_E2E_*) are
# removed from its environment.
server_env=()
while IFS='=' read -r name _; do
  case "$name" in
    LIANZHU_BIN|LIANZHU_E2E_*|LIANZHU_CHROMIUM) server_env+=(-u "$name") ;;
  esac
done < <(env)
env "${server_env[@]}" LIANZHU_DATA_DIR="$data_dir" LIANZHU_ADDR="127.0.0.1:$port" "$bin" serve >"$server_log" 2>&1 &
server_pid=$!

deadline=$((SECONDS + ready_timeout))
until [[ $(curl -s -o /dev/null -w '%{http_code}' --max-time 5 "$base_url/readyz" || true) == 200 ]]; do
  if ! kill -0 "$server_pid" 2>/dev/null; then
    wait "$server_pid" && code=0 || code=$?
    server_pid=
    fail "the server exited (status $code) before it was ready"
  fi
  ((SECONDS < deadline)) || fail "the server was not ready within ${ready_timeout}s"
  sleep 0.5
done
log "ready after ${SECONDS}s"

# A binary built before `npm run build` has no UI to test.
if ! curl -fsS --max-time 10 "$base_url/login" | grep -q '<div id="app">'; then
  fail "$base_url/login does not serve the UI: run 'npm run build' in web/ before building the binary"
fi

# Right after its first start the server is still writing the demo district's
# search index over its one database write connection; a sign-in (which
# writes a refresh token) can wait past the store's 5 s limit and answer 503.
# Tests start once two sign-ins in a row answer 200 within 2 s.
quick=0
settle_deadline=$((SECONDS + settle_timeout))
while ((quick < 2)); do
  code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 -X POST -H 'Content-Type: application/json' \
    -d "{\"username\":\"admin\",\"password\":\"${LIANZHU_E2E_PASSWORD:-lianzhu-demo}\"}" "$base_url/api/v1/auth/login" || true)
  if [[ $code == 200 ]]; then quick=$((quick + 1)); else quick=0; fi
  if ((SECONDS >= settle_deadline)); then
    log "warning: sign-in was still slow after ${settle_timeout}s; running the tests anyway"
    break
  fi
  ((quick >= 2)) || sleep 2
done
log "settled after ${SECONDS}s"

# The demo's signals, warnings and closed loop (referrals in every state,
# tasks, complaints, settlements) are written in the background after the
# server serves; the tests look at every page with them in place.
demo_deadline=$((SECONDS + demo_timeout))
until grep -q 'demo closed loop written' "$server_log"; do
  if grep -q 'demo closed loop"' "$server_log"; then
    show_server_log
    fail "the demo's closed loop failed"
  fi
  ((SECONDS < demo_deadline)) || { show_server_log; fail "the demo's closed loop was not written within ${demo_timeout}s"; }
  sleep 3
done
log "demo closed loop written after ${SECONDS}s: $(grep -o 'demo closed loop written.*' "$server_log" | head -c 600)"

tests_status=0
LIANZHU_E2E_URL="$base_url" node --test --test-concurrency=1 "$script_dir"/*.test.js || tests_status=$?

log "stopping the server (SIGTERM)"
if ! stop_server "$stop_timeout"; then
  fail "the server did not exit within ${stop_timeout}s of SIGTERM (killed)"
fi
wait "$server_pid" && exit_code=0 || exit_code=$?
server_pid=
if ((exit_code != 0)); then
  log "warning: the server exited with status $exit_code after SIGTERM"
fi

# Children get a moment to notice their parent is gone.
for _ in $(seq 1 50); do
  [[ -z $(leftover_pids) ]] && break
  sleep 0.2
done
pids=$(leftover_pids)
if [[ -n $pids ]]; then
  for pid in $pids; do
    log "left behind: $pid $({ tr '\0' ' ' <"/proc/$pid/cmdline"; } 2>/dev/null)"
  done
  fail "PostgreSQL or Meilisearch outlived the server"
fi

((tests_status == 0)) || fail "browser tests failed"
log "browser tests passed; no child process left behind"
