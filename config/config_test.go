package config

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

// The documented config.yaml must say exactly what the code defaults are.
func TestRepoConfigYAMLMatchesDefaults(t *testing.T) {
	got, err := Load(filepath.Join("..", "config.yaml"), true, nil)
	if err != nil {
		t.Fatal(err)
	}
	if want := Default(); !reflect.DeepEqual(got, want) {
		gy, _ := got.YAML()
		wy, _ := want.YAML()
		t.Fatalf("config.yaml differs from Default():\n--- yaml\n%s\n--- defaults\n%s", gy, wy)
	}
}

func TestDefaultsValidate(t *testing.T) {
	if err := Default().Validate(); err != nil {
		t.Fatal(err)
	}
}

func TestEnvOverrides(t *testing.T) {
	env := []string{
		"VISITBOT_DATABASE_DSN=root@tcp(db:3306)/vb",
		"VISITBOT_DATABASE_DRIVER=mysql",
		"VISITBOT_WECOM_ENCODING_AES_KEY=jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C",
		"VISITBOT_WECOM_AGENT_ID=1000002",
		"VISITBOT_RANKING_WEIGHTS_LECTURE=0.4",
		"VISITBOT_CONSOLE_ENABLED=true",
		"VISITBOT_WECOM_CALLBACK_WINDOW=3m",
		"VISITBOT_JOBS_MORNING_PUSH_SCHEDULE=27 7 * * 1-5",
		"VISITBOT_JOBS_MORNING_PUSH_ENABLED=false",
		"OTHER=ignored",
	}
	c, err := Load("does-not-exist.yaml", false, env)
	if err != nil {
		t.Fatal(err)
	}
	if c.Database.DSN != "root@tcp(db:3306)/vb" || c.Database.Driver != "mysql" {
		t.Errorf("database = %+v", c.Database)
	}
	if c.WeCom.EncodingAESKey == "" || c.WeCom.AgentID != 1000002 || c.WeCom.CallbackWindow != 3*time.Minute {
		t.Errorf("wecom = %+v", c.WeCom)
	}
	if c.Ranking.Weights["lecture"] != 0.4 || c.Ranking.Weights["visit"] != 0.15 {
		t.Errorf("weights = %v", c.Ranking.Weights)
	}
	if !c.Console.Enabled {
		t.Error("console not enabled")
	}
	if j := c.Jobs["morning_push"]; j.Schedule != "27 7 * * 1-5" || j.IsEnabled() {
		t.Errorf("morning_push = %+v", j)
	}
	if !c.Jobs["nightly_scores"].IsEnabled() {
		t.Error("nightly_scores should stay enabled")
	}
}

func TestEnvBadValueNamesKey(t *testing.T) {
	_, err := Load("none.yaml", false, []string{"VISITBOT_WECOM_AGENT_ID=abc"})
	if err == nil || !strings.Contains(err.Error(), "wecom.agent_id") || !strings.Contains(err.Error(), "VISITBOT_WECOM_AGENT_ID") {
		t.Fatalf("err = %v", err)
	}
}

func TestValidationNamesTheKey(t *testing.T) {
	cases := []struct {
		key    string
		mutate func(*Config)
	}{
		{"database.driver", func(c *Config) { c.Database.Driver = "oracle" }},
		{"database.dsn", func(c *Config) { c.Database.DSN = " " }},
		{"server.addr", func(c *Config) { c.Server.Addr = "localhost" }},
		{"server.addr", func(c *Config) { c.Server.Addr = ":99999" }},
		{"server.public_url", func(c *Config) { c.Server.PublicURL = "ftp://x" }},
		{"timezone", func(c *Config) { c.Timezone = "Mars/Base" }},
		{"log.level", func(c *Config) { c.Log.Level = "loud" }},
		{"wecom.encoding_aes_key", func(c *Config) { c.WeCom.EncodingAESKey = "short" }},
		{"wecom.corp_id", func(c *Config) { c.WeCom.Enabled = true }},
		{"wecom.api_base", func(c *Config) { c.WeCom.APIBase = "not a url" }},
		{"wecom.duplicate_check_interval", func(c *Config) { c.WeCom.DuplicateCheckInterval = 5 * time.Hour }},
		{"wecom.duplicate_check_interval", func(c *Config) { c.WeCom.DuplicateCheckInterval = 1500 * time.Millisecond }},
		{"wecom.duplicate_check_interval", func(c *Config) { c.Outbox.ClaimTTL = time.Hour }}, // 30m default no longer covers the claim
		{"wecom.duplicate_check_interval", func(c *Config) { c.Outbox.MaxBackoff = time.Hour }},
		{"dingtalk.mode", func(c *Config) { c.DingTalk.Mode = "carrier-pigeon" }},
		{"dingtalk.app_key", func(c *Config) { c.DingTalk.Enabled = true }},
		{"ranking.top_n", func(c *Config) { c.Ranking.TopN = 0 }},
		{"ranking.weights.charisma", func(c *Config) { c.Ranking.Weights["charisma"] = 1 }},
		{"ranking.tier_percentiles", func(c *Config) { c.Ranking.TierPercentiles.A = 0.95 }},
		{"ranking.weights.competitor", func(c *Config) { c.Ranking.Weights["competitor"] = -11 }},
		{"ranking.call_targets.a", func(c *Config) { c.Ranking.CallTargets.A = -1 }},
		{"ranking.due_boost", func(c *Config) { c.Ranking.DueBoost = 5 }},
		{"ranking.rest_days", func(c *Config) { c.Ranking.RestDays = -1 }},
		{"ranking.route.speed_kmh", func(c *Config) { c.Ranking.Route.SpeedKMH = 0 }},
		{"ranking.route.road_factor", func(c *Config) { c.Ranking.Route.RoadFactor = 0.5 }},
		{"ranking.route.travel_budget_minutes", func(c *Config) { c.Ranking.Route.TravelBudgetMinutes = 0 }},
		{"ranking.route.km_per_day", func(c *Config) { c.Ranking.Route.KMPerDay = -1 }},
		{"ranking.route.visit_minutes", func(c *Config) { c.Ranking.Route.VisitMinutes = -5 }},
		{"ranking.route.period_minutes", func(c *Config) { c.Ranking.Route.PeriodMinutes = 30 }},
		{"jobs.morning_push.schedule", func(c *Config) { c.Jobs["morning_push"] = JobConfig{Schedule: "every morning"} }},
		{"jobs.coffee", func(c *Config) { c.Jobs["coffee"] = JobConfig{Schedule: "0 9 * * *"} }},
		{"outbox.per_member_per_minute", func(c *Config) { c.Outbox.PerMemberPerMinute = 31 }},
		{"visits.geofence_m", func(c *Config) { c.Visits.GeofenceM = 0 }},
		{"alerts.quiet_start", func(c *Config) { c.Alerts.QuietStart = "9pm" }},
		{"alerts.cooldown", func(c *Config) { c.Alerts.Cooldown = time.Minute }},
		{"alerts.merge_window", func(c *Config) { c.Alerts.MergeWindow = 0 }},
		{"alerts.flow_drop_pct", func(c *Config) { c.Alerts.FlowDropPct = 100 }},
		{"alerts.flow_min_base", func(c *Config) { c.Alerts.FlowMinBase = -1 }},
		{"alerts.plan_match_min", func(c *Config) { c.Alerts.PlanMatchMin = 1.2 }},
		{"alerts.plan_min_planned", func(c *Config) { c.Alerts.PlanMinPlanned = 0 }},
		{"alerts.plan_off_level_pct", func(c *Config) { c.Alerts.PlanOffLevelPct = 0 }},
		{"ingest.clients.crm", func(c *Config) { c.Ingest.Clients = map[string]string{"crm": "short"} }},
		{"retention.delivery_days", func(c *Config) { c.Retention.DeliveryDays = 3 }}, // shorter than alerts.cooldown (7 days)
		{"retention.outbox_days", func(c *Config) { c.Retention.OutboxDays = 0 }},
		{"import.lang", func(c *Config) { c.Import.Lang = "fr" }},
		{"import.max_upload_bytes", func(c *Config) { c.Import.MaxUploadBytes = 0 }},
	}
	for _, tc := range cases {
		c := Default()
		c.Ranking = c.Ranking.clone()
		c.Jobs = JobsConfig{"nightly_scores": c.Jobs["nightly_scores"], "morning_push": c.Jobs["morning_push"]}
		tc.mutate(&c)
		err := c.Validate()
		var fe *FieldError
		if !errors.As(err, &fe) || fe.Key != tc.key {
			t.Errorf("%s: err = %v", tc.key, err)
			continue
		}
		if strings.Contains(err.Error(), "\n") {
			t.Errorf("%s: error is not one line: %q", tc.key, err)
		}
	}
}

func TestRedactedMasksSecrets(t *testing.T) {
	c := Default()
	c.Database.Driver = "mysql"
	c.Database.DSN = "visitbot:hunter2@tcp(db:3306)/visitbot"
	c.WeCom.Secret = "wecom-secret-value"
	c.WeCom.Token = "tok"
	c.DingTalk.AppSecret = "dt-secret"
	c.Ingest.Clients = map[string]string{"crm": "0123456789abcdef-secret"}
	out, err := c.YAML()
	if err != nil {
		t.Fatal(err)
	}
	for _, secret := range []string{"hunter2", "wecom-secret-value", "dt-secret", "0123456789abcdef-secret", "token: tok"} {
		if strings.Contains(out, secret) {
			t.Errorf("printed config leaks %q", secret)
		}
	}
	if !strings.Contains(out, "visitbot:******@tcp(db:3306)/visitbot") || !strings.Contains(out, "crm: '******'") && !strings.Contains(out, `crm: "******"`) {
		t.Errorf("masked values not shown:\n%s", out)
	}
	if c.WeCom.Secret != "wecom-secret-value" || c.Ingest.Clients["crm"] != "0123456789abcdef-secret" {
		t.Error("Redacted mutated the original config")
	}
}

func TestExplicitMissingFileFails(t *testing.T) {
	if _, err := Load(filepath.Join(t.TempDir(), "nope.yaml"), true, nil); err == nil {
		t.Fatal("want error for explicit missing file")
	}
	bad := filepath.Join(t.TempDir(), "bad.yaml")
	if err := os.WriteFile(bad, []byte("server: [unclosed"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(bad, true, nil); err == nil {
		t.Fatal("want error for malformed YAML")
	}
}

func TestUnknownKeyInFileFails(t *testing.T) {
	p := filepath.Join(t.TempDir(), "typo.yaml")
	if err := os.WriteFile(p, []byte("databse:\n  driver: mysql\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := Load(p, true, nil)
	if err == nil || !strings.Contains(err.Error(), "databse") || strings.Contains(err.Error(), "\n") {
		t.Fatalf("err = %v", err)
	}
}
