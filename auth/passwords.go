package auth

import (
	"fmt"
	"unicode/utf8"

	"golang.org/x/crypto/bcrypt"

	"lianzhu/domain"
)

// PasswordCost is the bcrypt cost of stored passwords.
const PasswordCost = 12

// MinPasswordLength is the shortest password an account may have.
const MinPasswordLength = 10

// HashPassword validates and hashes a password.
func HashPassword(password string) (string, error) {
	if err := ValidatePassword(password); err != nil {
		return "", err
	}
	h, err := bcrypt.GenerateFromPassword([]byte(password), PasswordCost)
	if err != nil {
		return "", fmt.Errorf("auth: hash password: %w", err)
	}
	return string(h), nil
}

// ValidatePassword checks the length rules (bcrypt reads at most 72 bytes).
func ValidatePassword(password string) error {
	switch {
	case utf8.RuneCountInString(password) < MinPasswordLength:
		return domain.Invalid("password", "min_length", "密码至少 10 个字符 / at least 10 characters")
	case len(password) > 72:
		return domain.Invalid("password", "max_length", "密码最多 72 字节 / at most 72 bytes")
	}
	return nil
}

// dummyHash is compared against when the user does not exist, so a login for
// an unknown name costs as much as one for a known name.
const dummyHash = "$2a$12$KLje3lBPQjbCAfQSgPyo2OYCf0tK3YGyJcUkIwuot5Iqtq0oZbunS"

// CheckPassword reports whether password matches hash. An empty hash (no such
// user, or a disabled one) still spends a bcrypt comparison.
func CheckPassword(hash, password string) bool {
	if hash == "" {
		_ = bcrypt.CompareHashAndPassword([]byte(dummyHash), []byte(password))
		return false
	}
	return bcrypt.CompareHashAndPassword([]byte(hash), []byte(password)) == nil
}
