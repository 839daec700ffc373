// Package web holds the Lianzhu front end (web/src, built by Vite into
// web/dist). Binaries built with the `embedui` tag embed the build
// (embed.go); without it (a clean checkout, `go test ./...`) Dist returns
// nil and the server answers a placeholder page. web/dist is never
// committed: `make build` creates it and then builds with the tag.
package web

import "io/fs"

// Built reports whether the binary holds a built UI (index.html).
func Built() bool {
	d := Dist()
	if d == nil {
		return false
	}
	info, err := fs.Stat(d, "index.html")
	return err == nil && !info.IsDir()
}
