package config

import "time"

// MinSessionSecret is the shortest web.session_secret accepted: 32 bytes
// keep the HMAC-SHA256 session signature out of brute-force reach.
const MinSessionSecret = 32

// WebConfig is the manager dashboard and the mobile pages (/dashboard, /m/*)
// and their sign-in through WeCom OAuth2 and DingTalk 免登.
type WebConfig struct {
	// SessionSecret signs the session cookie (HMAC-SHA256). Empty: a random
	// secret is generated at startup (sessions then end with the process and
	// do not work across replicas), with a warning.
	SessionSecret string `yaml:"session_secret" secret:"true"`
	// SessionTTL is how long a sign-in lasts.
	SessionTTL time.Duration `yaml:"session_ttl"`
	// WeComAuthorizeURL is WeCom's OAuth2 authorize page; tests point it at a fake.
	WeComAuthorizeURL string `yaml:"wecom_authorize_url"`
}

func defaultWeb() WebConfig {
	return WebConfig{SessionTTL: 12 * time.Hour, WeComAuthorizeURL: "https://open.weixin.qq.com/connect/oauth2/authorize"}
}

// validate checks the web.* keys.
func (w WebConfig) validate() error {
	if w.SessionSecret != "" && len(w.SessionSecret) < MinSessionSecret {
		return bad("web.session_secret", "must be at least %d characters (or empty to generate one at startup)", MinSessionSecret)
	}
	if w.SessionTTL < time.Minute || w.SessionTTL > 30*24*time.Hour {
		return bad("web.session_ttl", "must be between 1m and 720h, got %s", w.SessionTTL)
	}
	return validateURL("web.wecom_authorize_url", w.WeComAuthorizeURL)
}
