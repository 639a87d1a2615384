package config

import "time"

// WeComConfig is the self-built WeCom app (自建应用). See shared specs/wecom.md.
type WeComConfig struct {
	Enabled        bool   `yaml:"enabled"`
	CorpID         string `yaml:"corp_id"`
	AgentID        int    `yaml:"agent_id"`
	Secret         string `yaml:"secret" secret:"true"`
	Token          string `yaml:"token" secret:"true"`
	EncodingAESKey string `yaml:"encoding_aes_key" secret:"true"`
	// APIBase is https://qyapi.weixin.qq.com unless a private deployment (or a test fake) says otherwise.
	APIBase string `yaml:"api_base"`
	// CallbackWindow is how far a callback timestamp may be from now.
	CallbackWindow time.Duration `yaml:"callback_window"`
	// TokenCache is where the access token is cached: "database" (shared by
	// every replica, the default) or "memory" (one process only).
	TokenCache string `yaml:"token_cache"`
	// HTTPTimeout bounds every call to the WeCom API.
	HTTPTimeout time.Duration `yaml:"http_timeout"`
	// DuplicateCheckInterval is the duplicate_check_interval every
	// message/send carries (with enable_duplicate_check 1): WeCom shows a
	// message re-sent within it only once. It must cover outbox.claim_ttl
	// (a crashed sender's claim expires and the row is sent again) and
	// outbox.max_backoff (a timed-out send is retried after its backoff);
	// WeCom allows at most 4 hours, in whole seconds.
	DuplicateCheckInterval time.Duration `yaml:"duplicate_check_interval"`
}

// WeComMaxDuplicateCheckInterval is WeCom's ceiling for duplicate_check_interval.
const WeComMaxDuplicateCheckInterval = 4 * time.Hour

func defaultWeCom() WeComConfig {
	return WeComConfig{APIBase: "https://qyapi.weixin.qq.com", CallbackWindow: 10 * time.Minute, TokenCache: "database", HTTPTimeout: 10 * time.Second,
		DuplicateCheckInterval: 30 * time.Minute}
}

// DingTalkConfig is the enterprise-internal DingTalk app with a robot. See shared specs/dingtalk.md.
type DingTalkConfig struct {
	Enabled   bool   `yaml:"enabled"`
	AppKey    string `yaml:"app_key"`
	AppSecret string `yaml:"app_secret" secret:"true"`
	RobotCode string `yaml:"robot_code"`
	APIBase   string `yaml:"api_base"`
	OAPIBase  string `yaml:"oapi_base"`
	// Mode is "http" (callbacks to server.public_url) or "stream" (outbound WebSocket).
	Mode              string            `yaml:"mode"`
	EventToken        string            `yaml:"event_token" secret:"true"`
	EventAESKey       string            `yaml:"event_aes_key" secret:"true"`
	CardCallbackToken string            `yaml:"card_callback_token" secret:"true"`
	CardTemplates     map[string]string `yaml:"card_templates"`
}

func defaultDingTalk() DingTalkConfig {
	return DingTalkConfig{
		APIBase:       "https://api.dingtalk.com",
		OAPIBase:      "https://oapi.dingtalk.com",
		Mode:          "http",
		CardTemplates: map[string]string{},
	}
}
