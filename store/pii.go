package store

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
)

// PII encrypts residents' ID numbers at rest and derives the keyed hash that
// finds duplicates without storing the number in the clear.
//
// Encryption is AES-256-GCM with a random nonce, so the same number encrypts
// differently each time and the ciphertext says nothing; the keyed hash
// (HMAC-SHA256) is deterministic so equal numbers can be found with an
// equality filter, which FerretDB pushes down to PostgreSQL. A plain SHA-256
// would not do: the space of ID numbers is small enough to enumerate.
type PII struct {
	aead    cipher.AEAD
	hashKey []byte
}

// piiVersion prefixes ciphertexts so a future key rotation can tell them apart.
const piiVersion = "v1:"

// NewPII takes the 32-byte encryption key and the hash key (≥ 32 bytes).
func NewPII(encKey []byte, hashKey string) (*PII, error) {
	if len(encKey) != 32 {
		return nil, errors.New("store: PII key must be 32 bytes")
	}
	if len(hashKey) < 32 {
		return nil, errors.New("store: ID hash key must be at least 32 bytes")
	}
	block, err := aes.NewCipher(encKey)
	if err != nil {
		return nil, fmt.Errorf("store: PII cipher: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("store: PII cipher: %w", err)
	}
	return &PII{aead: aead, hashKey: []byte(hashKey)}, nil
}

// Encrypt seals plain (an ID number) for storage.
func (p *PII) Encrypt(plain string) (string, error) {
	nonce := make([]byte, p.aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return "", fmt.Errorf("store: nonce: %w", err)
	}
	sealed := p.aead.Seal(nonce, nonce, []byte(plain), []byte(piiVersion))
	return piiVersion + base64.RawStdEncoding.EncodeToString(sealed), nil
}

// Decrypt opens a value sealed by Encrypt; a wrong key or a tampered value
// is an error, never garbage.
func (p *PII) Decrypt(sealed string) (string, error) {
	raw, ok := strings.CutPrefix(sealed, piiVersion)
	if !ok {
		return "", errors.New("store: PII: unknown ciphertext version")
	}
	b, err := base64.RawStdEncoding.DecodeString(raw)
	if err != nil || len(b) < p.aead.NonceSize() {
		return "", errors.New("store: PII: malformed ciphertext")
	}
	plain, err := p.aead.Open(nil, b[:p.aead.NonceSize()], b[p.aead.NonceSize():], []byte(piiVersion))
	if err != nil {
		return "", errors.New("store: PII: cannot decrypt (wrong key or tampered value)")
	}
	return string(plain), nil
}

// Hash is the keyed hash of an ID number, normalised to upper case so
// "…x" and "…X" are the same person.
func (p *PII) Hash(id string) string {
	m := hmac.New(sha256.New, p.hashKey)
	m.Write([]byte(strings.ToUpper(strings.TrimSpace(id))))
	return hex.EncodeToString(m.Sum(nil))
}
