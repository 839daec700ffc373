package proc_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"lianzhu/internal/proc"
)

// helperEnv switches the test binary into a helper child for the tests that
// must kill a process of ours with SIGKILL.
const helperEnv = "LIANZHU_PROC_TEST_HELPER"

func TestMain(m *testing.M) {
	if mode := os.Getenv(helperEnv); mode != "" {
		runHelper(mode)
		return
	}
	os.Exit(m.Run())
}

// runHelper does what the parent test asked, reports it on stdout, then
// blocks until it is killed.
func runHelper(mode string) {
	switch mode {
	case "child":
		p, err := proc.Start(proc.Spec{Path: sleepPath(), Args: []string{"1000"}})
		if err != nil {
			fmt.Println("error", err)
			os.Exit(1)
		}
		fmt.Println("pid", p.PID())
	case "lock":
		if _, err := proc.LockDir(os.Getenv("LIANZHU_PROC_TEST_DIR")); err != nil {
			fmt.Println("error", err)
			os.Exit(1)
		}
		fmt.Println("locked", os.Getpid())
	}
	select {}
}

func sleepPath() string {
	p, err := exec.LookPath("sleep")
	if err != nil {
		panic(err)
	}
	return p
}

// startHelper re-executes the test binary in helper mode and returns it with
// the first line it printed.
func startHelper(t *testing.T, mode string, env ...string) (*exec.Cmd, string) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), append(env, helperEnv+"="+mode)...)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		t.Fatalf("helper %s: %v", mode, err)
	}
	return cmd, strings.TrimSpace(line)
}

func waitGone(t *testing.T, pid int, within time.Duration) {
	t.Helper()
	deadline := time.Now().Add(within)
	for !proc.Gone(pid) {
		if time.Now().After(deadline) {
			t.Fatalf("pid %d still alive after %v", pid, within)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestStartStop(t *testing.T) {
	dir := t.TempDir()
	pidFile := filepath.Join(dir, "sleep.pid")
	p, err := proc.Start(proc.Spec{Path: sleepPath(), Args: []string{"1000"}, PIDFile: pidFile, LogFile: filepath.Join(dir, "log")})
	if err != nil {
		t.Fatal(err)
	}
	if pid, err := proc.ReadPID(pidFile); err != nil || pid != p.PID() {
		t.Fatalf("pid file: got %d, %v; want %d", pid, err, p.PID())
	}
	start := time.Now()
	if err := p.Stop(context.Background()); err != nil {
		t.Fatalf("Stop: %v", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("Stop took %v after SIGTERM", d)
	}
	select {
	case <-p.Done():
	default:
		t.Fatal("Done not closed after Stop")
	}
	if _, err := os.Stat(pidFile); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("pid file left behind: %v", err)
	}
}

func TestStopEscalatesToSIGKILL(t *testing.T) {
	ready := filepath.Join(t.TempDir(), "ready")
	p, err := proc.Start(proc.Spec{
		Path:        "/bin/sh",
		Args:        []string{"-c", `trap "" TERM; touch "$0"; sleep 1000`, ready},
		StopTimeout: 200 * time.Millisecond,
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, err := os.Stat(ready); err != nil; _, err = os.Stat(ready) {
		time.Sleep(10 * time.Millisecond)
	}
	err = p.Stop(context.Background())
	if err == nil || !strings.Contains(err.Error(), "killed") {
		t.Fatalf("Stop of a child ignoring SIGTERM: got %v, want a 'killed' error", err)
	}
	if ws, ok := p.Err().(*exec.ExitError); !ok || ws.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
		t.Errorf("exit: got %v, want killed by SIGKILL", p.Err())
	}
}

func TestRunLogsAndTail(t *testing.T) {
	log := filepath.Join(t.TempDir(), "child.log")
	err := proc.Run(context.Background(), proc.Spec{
		Path:    "/bin/sh",
		Args:    []string{"-c", "echo one; echo two >&2; exit 3"},
		LogFile: log,
	})
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 3 {
		t.Fatalf("Run: got %v, want exit status 3", err)
	}
	if got := proc.Tail(log, 1); got != "two" {
		t.Errorf("Tail(1) = %q, want %q", got, "two")
	}
	if got := proc.Tail(log, 10); got != "one\ntwo" {
		t.Errorf("Tail(10) = %q", got)
	}
}

func TestRunCancel(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	if err := proc.Run(ctx, proc.Spec{Path: sleepPath(), Args: []string{"1000"}}); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Run: got %v, want deadline exceeded", err)
	}
}

// TestChildDiesWithParent SIGKILLs a process that started a child with
// Start: the kernel must take the child down with it.
func TestChildDiesWithParent(t *testing.T) {
	helper, line := startHelper(t, "child")
	pid, err := strconv.Atoi(strings.TrimPrefix(line, "pid "))
	if err != nil {
		t.Fatalf("helper said %q", line)
	}
	if proc.Gone(pid) {
		t.Fatal("child not running before its parent is killed")
	}
	// Let the Go runtime of the helper run a while on other threads first:
	// a child tied to a retired thread would die here already.
	time.Sleep(300 * time.Millisecond)
	if proc.Gone(pid) {
		t.Fatal("child died while its parent was alive")
	}
	if err := helper.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	waitGone(t, pid, 5*time.Second)
}

func TestKillStale(t *testing.T) {
	dir := t.TempDir()
	pidFile := filepath.Join(dir, "stale.pid")

	// An escaped child: started without any supervision.
	cmd := exec.Command(sleepPath(), "1000")
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }()
	if err := os.WriteFile(pidFile, []byte(strconv.Itoa(cmd.Process.Pid)+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}

	// A pid file naming a process of another binary (a reused pid) is left alone.
	if pid, err := proc.KillStale(context.Background(), pidFile, "/bin/sh"); err != nil || pid != 0 {
		t.Fatalf("KillStale with another exe: got %d, %v; want 0, nil", pid, err)
	}
	if proc.Gone(cmd.Process.Pid) {
		t.Fatal("KillStale killed a process of another binary")
	}

	pid, err := proc.KillStale(context.Background(), pidFile, sleepPath())
	if err != nil || pid != cmd.Process.Pid {
		t.Fatalf("KillStale: got %d, %v; want %d, nil", pid, err, cmd.Process.Pid)
	}
	if !proc.Gone(pid) {
		t.Fatal("KillStale returned before the process was gone")
	}

	// Missing pid file: nothing to do.
	if pid, err := proc.KillStale(context.Background(), filepath.Join(dir, "none.pid"), sleepPath()); err != nil || pid != 0 {
		t.Fatalf("KillStale without pid file: got %d, %v", pid, err)
	}
}

func TestLockDir(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	unlock, err := proc.LockDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	_, err = proc.LockDir(dir)
	want := fmt.Sprintf("data dir %s is already in use by another lianzhu process (pid %d)", dir, os.Getpid())
	if err == nil || err.Error() != want {
		t.Fatalf("second LockDir: got %v, want %q", err, want)
	}
	if err := unlock(); err != nil {
		t.Fatal(err)
	}
	unlock, err = proc.LockDir(dir)
	if err != nil {
		t.Fatalf("LockDir after unlock: %v", err)
	}
	if err := unlock(); err != nil {
		t.Fatal(err)
	}
}

// TestLockDirReleasedOnSIGKILL checks the reason for flock: a holder killed
// without any chance to clean up leaves no stale lock.
func TestLockDirReleasedOnSIGKILL(t *testing.T) {
	dir := t.TempDir()
	helper, line := startHelper(t, "lock", "LIANZHU_PROC_TEST_DIR="+dir)
	if !strings.HasPrefix(line, "locked ") {
		t.Fatalf("helper said %q", line)
	}
	_, err := proc.LockDir(dir)
	if err == nil || !strings.Contains(err.Error(), fmt.Sprintf("(pid %d)", helper.Process.Pid)) {
		t.Fatalf("LockDir while the helper holds it: got %v", err)
	}
	_ = helper.Process.Kill()
	_ = helper.Wait()
	unlock, err := proc.LockDir(dir)
	if err != nil {
		t.Fatalf("LockDir after the holder was killed: %v", err)
	}
	_ = unlock()
}
