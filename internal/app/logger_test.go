package app

import (
	"context"
	"strings"
	"testing"

	"visitbot/config"
)

// TestBadLogLevelIsAConfigError: a level slog does not know stops the app
// instead of logging at Info.
func TestBadLogLevelIsAConfigError(t *testing.T) {
	cfg := config.Default()
	cfg.Log.Level = "verbose"
	_, err := New(context.Background(), cfg, Options{Version: "test"})
	if err == nil || !strings.Contains(err.Error(), "log.level") || !strings.Contains(err.Error(), "verbose") {
		t.Fatalf("err = %v, want a log.level error", err)
	}
	if _, err := newLogger(config.LogConfig{Level: "warn", Format: "json"}, nil); err != nil {
		t.Fatal(err)
	}
}
