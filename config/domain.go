package config

import (
	"maps"
	"time"
	"visitbot/signals"
)

// RankingConfig drives the heat index, tiers and the daily Top-N.
type RankingConfig struct {
	TopN         int                `yaml:"top_n"`
	CooldownDays int                `yaml:"cooldown_days"`
	Weights      map[string]float64 `yaml:"weights"`
	// HalfLifeDays is the time-decay half-life of event signals.
	HalfLifeDays float64 `yaml:"half_life_days"`
	// Rules are declarative multipliers/boosts; see ranking.Rule.
	Rules []RuleConfig `yaml:"rules"`
	// TierPercentiles are the lower heat percentiles of S, A, B within a territory.
	TierPercentiles TierPercentiles `yaml:"tier_percentiles"`
	// TierHysteresis is the percentile margin a doctor must cross before changing tier.
	TierHysteresis float64 `yaml:"tier_hysteresis"`
	// CallTargets are the call-frequency targets per dynamic tier (cycle plans).
	CallTargets CallTargets `yaml:"call_targets"`
	// DueBoost b: a doctor due against the tier's target gains value
	// (×(1+b/2) at the target, up to ×(1+b) at twice it); one not yet due
	// waits (×(1-b/2) just after a contact).
	DueBoost float64 `yaml:"due_boost"`
	// RestDays is how long a doctor recommended but not visited is kept off
	// the lists (a manager's 指派 and due follow-ups do not wait). The default
	// 0 leaves the waiting to the due factor: a list counts as a contact, so
	// a doctor listed yesterday starts again at ×(1-b/2) — on the simulated
	// markets this lists more high-value doctors than a hard rest day.
	RestDays int `yaml:"rest_days"`
	// Route plans the day: travel time from coordinates and the day's budget.
	Route RouteConfig `yaml:"route"`
}

// CallTargets are days between calls per tier; 0 means "when a signal
// fires" (due when the doctor has a new positive signal since the last visit).
type CallTargets struct {
	S int `yaml:"s"`
	A int `yaml:"a"`
	B int `yaml:"b"`
	C int `yaml:"c"`
}

// RouteConfig turns coordinates into travel time and bounds the day: the
// Top-N is the set of doctors of highest total value whose route fits.
type RouteConfig struct {
	// SpeedKMH is the average door-to-door speed on roads.
	SpeedKMH float64 `yaml:"speed_kmh"`
	// RoadFactor is road distance over straight-line distance (≥ 1).
	RoadFactor float64 `yaml:"road_factor"`
	// TravelBudgetMinutes is the day's driving from the start point through
	// every stop; a doctor overdue against the tier target may be reached
	// beyond it (the way to them is not counted).
	TravelBudgetMinutes float64 `yaml:"travel_budget_minutes"`
	// KMPerDay is the mean road km a rep's days should not exceed: a rep
	// whose latest planned days averaged more plans the next on a shorter
	// budget (down to half; ranking.RouteOptions.Allowance), whatever the
	// territory's spread (0: the fixed budget alone).
	KMPerDay float64 `yaml:"km_per_day"`
	// VisitMinutes is the time one visit takes at a hospital.
	VisitMinutes float64 `yaml:"visit_minutes"`
	// PeriodMinutes is the length of a clinic half-day (AM or PM): its visits
	// and the driving to them must fit.
	PeriodMinutes float64 `yaml:"period_minutes"`
}

// RuleConfig is one configured signal rule, e.g. two consecutive online
// lectures → lecture sub-score ×1.3.
type RuleConfig struct {
	Name        string  `yaml:"name"`
	When        string  `yaml:"when"`
	Count       int     `yaml:"count"`
	WithinDays  int     `yaml:"within_days"`
	Class       string  `yaml:"class"`
	Multiply    float64 `yaml:"multiply"`
	Add         float64 `yaml:"add"`
	Reason      string  `yaml:"reason"`
	Consecutive bool    `yaml:"consecutive"`
}

// TierPercentiles are cut-offs in [0,1]: heat percentile ≥ S → S, ≥ A → A, ≥ B → B, else C.
type TierPercentiles struct {
	S float64 `yaml:"s"`
	A float64 `yaml:"a"`
	B float64 `yaml:"b"`
}

func defaultRanking() RankingConfig {
	return RankingConfig{
		TopN:         5,
		CooldownDays: 3,
		Weights:      signals.Weights(),
		HalfLifeDays: 30,
		Rules: []RuleConfig{
			{Name: "consecutive_lectures", When: "lecture_attend", Count: 2, Consecutive: true, Class: "lecture", Multiply: 1.3, Reason: "连续%d次参加线上讲座"},
			{Name: "clinical_trial", Count: 1, WithinDays: 365, Class: "trial", Add: 20, Reason: "参与我司临床试验"},
		},
		TierPercentiles: TierPercentiles{S: 0.90, A: 0.70, B: 0.40},
		TierHysteresis:  0.03,
		CallTargets:     CallTargets{S: 7, A: 14, B: 30, C: 0},
		DueBoost:        0.3,
		RestDays:        0,
		Route:           RouteConfig{SpeedKMH: 30, RoadFactor: 1.3, TravelBudgetMinutes: 33, KMPerDay: 15, VisitMinutes: 20, PeriodMinutes: 210},
	}
}

func (r RankingConfig) clone() RankingConfig {
	out := r
	out.Weights = maps.Clone(r.Weights)
	out.Rules = append([]RuleConfig(nil), r.Rules...)
	return out
}

// ComplianceConfig holds the switches that protect reps and doctors.
type ComplianceConfig struct {
	// AllowDoctorLevelRx accepts doctor-level prescription counts. Off by
	// default: reps must not compile individual doctors' prescription counts.
	AllowDoctorLevelRx bool `yaml:"allow_doctor_level_rx"`
}

// JobConfig is one named cron job.
type JobConfig struct {
	Schedule string `yaml:"schedule"`
	// Enabled defaults to true when omitted.
	Enabled *bool `yaml:"enabled"`
}

// IsEnabled reports whether the job is scheduled (true unless enabled: false).
func (j JobConfig) IsEnabled() bool { return j.Enabled == nil || *j.Enabled }

// JobsConfig maps job name → schedule. Unknown names fail startup.
type JobsConfig map[string]JobConfig

func defaultJobs() JobsConfig {
	return JobsConfig{
		"nightly_scores": {Schedule: "10 2 * * *"},
		"morning_push":   {Schedule: "25 7 * * *"},
		"alert_scan":     {Schedule: "40 8 * * *"},
		"weekly_digest":  {Schedule: "45 8 * * 1"},
		"housekeeping":   {Schedule: "50 3 * * *"},
	}
}

// OutboxConfig drives the outbound dispatcher.
type OutboxConfig struct {
	// Workers is the number of concurrent sends; 0 (the default) sizes it
	// from SendLatency and the platforms' pacing (outbox.SizeWorkers), so a
	// morning push runs at the platform's limit rather than at latency × n.
	Workers int `yaml:"workers"`
	// SendLatency is the expected duration of one platform API call; with
	// Workers 0 it sizes the worker pool (too low: sends below the pacing
	// limit; too high: idle goroutines, no harm).
	SendLatency  time.Duration `yaml:"send_latency"`
	MaxAttempts  int           `yaml:"max_attempts"`
	BaseBackoff  time.Duration `yaml:"base_backoff"`
	MaxBackoff   time.Duration `yaml:"max_backoff"`
	PollInterval time.Duration `yaml:"poll_interval"`
	ClaimTTL     time.Duration `yaml:"claim_ttl"`
	// PerMemberPerMinute stays under WeCom's 30 messages/min/member.
	PerMemberPerMinute int `yaml:"per_member_per_minute"`
	// DingTalkQPS stays under DingTalk's per-API QPS (20 on the standard edition).
	DingTalkQPS int `yaml:"dingtalk_qps"`
}

func defaultOutbox() OutboxConfig {
	return OutboxConfig{
		Workers: 0, SendLatency: 100 * time.Millisecond, MaxAttempts: 6, BaseBackoff: 2 * time.Second, MaxBackoff: 5 * time.Minute,
		PollInterval: time.Second, ClaimTTL: time.Minute, PerMemberPerMinute: 25, DingTalkQPS: 20,
	}
}

// VisitsConfig holds check-in and feedback settings.
type VisitsConfig struct {
	GeofenceM       float64         `yaml:"geofence_m"`
	NoteWindow      time.Duration   `yaml:"note_window"`
	LocationMaxAge  time.Duration   `yaml:"location_max_age"`
	FeedbackOptions FeedbackOptions `yaml:"feedback_options"`
	// FollowUpDays maps a follow-up option to the days until it is due; an
	// option not listed (无需跟进) sets no follow-up.
	FollowUpDays map[string]int `yaml:"follow_up_days"`
	// QualityWeights are the points of the visit quality score (they sum to 100).
	QualityWeights QualityWeights `yaml:"quality_weights"`
}

// QualityWeights rewards what makes a visit useful, not the number of check-ins.
type QualityWeights struct {
	Completeness float64 `yaml:"completeness"`
	Commitment   float64 `yaml:"commitment"`
	FollowUp     float64 `yaml:"follow_up"`
	OnPlan       float64 `yaml:"on_plan"`
	Verified     float64 `yaml:"verified"`
	KOL          float64 `yaml:"kol"`
}

// Sum is the maximum score.
func (q QualityWeights) Sum() float64 {
	return q.Completeness + q.Commitment + q.FollowUp + q.OnPlan + q.Verified + q.KOL
}

// FeedbackOptions are the tap-only answers of the visit feedback form (shared specs/domain.md).
type FeedbackOptions struct {
	Concerns    []string `yaml:"concerns"`
	Objections  []string `yaml:"objections"`
	Commitments []string `yaml:"commitments"`
	FollowUps   []string `yaml:"follow_ups"`
}

func defaultVisits() VisitsConfig {
	return VisitsConfig{
		GeofenceM: 500, NoteWindow: 30 * time.Minute, LocationMaxAge: 5 * time.Minute,
		FeedbackOptions: FeedbackOptions{
			Concerns:    []string{"疗效", "安全性", "价格与医保", "用法用量", "循证证据", "患者依从性", "竞品对比", "其他"},
			Objections:  []string{"无异议", "疗效存疑", "安全顾虑", "价格或医保", "已用竞品", "进院受限", "时间不便", "其他"},
			Commitments: []string{"试用处方", "提交进院申请", "参加学术会议", "转介同事", "提供病例反馈", "无"},
			FollowUps:   []string{"3天内", "1周", "2周", "1个月", "无需跟进"},
		},
		FollowUpDays:   map[string]int{"3天内": 3, "1周": 7, "2周": 14, "1个月": 30},
		QualityWeights: QualityWeights{Completeness: 25, Commitment: 25, FollowUp: 15, OnPlan: 15, Verified: 10, KOL: 10},
	}
}

// AlertsConfig holds manager-alert thresholds.
type AlertsConfig struct {
	SilentKOLDays int           `yaml:"silent_kol_days"`
	Cooldown      time.Duration `yaml:"cooldown"`
	QuietStart    string        `yaml:"quiet_start"`
	QuietEnd      string        `yaml:"quiet_end"`
	// MergeWindow merges the alerts due to one manager within this window
	// into one card with a count (no spam).
	MergeWindow time.Duration `yaml:"merge_window"`
	// FlowDropPct is the month-over-month drop (percent) of a key
	// hospital × department's flow data that raises an alert.
	FlowDropPct float64 `yaml:"flow_drop_pct"`
	// FlowMinBase ignores departments whose previous month was smaller (noise).
	FlowMinBase float64 `yaml:"flow_min_base"`
	// PlanMatchMin is the weekly plan-vs-actual match rate (0..1) under which a rep's plan drift is reported.
	PlanMatchMin float64 `yaml:"plan_match_min"`
	// PlanMinPlanned is the fewest planned visits in the week for the match rate to count.
	PlanMinPlanned int `yaml:"plan_min_planned"`
	// PlanOffLevelPct is the share (percent) of check-ins at a lower hospital level than planned that is reported.
	PlanOffLevelPct float64 `yaml:"plan_off_level_pct"`
	// RealtimeMaxAge is how old a newly imported or ingested signal may be
	// and still raise a real-time alert: older ones are history (an import of
	// six months raises no storm); the daily scan still sees them.
	RealtimeMaxAge time.Duration `yaml:"realtime_max_age"`
}

func defaultAlerts() AlertsConfig {
	return AlertsConfig{SilentKOLDays: 14, Cooldown: 7 * 24 * time.Hour, QuietStart: "21:00", QuietEnd: "08:00",
		MergeWindow: time.Minute, FlowDropPct: 30, FlowMinBase: 50, PlanMatchMin: 0.6, PlanMinPlanned: 5, PlanOffLevelPct: 30,
		RealtimeMaxAge: 48 * time.Hour}
}

// IngestConfig is the connector API (/api/v1).
type IngestConfig struct {
	// Clients maps API key id → shared secret for HMAC-SHA256 request signing.
	Clients      map[string]string `yaml:"clients" secret:"true"`
	Window       time.Duration     `yaml:"window"`
	MaxBodyBytes int64             `yaml:"max_body_bytes"`
	RatePerMin   int               `yaml:"rate_per_min"`
}

func defaultIngest() IngestConfig {
	return IngestConfig{Clients: map[string]string{}, Window: 5 * time.Minute, MaxBodyBytes: 4 << 20, RatePerMin: 120}
}
