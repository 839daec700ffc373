// Package proc supervises the child processes of the embedded mode
// (PostgreSQL, Meilisearch) so that none of them can outlive the server: they
// get a parent-death signal, their own process group, a log file and a pid
// file, and a stale one left behind by a server that died anyway is found and
// killed on the next start.
package proc

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Spec describes a child process.
type Spec struct {
	// Path is the executable; Args are its arguments without argv[0].
	Path string
	Args []string

	// Env is the child's environment; nil inherits ours.
	Env []string

	// Dir is the working directory; empty means ours.
	Dir string

	// LogFile receives stdout and stderr, appended; empty discards them.
	LogFile string

	// PIDFile, if set, holds the child's pid while it runs, so that a later
	// start can find it with KillStale if it escaped.
	PIDFile string

	// Credential, if set, runs the child as another user (PostgreSQL refuses
	// to run as root).
	Credential *syscall.Credential

	// DeathSignal is what the kernel sends the child when we die; zero means
	// SIGKILL, the one signal nothing can ignore.
	DeathSignal syscall.Signal

	// StopSignal asks the child to shut down in Stop; zero means SIGTERM.
	StopSignal syscall.Signal

	// StopTimeout is how long Stop waits after StopSignal before SIGKILL;
	// zero means 10 seconds.
	StopTimeout time.Duration
}

// Process is a running (or exited) child started by Start.
type Process struct {
	spec Spec
	pid  int
	done chan struct{}
	err  error // written before done is closed, read only after
}

// Start starts the child described by spec and returns once it runs.
//
// The child is forked from a goroutine locked to its OS thread that stays in
// cmd.Wait until the child exits: the kernel delivers the parent-death signal
// when the forking thread exits, not the process, so an ordinary goroutine
// would let the Go scheduler retire that thread and kill a healthy child (or
// keep it when we die in a way the runtime does not see).
func Start(spec Spec) (*Process, error) {
	if spec.DeathSignal == 0 {
		spec.DeathSignal = syscall.SIGKILL
	}
	if spec.StopSignal == 0 {
		spec.StopSignal = syscall.SIGTERM
	}
	if spec.StopTimeout == 0 {
		spec.StopTimeout = 10 * time.Second
	}

	cmd := exec.Command(spec.Path, spec.Args...)
	cmd.Env = spec.Env
	cmd.Dir = spec.Dir
	cmd.SysProcAttr = &syscall.SysProcAttr{
		Pdeathsig: spec.DeathSignal,
		// A group of its own keeps a Ctrl-C at the terminal from reaching
		// the child directly: we stop children in order (FerretDB before
		// PostgreSQL), and a SIGKILL in Stop can take the whole group.
		Setpgid:    true,
		Credential: spec.Credential,
	}
	if spec.LogFile != "" {
		f, err := os.OpenFile(spec.LogFile, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
		if err != nil {
			return nil, fmt.Errorf("proc: open log: %w", err)
		}
		// The child has its own copy of the descriptor after Start.
		defer f.Close()
		cmd.Stdout, cmd.Stderr = f, f
	}

	p := &Process{spec: spec, done: make(chan struct{})}
	started := make(chan error, 1)
	go func() {
		// Never unlocked: when this goroutine returns the runtime ends the
		// thread, which is harmless then because the child is gone.
		runtime.LockOSThread()
		if err := cmd.Start(); err != nil {
			started <- err
			return
		}
		p.pid = cmd.Process.Pid
		started <- nil
		p.err = cmd.Wait()
		p.removePIDFile()
		close(p.done)
	}()
	if err := <-started; err != nil {
		return nil, fmt.Errorf("proc: start %s: %w", spec.Path, err)
	}
	if spec.PIDFile != "" {
		if err := os.WriteFile(spec.PIDFile, []byte(strconv.Itoa(p.pid)+"\n"), 0o644); err != nil {
			_ = p.Stop(context.Background())
			return nil, fmt.Errorf("proc: write pid file: %w", err)
		}
	}
	return p, nil
}

// PID returns the child's process id.
func (p *Process) PID() int { return p.pid }

// Done is closed when the child has exited and been reaped.
func (p *Process) Done() <-chan struct{} { return p.done }

// Err returns how the child exited (nil for status 0); it is meaningful only
// after Done is closed.
func (p *Process) Err() error {
	select {
	case <-p.done:
		return p.err
	default:
		return nil
	}
}

// Wait waits until the child exits or ctx ends, and returns how it exited.
func (p *Process) Wait(ctx context.Context) error {
	select {
	case <-p.done:
		return p.err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Stop asks the child to exit with its StopSignal, escalates to SIGKILL for
// its whole process group after StopTimeout or when ctx ends, and waits until
// it has exited. The child's exit status is not an error here: being stopped
// by a signal is the expected outcome.
func (p *Process) Stop(ctx context.Context) error {
	select {
	case <-p.done:
		return nil
	default:
	}
	if err := syscall.Kill(p.pid, p.spec.StopSignal); err != nil && !errors.Is(err, syscall.ESRCH) {
		return fmt.Errorf("proc: signal %d: %w", p.pid, err)
	}
	timer := time.NewTimer(p.spec.StopTimeout)
	defer timer.Stop()
	select {
	case <-p.done:
		return nil
	case <-timer.C:
	case <-ctx.Done():
	}
	_ = syscall.Kill(-p.pid, syscall.SIGKILL)
	_ = syscall.Kill(p.pid, syscall.SIGKILL)
	select {
	case <-p.done:
	case <-time.After(10 * time.Second):
		// Only a process stuck in the kernel (D state) gets here.
		return fmt.Errorf("proc: %s (pid %d) survived SIGKILL", p.spec.Path, p.pid)
	}
	return fmt.Errorf("proc: %s (pid %d) did not stop in time and was killed", p.spec.Path, p.pid)
}

// Run starts the child, waits for it to exit and returns its exit error; if
// ctx ends first the child is stopped. It is for short jobs such as initdb,
// which must not outlive us either.
func Run(ctx context.Context, spec Spec) error {
	p, err := Start(spec)
	if err != nil {
		return err
	}
	select {
	case <-p.done:
		return p.err
	case <-ctx.Done():
		_ = p.Stop(context.Background())
		return ctx.Err()
	}
}

func (p *Process) removePIDFile() {
	if p.spec.PIDFile == "" {
		return
	}
	// Only our own pid: a newer start may have replaced the file.
	if pid, err := ReadPID(p.spec.PIDFile); err == nil && pid == p.pid {
		_ = os.Remove(p.spec.PIDFile)
	}
}

// ReadPID returns the pid on the first line of a pid file (ours, or
// PostgreSQL's postmaster.pid, which starts the same way); 0 if the file does
// not exist.
func ReadPID(path string) (int, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("proc: read pid file: %w", err)
	}
	line, _, _ := strings.Cut(string(b), "\n")
	line = strings.TrimSpace(line)
	if line == "" {
		return 0, nil
	}
	pid, err := strconv.Atoi(line)
	if err != nil || pid <= 0 {
		return 0, fmt.Errorf("proc: pid file %s: bad pid %q", path, line)
	}
	return pid, nil
}
