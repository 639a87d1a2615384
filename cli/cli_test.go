package cli

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"
)

// runCLI runs the binary's entry point in-process with only the given environment.
func runCLI(t *testing.T, env []string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = Main(context.Background(), "test", args, &out, &errb, env)
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
		if code != 0 || !strings.Contains(out, "0013_setting_mediumtext") {
			t.Fatalf("migrate #%d: %d %q %q", i+1, code, out, stderr)
		}
		// A command that serves no pages does not warn about the session secret.
		if strings.Contains(stderr, "session_secret") {
			t.Fatalf("migrate warned about web.session_secret: %q", stderr)
		}
	}
}
