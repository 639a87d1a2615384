package apptest

import (
	"bytes"
	"context"
	"strings"
	"sync"
	"testing"

	"visitbot/config"
	"visitbot/internal/app"
	"visitbot/models"
)

// OnStoreLogged is OnStore with the app's log kept in the returned Log, for
// a test that checks what the app only logs (e.g. an error of the import
// hook, which must not fail the import).
func OnStoreLogged(t testing.TB, s *models.Store, edit func(*config.Config)) (*app.App, *Log) {
	t.Helper()
	cfg := config.Default()
	cfg.Console.Enabled = true
	if edit != nil {
		edit(&cfg)
	}
	cfg.Log.Format = "json" // what Log.Errors reads
	l := &Log{}
	a, err := app.New(context.Background(), cfg, app.Options{Store: s, Clock: s.Clock(), Version: "test", LogOut: l})
	if err != nil {
		t.Fatalf("wire app: %v", err)
	}
	t.Cleanup(func() { a.Close() })
	return a, l
}

// Log is an app log (JSON lines) safe for concurrent writes.
type Log struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *Log) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

// Errors are the lines logged at level ERROR.
func (l *Log) Errors() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []string
	for _, line := range strings.Split(l.buf.String(), "\n") {
		if strings.Contains(line, `"level":"ERROR"`) {
			out = append(out, line)
		}
	}
	return out
}
