//go:build !embedui

package web

import "testing"

// Without the embedui tag nothing is embedded, so the server must fall back
// to its placeholder page rather than serve a half-empty file system.
func TestWithoutTagNothingIsEmbedded(t *testing.T) {
	if Dist() != nil || Built() {
		t.Fatal("a binary built without embedui must report no UI")
	}
}
