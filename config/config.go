// Package config holds visitbot's one typed configuration: defaults in code,
// an optional YAML file on top, and VISITBOT_* environment variables on top of
// that. Only main reads it; every other package receives its own sub-config.
package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// Config is the whole effective configuration. Field tags name the YAML key;
// `secret:"true"` marks values that are masked when printed.
type Config struct {
	Server     ServerConfig     `yaml:"server"`
	Database   DatabaseConfig   `yaml:"database"`
	Timezone   string           `yaml:"timezone"`
	Log        LogConfig        `yaml:"log"`
	WeCom      WeComConfig      `yaml:"wecom"`
	DingTalk   DingTalkConfig   `yaml:"dingtalk"`
	Console    ConsoleConfig    `yaml:"console"`
	Ranking    RankingConfig    `yaml:"ranking"`
	Compliance ComplianceConfig `yaml:"compliance"`
	Jobs       JobsConfig       `yaml:"jobs"`
	Outbox     OutboxConfig     `yaml:"outbox"`
	Visits     VisitsConfig     `yaml:"visits"`
	Alerts     AlertsConfig     `yaml:"alerts"`
	Ingest     IngestConfig     `yaml:"ingest"`
	Retention  RetentionConfig  `yaml:"retention"`
	Import     ImportConfig     `yaml:"import"`
	Web        WebConfig        `yaml:"web"`
}

// ServerConfig is the HTTP listener.
type ServerConfig struct {
	Addr            string        `yaml:"addr"`
	PublicURL       string        `yaml:"public_url"`
	ShutdownTimeout time.Duration `yaml:"shutdown_timeout"`
	// MaxBodyBytes bounds every inbound request body on every route, the
	// ingest API included (the smaller of this and ingest.max_body_bytes
	// wins); platform callbacks are small.
	MaxBodyBytes int64 `yaml:"max_body_bytes"`
}

// DatabaseConfig selects the store. SQLite is the embedded default so the
// demo needs no server; MySQL (or TiDB) is production.
type DatabaseConfig struct {
	Driver       string `yaml:"driver"`
	DSN          string `yaml:"dsn" secret:"true"`
	MaxOpenConns int    `yaml:"max_open_conns"`
}

// LogConfig controls slog output.
type LogConfig struct {
	Level  string `yaml:"level"`
	Format string `yaml:"format"`
}

// ConsoleConfig turns on the local chat console at /console.
type ConsoleConfig struct {
	Enabled bool `yaml:"enabled"`
}

// Default returns the configuration used when no file or variable says otherwise.
func Default() Config {
	c := Config{
		Server: ServerConfig{
			Addr:            ":8080",
			PublicURL:       "http://localhost:8080",
			ShutdownTimeout: 20 * time.Second,
			MaxBodyBytes:    1 << 20,
		},
		Database: DatabaseConfig{Driver: "sqlite", DSN: "data/visitbot.db", MaxOpenConns: 20},
		Timezone: "Asia/Shanghai",
		Log:      LogConfig{Level: "info", Format: "json"},
		Console:  ConsoleConfig{Enabled: false},
	}
	c.WeCom = defaultWeCom()
	c.DingTalk = defaultDingTalk()
	c.Ranking = defaultRanking()
	c.Compliance = ComplianceConfig{}
	c.Jobs = defaultJobs()
	c.Outbox = defaultOutbox()
	c.Visits = defaultVisits()
	c.Alerts = defaultAlerts()
	c.Ingest = defaultIngest()
	c.Retention = defaultRetention()
	c.Import = defaultImport()
	c.Web = defaultWeb()
	return c
}

// Load builds the effective config: defaults, then the YAML file at path (a
// missing file is an error only when explicit is true), then environment
// variables from environ (os.Environ() format), then Validate.
func Load(path string, explicit bool, environ []string) (Config, error) {
	c := Default()
	data, err := os.ReadFile(path)
	switch {
	case err == nil:
		dec := yaml.NewDecoder(bytes.NewReader(data))
		dec.KnownFields(true) // a misspelt key is an error, not a silent default
		if err := dec.Decode(&c); err != nil && !errors.Is(err, io.EOF) {
			return c, fmt.Errorf("config file %s: %s", path, strings.ReplaceAll(err.Error(), "\n", "; "))
		}
	case errors.Is(err, os.ErrNotExist) && !explicit:
	default:
		return c, fmt.Errorf("config file: %w", err)
	}
	if err := applyEnv(&c, environ); err != nil {
		return c, err
	}
	if err := c.Validate(); err != nil {
		return c, err
	}
	return c, nil
}

// Location returns the configured time zone; Validate guarantees it loads.
func (c Config) Location() *time.Location {
	loc, err := time.LoadLocation(c.Timezone)
	if err != nil {
		return time.UTC
	}
	return loc
}
