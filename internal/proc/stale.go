package proc

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// KillStale kills the process named by pidFile if it is still running
// exePath, and waits until it is gone. It returns the pid it killed, or 0.
//
// Pdeathsig covers almost every way we can die, but not all: a child can
// have been started by a build without it, or the server can be SIGKILLed in
// the instant between fork and prctl. Such a child keeps its port and its
// data folder, so the next start removes it first. Checking /proc/PID/exe
// keeps us from killing an unrelated process that reused the pid. Call it
// only while holding LockDir on the data folder, or it may kill the child of
// a server that is still alive.
func KillStale(ctx context.Context, pidFile, exePath string) (int, error) {
	pid, err := ReadPID(pidFile)
	if err != nil || pid == 0 || pid == os.Getpid() {
		return 0, err
	}
	running, err := Runs(pid, exePath)
	if err != nil || !running {
		return 0, err
	}
	// The child leads its own process group (Setpgid), so the group kill
	// also takes anything it forked that stayed in the group.
	_ = syscall.Kill(-pid, syscall.SIGKILL)
	if err := syscall.Kill(pid, syscall.SIGKILL); err != nil && !errors.Is(err, syscall.ESRCH) {
		return 0, fmt.Errorf("proc: kill stale %s (pid %d): %w", exePath, pid, err)
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	for !Gone(pid) {
		select {
		case <-ctx.Done():
			return pid, fmt.Errorf("proc: stale %s (pid %d) still alive after SIGKILL: %w", exePath, pid, ctx.Err())
		case <-time.After(20 * time.Millisecond):
		}
	}
	return pid, nil
}

// Runs reports whether pid is a live process executing exePath.
func Runs(pid int, exePath string) (bool, error) {
	want, err := filepath.Abs(exePath)
	if err != nil {
		return false, fmt.Errorf("proc: %w", err)
	}
	if resolved, err := filepath.EvalSymlinks(want); err == nil {
		want = resolved
	}
	exe, err := os.Readlink("/proc/" + strconv.Itoa(pid) + "/exe")
	if errors.Is(err, os.ErrNotExist) || errors.Is(err, syscall.ESRCH) {
		return false, nil // gone, or a zombie
	}
	if errors.Is(err, os.ErrPermission) {
		// Another user's process: without root we could not have started
		// it, so it is not our child but a pid that was reused.
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("proc: inspect pid %d: %w", pid, err)
	}
	// An npm reinstall replaces the file under a running child.
	exe = strings.TrimSuffix(exe, " (deleted)")
	return exe == want, nil
}

// Gone reports whether pid has exited: it no longer exists or is a zombie
// waiting to be reaped (which holds no port, file or memory any more).
func Gone(pid int) bool {
	if err := syscall.Kill(pid, 0); errors.Is(err, syscall.ESRCH) {
		return true
	}
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return true
	}
	// The state follows the command name, which is in parentheses and may
	// itself contain spaces or parentheses.
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	if i < 0 || i+2 >= len(s) {
		return false
	}
	state := s[i+2]
	return state == 'Z' || state == 'X'
}
