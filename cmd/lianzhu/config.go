package main

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"lianzhu/internal/binpath"
	"lianzhu/store"
)

// envPrefix is the one prefix of every setting.
const envPrefix = "LIANZHU_"

// Config is the whole configuration, parsed once from the environment.
type Config struct {
	Addr     string
	DataDir  string
	MongoURI string
	MongoDB  string
	// FerretDBPG is the PostgreSQL under an external FerretDB, for the
	// equality indexes (store/ferretdb_pg.go); the embedded one is known.
	FerretDBPG   string
	MeiliURL     string
	MeiliKey     string
	MeiliPrefix  string // index names' prefix, so environments can share a Meilisearch
	MeiliBin     string
	PGBin        string
	JWTSecret    string
	PIIKey       []byte // 32 bytes: AES-256 key for ID numbers at rest
	IDHashKey    string
	Demo         bool
	DemoPassword string
	LogLevel     slog.Level

	// Embedded is true when no MongoDB or Meilisearch is configured: the
	// server starts PostgreSQL, FerretDB and Meilisearch itself.
	Embedded bool
	// sources records where each secret came from, for the start-up log.
	sources map[string]string
}

// indexPrefixPattern bounds index name prefixes to what Meilisearch accepts.
var indexPrefixPattern = regexp.MustCompile(`^[a-z0-9_-]{0,40}$`)

// setting describes one environment variable.
type setting struct {
	name   string
	secret bool // also read from NAME_FILE; masked in logs
}

var settings = []setting{
	{"ADDR", false}, {"DATA_DIR", false},
	{"MONGODB_URI", true}, {"MONGODB_DB", false}, {"FERRETDB_POSTGRES_URL", true},
	{"MEILI_URL", false}, {"MEILI_KEY", true}, {"MEILI_INDEX_PREFIX", false}, {"MEILI_BIN", false}, {"PG_BIN", false},
	{"JWT_SECRET", true}, {"PII_KEY", true}, {"ID_HASH_KEY", true},
	{"DEMO", false}, {"DEMO_PASSWORD", true}, {"LOG_LEVEL", false},
}

// configError lists every bad variable at once, so one start tells all.
type configError struct{ problems []string }

func (e *configError) Error() string {
	return "configuration error:\n  " + strings.Join(e.problems, "\n  ")
}

// loadConfig parses environ (os.Environ form). readFile reads _FILE secrets;
// root is the checkout folder used for the default binary paths.
func loadConfig(environ []string, readFile func(string) ([]byte, error), root string) (*Config, error) {
	env := map[string]string{}
	for _, kv := range environ {
		k, v, ok := strings.Cut(kv, "=")
		if ok && strings.HasPrefix(k, envPrefix) {
			env[k] = v
		}
	}
	bad := &configError{}
	known := map[string]bool{}
	for _, s := range settings {
		known[envPrefix+s.name] = true
		if s.secret {
			known[envPrefix+s.name+"_FILE"] = true
		}
	}
	var unknown []string
	for k := range env {
		if !known[k] && !strings.HasPrefix(k, envPrefix+"TEST_") {
			unknown = append(unknown, k)
		}
	}
	sort.Strings(unknown)
	for _, k := range unknown {
		bad.problems = append(bad.problems, fmt.Sprintf("%s: unknown variable (a typo? known: %s)", k, knownList()))
	}

	c := &Config{sources: map[string]string{}}
	get := func(name string) string {
		key := envPrefix + name
		v, has := env[key]
		file, hasFile := env[key+"_FILE"]
		if hasFile {
			if has {
				bad.problems = append(bad.problems, fmt.Sprintf("%s and %s_FILE are both set: choose one", key, key))
				return v
			}
			b, err := readFile(file)
			if err != nil {
				bad.problems = append(bad.problems, fmt.Sprintf("%s_FILE: cannot read %s: %v", key, file, err))
				return ""
			}
			c.sources[name] = "file " + file
			return strings.TrimRight(string(b), "\r\n")
		}
		if has && v != "" {
			c.sources[name] = "environment"
		}
		return v
	}

	c.Addr = or(get("ADDR"), ":8080")
	if _, port, err := net.SplitHostPort(c.Addr); err != nil {
		bad.problems = append(bad.problems, fmt.Sprintf("LIANZHU_ADDR: %q is not host:port (e.g. :8080)", c.Addr))
	} else if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
		bad.problems = append(bad.problems, fmt.Sprintf("LIANZHU_ADDR: port %q is not 0–65535", port))
	}
	c.DataDir = or(get("DATA_DIR"), "./data")
	c.MongoURI = get("MONGODB_URI")
	c.MongoDB = or(get("MONGODB_DB"), "lianzhu")
	c.FerretDBPG = get("FERRETDB_POSTGRES_URL")
	c.MeiliURL = get("MEILI_URL")
	c.MeiliKey = get("MEILI_KEY")
	c.MeiliPrefix = or(get("MEILI_INDEX_PREFIX"), "lianzhu_")
	if !indexPrefixPattern.MatchString(c.MeiliPrefix) {
		bad.problems = append(bad.problems, fmt.Sprintf("LIANZHU_MEILI_INDEX_PREFIX: %q may hold only a-z, 0-9, _ and - (at most 40)", c.MeiliPrefix))
	}
	c.MeiliBin = or(get("MEILI_BIN"), binpath.DefaultMeiliBin(root))
	c.PGBin = or(get("PG_BIN"), binpath.DefaultPGBin(root))
	c.JWTSecret = get("JWT_SECRET")
	pii := get("PII_KEY")
	c.IDHashKey = get("ID_HASH_KEY")
	c.DemoPassword = get("DEMO_PASSWORD")

	switch {
	case c.MongoURI == "" && c.MeiliURL == "":
		c.Embedded = true
	case c.MongoURI == "":
		bad.problems = append(bad.problems, "LIANZHU_MEILI_URL is set but LIANZHU_MONGODB_URI is not: set both (production) or neither (embedded default)")
	case c.MeiliURL == "":
		bad.problems = append(bad.problems, "LIANZHU_MONGODB_URI is set but LIANZHU_MEILI_URL is not: set both (production) or neither (embedded default)")
	}
	if c.MongoURI != "" && !strings.HasPrefix(c.MongoURI, "mongodb://") && !strings.HasPrefix(c.MongoURI, "mongodb+srv://") {
		bad.problems = append(bad.problems, "LIANZHU_MONGODB_URI: must start with mongodb:// or mongodb+srv://")
	}
	if c.FerretDBPG != "" {
		if c.MongoURI == "" {
			bad.problems = append(bad.problems, "LIANZHU_FERRETDB_POSTGRES_URL: only meaningful with LIANZHU_MONGODB_URI pointing at a FerretDB (the embedded one is known)")
		} else if !strings.HasPrefix(c.FerretDBPG, "postgres://") && !strings.HasPrefix(c.FerretDBPG, "postgresql://") {
			bad.problems = append(bad.problems, "LIANZHU_FERRETDB_POSTGRES_URL: must start with postgres:// or postgresql://")
		}
	}
	if c.MeiliURL != "" {
		if u, err := url.Parse(c.MeiliURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			bad.problems = append(bad.problems, fmt.Sprintf("LIANZHU_MEILI_URL: %q is not an http(s) URL", c.MeiliURL))
		}
	}
	if c.Embedded && c.MeiliKey != "" {
		bad.problems = append(bad.problems, "LIANZHU_MEILI_KEY: only meaningful with LIANZHU_MEILI_URL (the embedded Meilisearch gets a generated key)")
	}
	if !c.Embedded && c.MeiliURL != "" && c.MeiliKey == "" {
		bad.problems = append(bad.problems, "LIANZHU_MEILI_KEY: required with LIANZHU_MEILI_URL (production Meilisearch must have a master key)")
	}
	if strings.ContainsAny(c.MongoDB, "/\\. \"$") {
		bad.problems = append(bad.problems, "LIANZHU_MONGODB_DB: database names may not contain / \\ . space \" $")
	}

	demo := get("DEMO")
	switch strings.ToLower(demo) {
	case "":
		c.Demo = c.Embedded
	case "true", "1", "yes":
		c.Demo = true
	case "false", "0", "no":
		c.Demo = false
	default:
		bad.problems = append(bad.problems, fmt.Sprintf("LIANZHU_DEMO: %q is not true or false", demo))
	}
	if c.DemoPassword == "" {
		c.DemoPassword = "lianzhu-demo"
	} else if len([]rune(c.DemoPassword)) < 10 {
		bad.problems = append(bad.problems, "LIANZHU_DEMO_PASSWORD: at least 10 characters")
	}

	switch strings.ToLower(or(get("LOG_LEVEL"), "info")) {
	case "debug":
		c.LogLevel = slog.LevelDebug
	case "info":
		c.LogLevel = slog.LevelInfo
	case "warn", "warning":
		c.LogLevel = slog.LevelWarn
	case "error":
		c.LogLevel = slog.LevelError
	default:
		bad.problems = append(bad.problems, fmt.Sprintf("LIANZHU_LOG_LEVEL: %q is not debug, info, warn or error", get("LOG_LEVEL")))
	}

	// Secrets: in production each is required; in embedded mode a missing one
	// is generated later (ensureSecrets) and kept in the data dir.
	if c.JWTSecret != "" && len(c.JWTSecret) < 32 {
		bad.problems = append(bad.problems, "LIANZHU_JWT_SECRET: at least 32 characters")
	}
	if pii != "" {
		key, err := decodeKey(pii)
		if err != nil {
			bad.problems = append(bad.problems, "LIANZHU_PII_KEY: "+err.Error())
		}
		c.PIIKey = key
	}
	if c.IDHashKey != "" && len(c.IDHashKey) < 32 {
		bad.problems = append(bad.problems, "LIANZHU_ID_HASH_KEY: at least 32 characters")
	}
	if !c.Embedded {
		for name, missing := range map[string]bool{"JWT_SECRET": c.JWTSecret == "", "PII_KEY": pii == "", "ID_HASH_KEY": c.IDHashKey == ""} {
			if missing {
				bad.problems = append(bad.problems, fmt.Sprintf("LIANZHU_%s: required in production mode (or LIANZHU_%s_FILE)", name, name))
			}
		}
	}
	if len(bad.problems) > 0 {
		sort.SliceStable(bad.problems, func(i, j int) bool { return bad.problems[i] < bad.problems[j] })
		return nil, bad
	}
	return c, nil
}

// decodeKey reads a 32-byte key written as 64 hex digits or base64.
func decodeKey(s string) ([]byte, error) {
	if b, err := hex.DecodeString(s); err == nil && len(b) == 32 {
		return b, nil
	}
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if b, err := enc.DecodeString(s); err == nil && len(b) == 32 {
			return b, nil
		}
	}
	return nil, errors.New("must be 32 bytes, written as 64 hex digits or base64 (e.g. `openssl rand -hex 32`)")
}

// ensureSecrets fills missing secrets in embedded mode from files in the data
// dir, generating them (mode 0600) on first start, so tokens and encrypted
// ID numbers survive restarts.
func (c *Config) ensureSecrets(dir string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("create secrets folder: %w", err)
	}
	load := func(setting, name string, gen func() string) (string, error) {
		path := filepath.Join(dir, name)
		b, err := os.ReadFile(path)
		if err == nil {
			c.sources[setting] = "generated file " + path
			return strings.TrimSpace(string(b)), nil
		}
		if !errors.Is(err, os.ErrNotExist) {
			return "", err
		}
		v := gen()
		if err := os.WriteFile(path, []byte(v+"\n"), 0o600); err != nil {
			return "", fmt.Errorf("write %s: %w", path, err)
		}
		c.sources[setting] = "generated file " + path
		return v, nil
	}
	randHex := func() string {
		b := make([]byte, 32)
		if _, err := rand.Read(b); err != nil {
			panic(err)
		}
		return hex.EncodeToString(b)
	}
	var err error
	if c.JWTSecret == "" {
		if c.JWTSecret, err = load("JWT_SECRET", "jwt_secret", randHex); err != nil {
			return err
		}
	}
	if c.PIIKey == nil {
		s, err := load("PII_KEY", "pii_key", randHex)
		if err != nil {
			return err
		}
		if c.PIIKey, err = decodeKey(s); err != nil {
			return fmt.Errorf("%s: %w", filepath.Join(dir, "pii_key"), err)
		}
	}
	if c.IDHashKey == "" {
		if c.IDHashKey, err = load("ID_HASH_KEY", "id_hash_key", randHex); err != nil {
			return err
		}
	}
	if c.MeiliKey == "" {
		if c.MeiliKey, err = load("MEILI_KEY", "meili_master_key", randHex); err != nil {
			return err
		}
	}
	return nil
}

// logAttrs describes the configuration for the start-up log, secrets masked.
func (c *Config) logAttrs() []any {
	mask := func(name, v string) string {
		if v == "" {
			return "(unset)"
		}
		if src := c.sources[name]; src != "" {
			return "*** (" + src + ")"
		}
		return "***"
	}
	mongo := "(embedded FerretDB)"
	if c.MongoURI != "" {
		mongo = store.RedactURI(c.MongoURI)
	}
	ferretPG := "(none)"
	if c.FerretDBPG != "" {
		ferretPG = store.RedactURI(c.FerretDBPG)
	}
	meili := "(embedded Meilisearch)"
	if c.MeiliURL != "" {
		meili = c.MeiliURL
	}
	return []any{
		"addr", c.Addr, "data_dir", c.DataDir, "embedded", c.Embedded, "mongodb", mongo, "mongodb_db", c.MongoDB,
		"ferretdb_postgres", ferretPG,
		"meilisearch", meili, "meili_index_prefix", c.MeiliPrefix, "meili_key", mask("MEILI_KEY", c.MeiliKey), "jwt_secret", mask("JWT_SECRET", c.JWTSecret),
		"pii_key", mask("PII_KEY", string(c.PIIKey)), "id_hash_key", mask("ID_HASH_KEY", c.IDHashKey),
		"demo", c.Demo, "log_level", c.LogLevel.String(),
	}
}

func knownList() string {
	var names []string
	for _, s := range settings {
		names = append(names, envPrefix+s.name)
	}
	return strings.Join(names, ", ")
}

func or(v, def string) string {
	if v == "" {
		return def
	}
	return v
}
