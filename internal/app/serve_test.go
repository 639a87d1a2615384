package app

import (
	"context"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"visitbot/config"
)

// TestServeHealthAndGracefulShutdown starts the real server on a free port,
// checks the operational endpoints, then cancels the context like SIGTERM.
func TestServeHealthAndGracefulShutdown(t *testing.T) {
	cfg := config.Default()
	cfg.Server.Addr = "127.0.0.1:0"
	cfg.Database.DSN = filepath.Join(t.TempDir(), "vb.db")
	cfg.Server.ShutdownTimeout = 5 * time.Second
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	addrc := make(chan string, 1)
	done := make(chan error, 1)
	a, err := New(ctx, cfg, Options{Version: "test"})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	go func() {
		done <- a.Serve(ctx, func(_ context.Context, bound string) error {
			addrc <- bound
			return nil
		})
	}()
	var base string
	select {
	case a := <-addrc:
		base = "http://" + a
	case err := <-done:
		t.Fatalf("serve exited early: %v", err)
	case <-time.After(20 * time.Second):
		t.Fatal("server did not start")
	}
	for _, c := range []struct{ path, want string }{{"/healthz", `"ok"`}, {"/readyz", `"ready"`}, {"/metrics", "visitbot_http_requests_total"}} {
		path, want := c.path, c.want
		resp, err := http.Get(base + path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || !strings.Contains(string(body), want) {
			t.Errorf("%s: %d %s", path, resp.StatusCode, body)
		}
		if resp.Header.Get("X-Request-Id") == "" {
			t.Errorf("%s: no request id", path)
		}
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("serve returned %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("serve did not shut down")
	}
}
