//go:build embedui

package web

import (
	"embed"
	"io/fs"
)

// The embedui tag requires `npm run build` first: go:embed fails without
// web/dist, which is the point — a binary meant to ship the UI cannot be
// built without it. "all:" keeps files whose names start with "_" (Rollup
// names chunks after modules such as lodash's _baseIteratee): without it
// go:embed leaves them out and the UI fails to load them.
//
//go:embed all:dist
var dist embed.FS

// Dist returns the built UI with dist/ as its root: index.html, assets/…
func Dist() fs.FS {
	sub, err := fs.Sub(dist, "dist")
	if err != nil {
		// fs.Sub fails only for an invalid path name, and "dist" is valid.
		panic("web: " + err.Error())
	}
	return sub
}
