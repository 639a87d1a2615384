package config

import (
	"encoding/base64"
	"fmt"
	"math"
	"net"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"
	"visitbot/clock"
	"visitbot/signals"
)

// FieldError names the key that is wrong, so startup fails with one clear line.
type FieldError struct {
	Key     string
	Message string
}

func (e *FieldError) Error() string { return fmt.Sprintf("config %s: %s", e.Key, e.Message) }

func bad(key, format string, args ...any) error {
	return &FieldError{Key: key, Message: fmt.Sprintf(format, args...)}
}

// Validate reports the first wrong key. It checks shape, not reachability.
func (c Config) Validate() error {
	if err := validateAddr("server.addr", c.Server.Addr); err != nil {
		return err
	}
	if c.Server.PublicURL != "" {
		if err := validateURL("server.public_url", c.Server.PublicURL); err != nil {
			return err
		}
	}
	if c.Server.ShutdownTimeout <= 0 {
		return bad("server.shutdown_timeout", "must be positive, got %s", c.Server.ShutdownTimeout)
	}
	if c.Server.MaxBodyBytes < 1024 {
		return bad("server.max_body_bytes", "must be at least 1024, got %d", c.Server.MaxBodyBytes)
	}
	switch c.Database.Driver {
	case "sqlite", "mysql":
	default:
		return bad("database.driver", "must be sqlite or mysql, got %q", c.Database.Driver)
	}
	if strings.TrimSpace(c.Database.DSN) == "" {
		return bad("database.dsn", "must not be empty")
	}
	if c.Database.MaxOpenConns < 1 {
		return bad("database.max_open_conns", "must be at least 1, got %d", c.Database.MaxOpenConns)
	}
	if _, err := time.LoadLocation(c.Timezone); err != nil || c.Timezone == "" {
		return bad("timezone", "unknown time zone %q (use an IANA name such as Asia/Shanghai)", c.Timezone)
	}
	switch strings.ToLower(c.Log.Level) {
	case "debug", "info", "warn", "error":
	default:
		return bad("log.level", "must be debug, info, warn or error, got %q", c.Log.Level)
	}
	switch c.Log.Format {
	case "json", "text":
	default:
		return bad("log.format", "must be json or text, got %q", c.Log.Format)
	}
	if err := c.WeCom.validate(); err != nil {
		return err
	}
	if d := c.WeCom.DuplicateCheckInterval; d < c.Outbox.ClaimTTL || d < c.Outbox.MaxBackoff {
		return bad("wecom.duplicate_check_interval", "must be at least outbox.claim_ttl (%s) and outbox.max_backoff (%s), or a resent message shows twice; got %s",
			c.Outbox.ClaimTTL, c.Outbox.MaxBackoff, d)
	}
	if err := c.DingTalk.validate(); err != nil {
		return err
	}
	if err := c.Ranking.validate(); err != nil {
		return err
	}
	if err := c.Jobs.validate(); err != nil {
		return err
	}
	if err := c.Outbox.Validate(); err != nil {
		return err
	}
	if c.Visits.GeofenceM <= 0 || c.Visits.GeofenceM > 50000 {
		return bad("visits.geofence_m", "must be between 1 and 50000 metres, got %v", c.Visits.GeofenceM)
	}
	if err := c.Visits.validate(); err != nil {
		return err
	}
	if c.Alerts.SilentKOLDays < 1 {
		return bad("alerts.silent_kol_days", "must be at least 1, got %d", c.Alerts.SilentKOLDays)
	}
	if err := c.Alerts.validate(); err != nil {
		return err
	}
	for _, k := range []struct{ key, v string }{{"alerts.quiet_start", c.Alerts.QuietStart}, {"alerts.quiet_end", c.Alerts.QuietEnd}} {
		if k.v == "" {
			continue
		}
		if _, err := time.Parse("15:04", k.v); err != nil {
			return bad(k.key, "must be HH:MM, got %q", k.v)
		}
	}
	if err := c.Import.validate(); err != nil {
		return err
	}
	if err := c.Retention.validate(c.Alerts); err != nil {
		return err
	}
	if c.Ingest.Window <= 0 {
		return bad("ingest.window", "must be positive")
	}
	for id, secret := range c.Ingest.Clients {
		if len(secret) < 16 {
			return bad("ingest.clients."+id, "secret must be at least 16 characters")
		}
	}
	if err := c.Web.validate(); err != nil {
		return err
	}
	return nil
}

func validateAddr(key, addr string) error {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return bad(key, "must be host:port or :port, got %q", addr)
	}
	if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
		return bad(key, "port must be 0-65535, got %q", port)
	}
	if strings.ContainsAny(host, " /") {
		return bad(key, "invalid host %q", host)
	}
	return nil
}

func validateURL(key, raw string) error {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return bad(key, "must be an absolute http(s) URL, got %q", raw)
	}
	return nil
}

func (w WeComConfig) validate() error {
	if err := validateURL("wecom.api_base", w.APIBase); err != nil {
		return err
	}
	if w.CallbackWindow <= 0 {
		return bad("wecom.callback_window", "must be positive")
	}
	if w.TokenCache != "database" && w.TokenCache != "memory" {
		return bad("wecom.token_cache", "must be database or memory, got %q", w.TokenCache)
	}
	if w.HTTPTimeout <= 0 {
		return bad("wecom.http_timeout", "must be positive, got %s", w.HTTPTimeout)
	}
	if d := w.DuplicateCheckInterval; d <= 0 || d > WeComMaxDuplicateCheckInterval || d%time.Second != 0 {
		return bad("wecom.duplicate_check_interval", "must be whole seconds up to %s (WeCom's limit), got %s", WeComMaxDuplicateCheckInterval, d)
	}
	if w.EncodingAESKey != "" {
		if len(w.EncodingAESKey) != 43 {
			return bad("wecom.encoding_aes_key", "must be 43 characters, got %d", len(w.EncodingAESKey))
		}
		if _, err := base64.StdEncoding.DecodeString(w.EncodingAESKey + "="); err != nil {
			return bad("wecom.encoding_aes_key", "is not valid base64")
		}
	}
	if !w.Enabled {
		return nil
	}
	for _, k := range []struct{ key, v string }{{"wecom.corp_id", w.CorpID}, {"wecom.secret", w.Secret}, {"wecom.token", w.Token}, {"wecom.encoding_aes_key", w.EncodingAESKey}} {
		if k.v == "" {
			return bad(k.key, "is required when wecom.enabled is true")
		}
	}
	if w.AgentID <= 0 {
		return bad("wecom.agent_id", "must be a positive integer when wecom.enabled is true")
	}
	return nil
}

func (d DingTalkConfig) validate() error {
	if err := validateURL("dingtalk.api_base", d.APIBase); err != nil {
		return err
	}
	if err := validateURL("dingtalk.oapi_base", d.OAPIBase); err != nil {
		return err
	}
	switch d.Mode {
	case "http", "stream":
	default:
		return bad("dingtalk.mode", "must be http or stream, got %q", d.Mode)
	}
	if d.EventAESKey != "" && len(d.EventAESKey) != 43 {
		return bad("dingtalk.event_aes_key", "must be 43 characters, got %d", len(d.EventAESKey))
	}
	if !d.Enabled {
		return nil
	}
	for _, k := range []struct{ key, v string }{{"dingtalk.app_key", d.AppKey}, {"dingtalk.app_secret", d.AppSecret}, {"dingtalk.robot_code", d.RobotCode}} {
		if k.v == "" {
			return bad(k.key, "is required when dingtalk.enabled is true")
		}
	}
	if d.CardCallbackToken != "" && len(d.CardCallbackToken) < 16 {
		return bad("dingtalk.card_callback_token", "must be at least 16 characters (it is the only secret of the card callback URL)")
	}
	return nil
}

func (r RankingConfig) validate() error {
	if r.TopN < 1 || r.TopN > 10 {
		return bad("ranking.top_n", "must be 1-10 (a card shows at most a handful), got %d", r.TopN)
	}
	if r.CooldownDays < 0 {
		return bad("ranking.cooldown_days", "must not be negative")
	}
	if r.HalfLifeDays <= 0 {
		return bad("ranking.half_life_days", "must be positive")
	}
	known := map[string]bool{}
	for _, c := range signals.Keys() {
		known[c] = true
	}
	for k, v := range r.Weights {
		if !known[k] {
			return bad("ranking.weights."+k, "unknown signal class (known: %s)", strings.Join(signals.Keys(), ", "))
		}
		if math.IsNaN(v) || v < -10 || v > 10 {
			return bad("ranking.weights."+k, "must be between -10 and 10 (negative: the class goes with lower value in this market), got %v", v)
		}
	}
	for i, rule := range r.Rules {
		key := fmt.Sprintf("ranking.rules[%d]", i)
		if rule.Name == "" {
			return bad(key+".name", "must not be empty")
		}
		if !known[rule.Class] {
			return bad(key+".class", "unknown signal class %q", rule.Class)
		}
		if rule.Multiply < 0 {
			return bad(key+".multiply", "must not be negative")
		}
	}
	p := r.TierPercentiles
	if !(0 < p.B && p.B < p.A && p.A < p.S && p.S < 1) {
		return bad("ranking.tier_percentiles", "must satisfy 0 < b < a < s < 1, got s=%v a=%v b=%v", p.S, p.A, p.B)
	}
	if r.TierHysteresis < 0 || r.TierHysteresis > 0.2 {
		return bad("ranking.tier_hysteresis", "must be between 0 and 0.2, got %v", r.TierHysteresis)
	}
	return r.validatePlanning()
}

// validatePlanning checks the call targets and the route settings.
func (r RankingConfig) validatePlanning() error {
	for _, t := range []struct {
		tier string
		days int
	}{{"s", r.CallTargets.S}, {"a", r.CallTargets.A}, {"b", r.CallTargets.B}, {"c", r.CallTargets.C}} {
		if t.days < 0 || t.days > 365 {
			return bad("ranking.call_targets."+t.tier, "must be 0-365 days (0 = when a signal fires), got %d", t.days)
		}
	}
	if r.DueBoost < 0 || r.DueBoost > 2 {
		return bad("ranking.due_boost", "must be between 0 and 2, got %v", r.DueBoost)
	}
	if r.RestDays < 0 || r.RestDays > 30 {
		return bad("ranking.rest_days", "must be 0-30, got %d", r.RestDays)
	}
	rt := r.Route
	switch {
	case !(rt.SpeedKMH >= 1 && rt.SpeedKMH <= 200):
		return bad("ranking.route.speed_kmh", "must be between 1 and 200, got %v", rt.SpeedKMH)
	case !(rt.RoadFactor >= 1 && rt.RoadFactor <= 3):
		return bad("ranking.route.road_factor", "must be between 1 and 3, got %v", rt.RoadFactor)
	case !(rt.TravelBudgetMinutes > 0 && rt.TravelBudgetMinutes <= 600):
		return bad("ranking.route.travel_budget_minutes", "must be more than 0 and at most 600, got %v", rt.TravelBudgetMinutes)
	case !(rt.KMPerDay >= 0 && rt.KMPerDay <= 500):
		return bad("ranking.route.km_per_day", "must be between 0 and 500, got %v", rt.KMPerDay)
	case !(rt.VisitMinutes >= 0 && rt.VisitMinutes <= 240):
		return bad("ranking.route.visit_minutes", "must be between 0 and 240, got %v", rt.VisitMinutes)
	case !(rt.PeriodMinutes >= 60 && rt.PeriodMinutes <= 480):
		return bad("ranking.route.period_minutes", "must be between 60 and 480, got %v", rt.PeriodMinutes)
	}
	return nil
}

func (j JobsConfig) validate() error {
	// The shipped jobs are those with a default schedule (defaultJobs); the
	// scheduler checks again that each is registered.
	defaults := defaultJobs()
	known := map[string]bool{}
	var names []string
	for n := range defaults {
		known[n] = true
		names = append(names, n)
	}
	sort.Strings(names)
	for name, job := range j {
		if !known[name] {
			return bad("jobs."+name, "unknown job (known: %s)", strings.Join(names, ", "))
		}
		if _, err := clock.ParseSchedule(job.Schedule); err != nil {
			return bad("jobs."+name+".schedule", "%v", err)
		}
	}
	return nil
}

// WeComMemberPerMinute and DingTalkQPSMax are the platform limits the outbox
// settings must stay under (specs/wecom.md doc 90312: ≤30 messages per
// minute per member, the excess dropped silently; specs/dingtalk.md: 20
// calls per second per API on the standard edition).
const (
	WeComMemberPerMinute = 30
	DingTalkQPSMax       = 20
)

// OutboxMaxWorkers bounds outbox.workers (and the size computed for 0): more
// concurrent sends than this only hold database connections while they wait
// for the pacing limiter.
const OutboxMaxWorkers = 64

// Validate is the one check of the outbox settings: config loading and the
// dispatcher (which may be built without a loaded config, in tests) call it.
func (o OutboxConfig) Validate() error {
	if o.Workers < 0 || o.Workers > OutboxMaxWorkers {
		return bad("outbox.workers", "must be 0 (sized from outbox.send_latency) or 1-%d, got %d", OutboxMaxWorkers, o.Workers)
	}
	if o.SendLatency < time.Millisecond || o.SendLatency > 10*time.Second {
		return bad("outbox.send_latency", "must be 1ms-10s, got %s", o.SendLatency)
	}
	if o.MaxAttempts < 1 {
		return bad("outbox.max_attempts", "must be at least 1")
	}
	if o.BaseBackoff <= 0 || o.MaxBackoff < o.BaseBackoff {
		return bad("outbox.base_backoff", "must be positive and not above outbox.max_backoff")
	}
	if o.PerMemberPerMinute < 1 || o.PerMemberPerMinute > WeComMemberPerMinute {
		return bad("outbox.per_member_per_minute", "must be 1-%d (WeCom drops more than %d/min/member silently), got %d", WeComMemberPerMinute, WeComMemberPerMinute, o.PerMemberPerMinute)
	}
	if o.DingTalkQPS < 1 || o.DingTalkQPS > DingTalkQPSMax {
		return bad("outbox.dingtalk_qps", "must be 1-%d (DingTalk standard edition limit), got %d", DingTalkQPSMax, o.DingTalkQPS)
	}
	if o.PollInterval <= 0 {
		return bad("outbox.poll_interval", "must be positive, got %s", o.PollInterval)
	}
	if o.ClaimTTL < 10*time.Second {
		return bad("outbox.claim_ttl", "must be at least 10s (a send must finish inside its claim), got %s", o.ClaimTTL)
	}
	return nil
}

func (v VisitsConfig) validate() error {
	if v.NoteWindow <= 0 {
		return bad("visits.note_window", "must be positive")
	}
	if v.LocationMaxAge <= 0 {
		return bad("visits.location_max_age", "must be positive")
	}
	lists := []struct {
		key  string
		opts []string
		max  int
	}{
		{"visits.feedback_options.concerns", v.FeedbackOptions.Concerns, 10},
		{"visits.feedback_options.objections", v.FeedbackOptions.Objections, 10},
		{"visits.feedback_options.follow_ups", v.FeedbackOptions.FollowUps, 10},
		{"visits.feedback_options.commitments", v.FeedbackOptions.Commitments, 20},
	}
	for _, l := range lists {
		// WeCom: select_list options 1-10 (text ≤16), checkbox options 1-20 (text ≤17).
		if len(l.opts) < 1 || len(l.opts) > l.max {
			return bad(l.key, "needs 1-%d options (WeCom card limit), got %d", l.max, len(l.opts))
		}
		seen := map[string]bool{}
		for _, o := range l.opts {
			if o == "" || len([]rune(o)) > 16 || seen[o] {
				return bad(l.key, "option %q must be 1-16 characters and unique", o)
			}
			seen[o] = true
		}
	}
	for opt, days := range v.FollowUpDays {
		if days < 1 || days > 365 {
			return bad("visits.follow_up_days."+opt, "must be 1-365 days, got %d", days)
		}
	}
	q := v.QualityWeights
	for _, w := range []float64{q.Completeness, q.Commitment, q.FollowUp, q.OnPlan, q.Verified, q.KOL} {
		if w < 0 {
			return bad("visits.quality_weights", "weights must not be negative")
		}
	}
	if s := q.Sum(); s < 99.999 || s > 100.001 {
		return bad("visits.quality_weights", "must sum to 100, got %v", s)
	}
	return nil
}

func (a AlertsConfig) validate() error {
	if a.RealtimeMaxAge <= 0 {
		return bad("alerts.realtime_max_age", "must be positive, got %s", a.RealtimeMaxAge)
	}
	switch {
	case a.Cooldown < time.Hour:
		return bad("alerts.cooldown", "must be at least 1h, got %s", a.Cooldown)
	case a.MergeWindow < time.Second || a.MergeWindow > time.Hour:
		return bad("alerts.merge_window", "must be between 1s and 1h, got %s", a.MergeWindow)
	case a.FlowDropPct <= 0 || a.FlowDropPct >= 100:
		return bad("alerts.flow_drop_pct", "must be between 0 and 100 (exclusive), got %v", a.FlowDropPct)
	case a.FlowMinBase < 0:
		return bad("alerts.flow_min_base", "must not be negative, got %v", a.FlowMinBase)
	case a.PlanMatchMin <= 0 || a.PlanMatchMin > 1:
		return bad("alerts.plan_match_min", "must be in (0, 1], got %v", a.PlanMatchMin)
	case a.PlanMinPlanned < 1:
		return bad("alerts.plan_min_planned", "must be at least 1, got %d", a.PlanMinPlanned)
	case a.PlanOffLevelPct <= 0 || a.PlanOffLevelPct > 100:
		return bad("alerts.plan_off_level_pct", "must be in (0, 100], got %v", a.PlanOffLevelPct)
	}
	return nil
}
