// Package web embeds the built front end (web/dist, produced by `npm run build`)
// into the lianzhu binary.
//
// dist/ is not committed except for dist/.gitkeep, so a clean checkout compiles
// without the built UI; Built reports whether the UI was built before `go build`.
package web

import (
	"embed"
	"io/fs"
)

//go:embed all:dist
var dist embed.FS

// Dist returns the built UI with dist/ as its root: index.html, assets/…
// It also holds .gitkeep; a file server should not list or serve dotfiles.
func Dist() fs.FS {
	sub, err := fs.Sub(dist, "dist")
	if err != nil {
		// fs.Sub fails only for an invalid path name, and "dist" is valid.
		panic("web: " + err.Error())
	}
	return sub
}

// Built reports whether the binary holds a built UI (dist/index.html).
func Built() bool {
	info, err := fs.Stat(Dist(), "index.html")
	return err == nil && !info.IsDir()
}
