package store

import (
	"strings"
	"testing"
)

func TestPII(t *testing.T) {
	key := []byte("0123456789abcdef0123456789abcdef")
	p, err := NewPII(key, "hash-key-hash-key-hash-key-hash-key")
	if err != nil {
		t.Fatal(err)
	}
	id := "61019919800101001X"
	a, err := p.Encrypt(id)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := p.Encrypt(id)
	if a == b || strings.Contains(a, "19800101") {
		t.Fatal("ciphertexts must be randomised and opaque")
	}
	if got, err := p.Decrypt(a); err != nil || got != id {
		t.Fatalf("Decrypt = %q, %v", got, err)
	}
	tampered := a[:len(a)-2] + "AA"
	if _, err := p.Decrypt(tampered); err == nil {
		t.Fatal("tampered ciphertext must not decrypt")
	}
	other, _ := NewPII([]byte("fedcba9876543210fedcba9876543210"), "hash-key-hash-key-hash-key-hash-key")
	if _, err := other.Decrypt(a); err == nil {
		t.Fatal("wrong key must not decrypt")
	}
	if p.Hash(id) != p.Hash(strings.ToLower(id)+" ") {
		t.Fatal("hash must normalise case and space")
	}
	q, _ := NewPII(key, "another-hash-key-another-hash-key-xx")
	if p.Hash(id) == q.Hash(id) {
		t.Fatal("hash must depend on the key")
	}
	if _, err := NewPII(key[:16], "hash-key-hash-key-hash-key-hash-key"); err == nil {
		t.Fatal("short key accepted")
	}
	if _, err := NewPII(key, "short"); err == nil {
		t.Fatal("short hash key accepted")
	}
}
