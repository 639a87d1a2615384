package config

import (
	"strings"
	"testing"
	"time"
)

func TestWebConfig(t *testing.T) {
	for _, tc := range []struct {
		name string
		edit func(*WebConfig)
		key  string
	}{
		{"short secret", func(w *WebConfig) { w.SessionSecret = "too-short" }, "web.session_secret"},
		{"ttl too short", func(w *WebConfig) { w.SessionTTL = time.Second }, "web.session_ttl"},
		{"ttl too long", func(w *WebConfig) { w.SessionTTL = 31 * 24 * time.Hour }, "web.session_ttl"},
		{"authorize url", func(w *WebConfig) { w.WeComAuthorizeURL = "open.weixin.qq.com" }, "web.wecom_authorize_url"},
	} {
		c := Default()
		tc.edit(&c.Web)
		if err := c.Validate(); err == nil || !strings.Contains(err.Error(), tc.key) {
			t.Errorf("%s: err = %v, want one naming %s", tc.name, err, tc.key)
		}
	}
	c := Default()
	c.Web.SessionSecret = strings.Repeat("s", MinSessionSecret)
	if err := c.Validate(); err != nil {
		t.Fatalf("32-char secret refused: %v", err)
	}
	out, err := c.YAML()
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(out, c.Web.SessionSecret) {
		t.Error("printed config leaks web.session_secret")
	}
	env, err := Load("none.yaml", false, []string{"VISITBOT_WEB_SESSION_TTL=2h"})
	if err != nil || env.Web.SessionTTL != 2*time.Hour {
		t.Fatalf("env override: %v %s", err, env.Web.SessionTTL)
	}
}
