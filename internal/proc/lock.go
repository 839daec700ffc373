package proc

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
)

// LockFileName is the file LockDir locks inside a data folder.
const LockFileName = "lianzhu.lock"

// LockDir takes an exclusive, non-blocking flock on dir/lianzhu.lock (creating
// dir if needed) and writes our pid into it, so that two servers never share
// a data folder; a second caller gets an error naming the holder's pid.
//
// flock rather than a pid file: the kernel drops the lock when the holder
// dies, even by SIGKILL, so there is never a stale lock to clean up. The
// descriptor is close-on-exec (Go's default), so a child that escapes cannot
// keep the lock. The file is never removed: removing it would let a third
// process lock a fresh inode while a second still waits on the old one.
func LockDir(dir string) (unlock func() error, err error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("proc: lock data dir: %w", err)
	}
	path := filepath.Join(dir, LockFileName)
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("proc: lock data dir: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			holder := "unknown pid"
			if pid, _ := ReadPID(path); pid > 0 {
				holder = "pid " + strconv.Itoa(pid)
			}
			return nil, fmt.Errorf("data dir %s is already in use by another lianzhu process (%s)", dir, holder)
		}
		return nil, fmt.Errorf("proc: lock data dir %s: %w", dir, err)
	}
	if err := f.Truncate(0); err == nil {
		_, err = f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0)
	}
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("proc: lock data dir %s: %w", dir, err)
	}
	unlock = func() error {
		_ = f.Truncate(0)
		// Closing the only descriptor releases the flock.
		if err := f.Close(); err != nil {
			return fmt.Errorf("proc: unlock data dir %s: %w", dir, err)
		}
		return nil
	}
	return unlock, nil
}
