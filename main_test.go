package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"visitbot/config"
)

// runCLI runs the binary's entry point in-process with only the given environment.
func runCLI(t *testing.T, env []string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = run(context.Background(), args, &out, &errb, env)
	return code, out.String(), errb.String()
}

func TestBadConfigExitsWithOneLineNamingTheKey(t *testing.T) {
	cases := []struct {
		env []string
		key string
	}{
		{[]string{"VISITBOT_DATABASE_DRIVER=oracle"}, "database.driver"},
		{[]string{"VISITBOT_SERVER_ADDR=localhost"}, "server.addr"},
		{[]string{"VISITBOT_SERVER_ADDR=:http-ish"}, "server.addr"},
		{[]string{"VISITBOT_TIMEZONE=Nowhere/City"}, "timezone"},
	}
	for _, c := range cases {
		for _, cmd := range []string{"serve", "migrate", "config"} {
			args := []string{cmd}
			if cmd == "config" {
				args = append(args, "print")
			}
			code, _, stderr := runCLI(t, c.env, args...)
			lines := strings.Split(strings.TrimSpace(stderr), "\n")
			if code == 0 || len(lines) != 1 || !strings.Contains(lines[0], c.key) {
				t.Errorf("%v %s: exit %d, stderr %q", c.env, cmd, code, stderr)
			}
		}
	}
}

func TestConfigPrintMasksSecrets(t *testing.T) {
	env := []string{"VISITBOT_WECOM_SECRET=very-secret-value", "VISITBOT_DATABASE_DRIVER=mysql", "VISITBOT_DATABASE_DSN=vb:pw123456@tcp(db:3306)/vb"}
	code, out, stderr := runCLI(t, env, "config", "print")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if strings.Contains(out, "very-secret-value") || strings.Contains(out, "pw123456") {
		t.Fatalf("secret printed:\n%s", out)
	}
	if !strings.Contains(out, "secret: '******'") && !strings.Contains(out, `secret: "******"`) && !strings.Contains(out, "secret: '******'") {
		t.Fatalf("mask missing:\n%s", out)
	}
}

func TestUsageAndVersion(t *testing.T) {
	if code, _, stderr := runCLI(t, nil); code != 2 || !strings.Contains(stderr, "usage: visitbot") {
		t.Fatalf("no args: %d %q", code, stderr)
	}
	if code, _, stderr := runCLI(t, nil, "frobnicate"); code != 2 || !strings.Contains(stderr, "unknown command") {
		t.Fatalf("unknown: %d %q", code, stderr)
	}
	if code, out, _ := runCLI(t, nil, "version"); code != 0 || !strings.HasPrefix(out, "visitbot ") {
		t.Fatalf("version: %d %q", code, out)
	}
	if code, _, _ := runCLI(t, nil, "migrate", "-h"); code != 0 {
		t.Fatalf("-h exit %d", code)
	}
}

func TestMigrateTwice(t *testing.T) {
	env := []string{"VISITBOT_DATABASE_DSN=" + filepath.Join(t.TempDir(), "vb.db")}
	for i := 0; i < 2; i++ {
		code, out, stderr := runCLI(t, env, "migrate")
		if code != 0 || !strings.Contains(out, "0001_initial") {
			t.Fatalf("migrate #%d: %d %q %q", i+1, code, out, stderr)
		}
	}
}

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
	env := &cliEnv{stdout: io.Discard, stderr: io.Discard}
	go func() {
		done <- serve(ctx, env, cfg, func(_ context.Context, _ *app, bound string) error {
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
