package web

import (
	"errors"
	"io/fs"
	"os"
	"regexp"
	"testing"
)

// The placeholder keeps go:embed working on a clean checkout.
func TestDistHoldsPlaceholder(t *testing.T) {
	if _, err := fs.Stat(Dist(), ".gitkeep"); err != nil {
		t.Fatalf("Dist() lacks .gitkeep: %v", err)
	}
}

// Built must agree with what was on disk at build time, built or not.
func TestBuiltMatchesDisk(t *testing.T) {
	_, err := os.Stat("dist/index.html")
	onDisk := err == nil
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("stat dist/index.html: %v", err)
	}
	if got := Built(); got != onDisk {
		t.Fatalf("Built() = %v, dist/index.html on disk = %v", got, onDisk)
	}
}

var assetRef = regexp.MustCompile(`(?:src|href)="/(assets/[^"]+)"`)

// When the UI is built, index.html mounts the app and every asset it names is embedded.
func TestBuiltIndexReferencesEmbeddedAssets(t *testing.T) {
	if !Built() {
		t.Skip("UI not built (run npm run build in web/ first)")
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
