package models

// Store is the only door to the database: one Handle (the pool, and the
// transaction a context carries) and one store per aggregate over it. Each
// aggregate owns the queries of its tables; callers name the aggregate
// (st.Visits.DayVisits, st.Outbox.Enqueue), so a reader sees what a piece of
// code touches. It is safe for concurrent use.
type Store struct {
	*Handle
	// Users: people, their platform ids and one-time notices (consents).
	Users *UserStore
	// Doctors: the doctor profile queries of the chat (医生 <姓名>).
	Doctors *DoctorStore
	// Visits: check-ins, visits, feedback and follow-ups.
	Visits *VisitStore
	// Plans: a rep's day (recommendations accepted as planned visits, skips).
	Plans *PlanStore
	// Alerts: manager alerts, their subjects and the silent-KOL view.
	Alerts *AlertStore
	// Outbox: queued outbound messages, claims and delivery records.
	Outbox *OutboxStore
	// Ranking: what ranking reads (signals, sessions, flows) and writes (scores, tiers, lists).
	Ranking *RankingStore
	// Import: id lookups and bulk upserts of master data and signals.
	Import *ImportStore
	// Jobs: job run claims and history.
	Jobs *JobStore
	// Cards: sent interactive cards (owner, state, response codes).
	Cards *CardStore
	// Inbox: accepted deliveries (dedupe) and unhandled raw events.
	Inbox *InboxStore
	// Audit: the audit log of admin actions and refusals.
	Audit *AuditStore
	// Settings: runtime overrides and the shared token cache.
	Settings *SettingStore
	// Console: the local chat console's lines.
	Console *ConsoleStore
	// Reports: plan vs actual and team statistics.
	Reports *ReportStore
	// Housekeeping: deletion of old bookkeeping rows.
	Housekeeping *HousekeepingStore
}

// UserStore holds the users queries (users.go).
type UserStore struct{ db *Handle }

// DoctorStore holds the doctor profile queries (doctor_store.go).
type DoctorStore struct{ db *Handle }

// VisitStore holds the visit queries (visit_store.go).
type VisitStore struct{ db *Handle }

// PlanStore holds the daily plan queries (plan_store.go).
type PlanStore struct{ db *Handle }

// AlertStore holds the alert queries (alert_store.go).
type AlertStore struct{ db *Handle }

// OutboxStore holds the outbox queries (outbox_store.go); marking a card's
// message sent also records it on the card.
type OutboxStore struct {
	db    *Handle
	cards *CardStore
}

// RankingStore holds the ranking queries (ranking_store.go).
type RankingStore struct{ db *Handle }

// ImportStore holds the import lookups and upserts (import_store.go, import_upserts.go).
type ImportStore struct{ db *Handle }

// JobStore holds the job run queries (jobrun_store.go).
type JobStore struct{ db *Handle }

// CardStore holds the card task queries (cardtasks.go).
type CardStore struct{ db *Handle }

// InboxStore holds deliveries and raw events (inbox_store.go).
type InboxStore struct{ db *Handle }

// AuditStore holds the audit log (audit_store.go).
type AuditStore struct{ db *Handle }

// SettingStore holds settings (setting_store.go).
type SettingStore struct{ db *Handle }

// ConsoleStore holds console lines (console.go).
type ConsoleStore struct{ db *Handle }

// ReportStore holds the reports (report_store.go).
type ReportStore struct{ db *Handle }

// HousekeepingStore deletes old bookkeeping rows (housekeeping_store.go).
type HousekeepingStore struct{ db *Handle }

// newStore builds every aggregate over h.
func newStore(h *Handle) *Store {
	cards := &CardStore{db: h}
	return &Store{
		Handle: h, Users: &UserStore{db: h}, Doctors: &DoctorStore{db: h}, Visits: &VisitStore{db: h},
		Plans: &PlanStore{db: h}, Alerts: &AlertStore{db: h}, Outbox: &OutboxStore{db: h, cards: cards},
		Ranking: &RankingStore{db: h}, Import: &ImportStore{db: h}, Jobs: &JobStore{db: h}, Cards: cards,
		Inbox: &InboxStore{db: h}, Audit: &AuditStore{db: h}, Settings: &SettingStore{db: h},
		Console: &ConsoleStore{db: h}, Reports: &ReportStore{db: h}, Housekeeping: &HousekeepingStore{db: h},
	}
}
