//go:build embedui

package web

import (
	"io/fs"
	"os"
	"regexp"
	"testing"
)

var assetRef = regexp.MustCompile(`(?:src|href)="/(assets/[^"]+)"`)

// With the embedui tag (make test runs this after building the UI), the
// binary holds index.html, it mounts the app, and every asset it names is
// embedded.
func TestBuiltIndexReferencesEmbeddedAssets(t *testing.T) {
	if !Built() {
		t.Fatal("built with embedui but no index.html embedded")
	}
	index, err := fs.ReadFile(Dist(), "index.html")
	if err != nil {
		t.Fatalf("read index.html: %v", err)
	}
	if !regexp.MustCompile(`<div id="app">`).Match(index) {
		t.Errorf("index.html has no <div id=\"app\">")
	}
	refs := assetRef.FindAllSubmatch(index, -1)
	if len(refs) == 0 {
		t.Fatalf("index.html references no /assets/ files")
	}
	for _, ref := range refs {
		if _, err := fs.Stat(Dist(), string(ref[1])); err != nil {
			t.Errorf("index.html references %s, not embedded: %v", ref[1], err)
		}
	}
}

// Every file the build wrote is embedded: lazily loaded chunks are not named
// in index.html, and go:embed without "all:" silently drops names that start
// with "_" or ".".
func TestEveryBuiltAssetIsEmbedded(t *testing.T) {
	built, err := os.ReadDir("dist/assets")
	if err != nil {
		t.Fatalf("read dist/assets: %v", err)
	}
	for _, f := range built {
		if _, err := fs.Stat(Dist(), "assets/"+f.Name()); err != nil {
			t.Errorf("dist/assets/%s is not embedded: %v", f.Name(), err)
		}
	}
}
