package proc

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/user"
	"path/filepath"
	"strconv"
	"syscall"
)

// User is an unprivileged system user that a child runs as when we run as
// root (PostgreSQL refuses root).
type User struct {
	// Name is the login name, as initdb will see it.
	Name string
	// UID and GID are the ids the child runs with.
	UID, GID uint32
}

// LookupUser finds a user in the system's user database. It refuses root:
// the point is to drop privileges. The user must be in the database rather
// than a bare uid because initdb looks its own name up.
func LookupUser(name string) (User, error) {
	u, err := user.Lookup(name)
	if err != nil {
		return User{}, fmt.Errorf("proc: user %q: %w", name, err)
	}
	uid, err1 := strconv.ParseUint(u.Uid, 10, 32)
	gid, err2 := strconv.ParseUint(u.Gid, 10, 32)
	if err := errors.Join(err1, err2); err != nil {
		return User{}, fmt.Errorf("proc: user %q: %w", name, err)
	}
	if uid == 0 {
		return User{}, fmt.Errorf("proc: user %q is root", name)
	}
	return User{Name: name, UID: uint32(uid), GID: uint32(gid)}, nil
}

// Credential returns the credential that makes a child run as u, with no
// supplementary groups (root's must not leak into it).
func (u User) Credential() *syscall.Credential {
	return &syscall.Credential{Uid: u.UID, Gid: u.GID, Groups: []uint32{}}
}

// CheckEnter returns an error naming the first folder, from path up to /,
// that u cannot enter. A child running as u cannot reach path otherwise, and
// the child's own error ("permission denied" on some relative path) does not
// say which folder is at fault. The check follows mode bits, not ACLs.
func (u User) CheckEnter(path string) error {
	path, err := filepath.Abs(path)
	if err != nil {
		return fmt.Errorf("proc: %w", err)
	}
	for dir := path; ; dir = filepath.Dir(dir) {
		fi, err := os.Stat(dir)
		if err != nil {
			return fmt.Errorf("proc: %w", err)
		}
		if fi.IsDir() && !u.may(fi, 1) {
			return fmt.Errorf("%s cannot enter folder %s (mode %04o, owner uid %d), so it cannot reach %s: make it traversable (chmod o+x %s) or use a folder elsewhere",
				u, dir, fi.Mode().Perm(), owner(fi), path, dir)
		}
		if dir == filepath.Dir(dir) {
			return nil
		}
	}
}

// CheckExec returns an error unless u can reach and execute the file.
func (u User) CheckExec(file string) error {
	if err := u.CheckEnter(filepath.Dir(file)); err != nil {
		return err
	}
	fi, err := os.Stat(file)
	if err != nil {
		return fmt.Errorf("proc: %w", err)
	}
	if !u.may(fi, 1) {
		return fmt.Errorf("%s cannot execute %s (mode %04o)", u, file, fi.Mode().Perm())
	}
	return nil
}

// String names the user for error messages.
func (u User) String() string { return fmt.Sprintf("user %s (uid %d)", u.Name, u.UID) }

// may reports whether u has the permission bit (4 read, 2 write, 1 execute)
// on a file, by the class (owner, group, other) that applies to it.
func (u User) may(fi fs.FileInfo, bit fs.FileMode) bool {
	perm := fi.Mode().Perm()
	st, ok := fi.Sys().(*syscall.Stat_t)
	switch {
	case !ok:
		return perm&bit != 0
	case st.Uid == u.UID:
		return perm&(bit<<6) != 0
	case st.Gid == u.GID:
		return perm&(bit<<3) != 0
	default:
		return perm&bit != 0
	}
}

func owner(fi fs.FileInfo) uint32 {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		return st.Uid
	}
	return 0
}

// ChownTree gives dir and everything in it to uid:gid, skipping the walk
// when dir already belongs to them: ownership is set on first start (or
// when the folder was created by a run as another user), not on every start.
func ChownTree(dir string, uid, gid uint32) error {
	fi, err := os.Stat(dir)
	if err != nil {
		return fmt.Errorf("proc: %w", err)
	}
	if st, ok := fi.Sys().(*syscall.Stat_t); ok && st.Uid == uid && st.Gid == gid {
		return nil
	}
	err = filepath.WalkDir(dir, func(path string, _ fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		return os.Lchown(path, int(uid), int(gid))
	})
	if err != nil {
		return fmt.Errorf("proc: chown %s: %w", dir, err)
	}
	return nil
}
