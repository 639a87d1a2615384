package config

// RetentionConfig says how long bookkeeping rows are kept; the daily
// housekeeping job deletes older ones so tables do not grow forever.
type RetentionConfig struct {
	// DeliveryDays keeps inbound delivery keys (dedupe of platform retries,
	// ingest replay guard, alert race guard); at least alerts.cooldown.
	DeliveryDays int `yaml:"delivery_days"`
	// OutboxDays keeps sent outbox rows (dead letters stay until replayed).
	OutboxDays int `yaml:"outbox_days"`
	// JobRunDays keeps the job run history.
	JobRunDays int `yaml:"job_run_days"`
	// RawEventDays keeps unhandled inbound events kept for diagnosis.
	RawEventDays int `yaml:"raw_event_days"`
	// ConsoleDays keeps console chat lines.
	ConsoleDays int `yaml:"console_days"`
}

func defaultRetention() RetentionConfig {
	return RetentionConfig{DeliveryDays: 14, OutboxDays: 30, JobRunDays: 90, RawEventDays: 30, ConsoleDays: 30}
}

func (r RetentionConfig) validate(alerts AlertsConfig) error {
	for _, k := range []struct {
		key  string
		days int
	}{{"retention.delivery_days", r.DeliveryDays}, {"retention.outbox_days", r.OutboxDays}, {"retention.job_run_days", r.JobRunDays},
		{"retention.raw_event_days", r.RawEventDays}, {"retention.console_days", r.ConsoleDays}} {
		if k.days < 1 || k.days > 3650 {
			return bad(k.key, "must be 1-3650 days, got %d", k.days)
		}
	}
	if float64(r.DeliveryDays*24) < alerts.Cooldown.Hours() {
		return bad("retention.delivery_days", "must cover alerts.cooldown (%s): the alert race guard lives there", alerts.Cooldown)
	}
	return nil
}
