package flows

import (
	"context"
	"time"

	"visitbot/models"
)

// The stores the flows use, each the subset of a models aggregate the flows
// call: the flows depend on these small interfaces, not on the whole
// *models.Store; StoresOf fills them from the aggregates.

// DB runs a transaction: the context fn gets carries it to every store call.
type DB interface {
	Tx(ctx context.Context, fn func(ctx context.Context) error) error
}

// Stores are the stores of Deps.
type Stores struct {
	DB       DB
	Users    UserStore
	Doctors  DoctorStore
	Visits   VisitStore
	Plans    PlanStore
	Alerts   AlertStore
	Outbox   OutboxStore
	Ranking  RankingStore
	Import   ImportStore
	Cards    CardStore
	Inbox    InboxStore
	Audit    AuditStore
	Settings SettingStore
	Reports  ReportStore
}

// StoresOf are the aggregates of st as the flows' stores.
func StoresOf(st *models.Store) Stores {
	return Stores{DB: st, Users: st.Users, Doctors: st.Doctors, Visits: st.Visits, Plans: st.Plans, Alerts: st.Alerts,
		Outbox: st.Outbox, Ranking: st.Ranking, Import: st.Import, Cards: st.Cards, Inbox: st.Inbox, Audit: st.Audit,
		Settings: st.Settings, Reports: st.Reports}
}

// AlertStore is what the flows use of models.AlertStore.
type AlertStore interface {
	// AddMustVisit inserts a must-visit; one with the same RefKey (e.g. the
	// same alert assigned twice) is left alone and created=false.
	AddMustVisit(ctx context.Context, m *models.MustVisit) (created bool, err error)
	// AlertDoctors loads doctors (nil = all) with their hospital's name and level.
	AlertDoctors(ctx context.Context, ids []uint) ([]models.AlertDoctor, error)
	// AlertsByIDs loads alerts by id, in id order.
	AlertsByIDs(ctx context.Context, ids []uint) ([]models.Alert, error)
	// AlertsCreatedBetween counts the alerts per manager created in [since, until).
	AlertsCreatedBetween(ctx context.Context, managerID uint, since, until time.Time) (int64, error)
	// BestFeedback lists the n best feedback records of the reps submitted in
	// [since, until) that obtained a commitment (not empty, not 无), by quality
	// score: talk-track examples for the team.
	BestFeedback(ctx context.Context, repIDs []uint, since, until time.Time, n int) ([]models.ExemplaryFeedback, error)
	// CreateAlert inserts an alert.
	CreateAlert(ctx context.Context, a *models.Alert) error
	// DueSnoozedAlerts lists the snoozed alerts whose 一周后提醒 time has come.
	DueSnoozedAlerts(ctx context.Context, now time.Time) ([]models.Alert, error)
	// LastAlert is the newest alert of kind about subject, or ErrNotFound.
	LastAlert(ctx context.Context, kind, subject string) (*models.Alert, error)
	// LastContacts is each doctor's (nil = all) newest contact day up to until:
	// a visit that met the doctor (checked in or completed) or a visit-class
	// signal other than a no-show with a positive value (visit history imported
	// from a CRM). Doctors never contacted are missing from the map.
	LastContacts(ctx context.Context, doctorIDs []uint, until string) (map[uint]string, error)
	// PendingOutbox is the outbox row with dedupeKey if it has not been claimed
	// yet (so its payload may still change), else ErrNotFound.
	PendingOutbox(ctx context.Context, dedupeKey string) (*models.OutboxMessage, error)
	// RepsOfDoctors maps each doctor (nil = all) to the active reps assigned to
	// them, lowest user id first: the first is the one whose manager is alerted.
	RepsOfDoctors(ctx context.Context, doctorIDs []uint) (map[uint][]uint, error)
	// RewritePendingOutbox replaces the payload of a row that is still pending
	// and never tried; ok=false when a dispatcher claimed it meanwhile (the
	// caller then sends a new message instead).
	RewritePendingOutbox(ctx context.Context, id uint, payload string) (ok bool, err error)
	// SetAlertStatus moves alerts to status; snoozeUntil is kept only for
	// snoozed alerts, repID (if not nil) records the rep an alert was assigned to.
	SetAlertStatus(ctx context.Context, ids []uint, status string, snoozeUntil *time.Time, repID *uint) error
	// SetCardTaskData saves a card task's rendered card and data (e.g. the
	// alert ids of a merged alert card).
	SetCardTaskData(ctx context.Context, taskID, card, data string) error
	// SignalsOfClass loads the signals of one class for the doctors (nil = all)
	// that occurred in [since, until], with their detail for reason lines.
	SignalsOfClass(ctx context.Context, doctorIDs []uint, class string, since, until time.Time) ([]models.Signal, error)
	// SilentKOLs lists KOLs assigned to the reps with no checked-in/completed
	// visit on or after sinceDay and no visit-class signal at or after since,
	// longest silent first.
	SilentKOLs(ctx context.Context, repIDs []uint, sinceDay string, since time.Time) ([]models.SilentKOL, error)
	// TeamKOLs lists every KOL assigned to the reps with the covering rep.
	TeamKOLs(ctx context.Context, repIDs []uint) ([]models.SilentKOL, error)
	// TierChangesBetween lists the tier moves recorded with from <= day <= to
	// for the doctors (nil = all), leaving out first classifications (no
	// previous tier): the weekly digest's tier movements.
	TierChangesBetween(ctx context.Context, doctorIDs []uint, from, to string) ([]models.TierChange, error)
}

// AuditStore is what the flows use of models.AuditStore.
type AuditStore interface {
	// Record appends to the audit log. detail is marshalled as JSON.
	Record(ctx context.Context, actorID uint, action, target string, detail any) error
}

// CardStore is what the flows use of models.CardStore.
type CardStore interface {
	// CardTaskByID loads a card task by primary key.
	CardTaskByID(ctx context.Context, id uint) (*models.CardTask, error)
	// CardTaskByTaskID loads the card a callback refers to.
	CardTaskByTaskID(ctx context.Context, taskID string) (*models.CardTask, error)
	// SaveCardTask inserts a card task; a task id already used is ErrConflict.
	SaveCardTask(ctx context.Context, t *models.CardTask) error
	// SaveCardTasks inserts many card tasks in a few statements.
	SaveCardTasks(ctx context.Context, tasks []*models.CardTask) error
	// UpdateCardTask saves the state and rendered card of a task.
	UpdateCardTask(ctx context.Context, taskID, state, card string) error
	// OpenCardTasks reports which refIDs have an unsubmitted card of one of kinds.
	OpenCardTasks(ctx context.Context, kinds []string, refIDs []uint) (map[uint]bool, error)
}

// DoctorStore is what the flows use of models.DoctorStore.
type DoctorStore interface {
	// DoctorCardByID loads one doctor with the hospital name.
	DoctorCardByID(ctx context.Context, doctorID uint) (*models.DoctorCard, error)
	// DoctorFeedbacks lists the doctor's visit feedback, newest first.
	DoctorFeedbacks(ctx context.Context, doctorID uint, limit int) ([]models.VisitFeedback, error)
	// DoctorRecentVisits lists the doctor's checked-in or completed visits, newest first.
	DoctorRecentVisits(ctx context.Context, doctorID uint, limit int) ([]models.VisitLine, error)
	// DoctorTierHistory lists a doctor's tier changes, newest first.
	DoctorTierHistory(ctx context.Context, doctorID uint, limit int) ([]models.TierChange, error)
	// DoctorsNamed finds doctors whose name is name, or starts with it when no
	// name matches exactly; at most limit, by name then id. repIDs (non-nil)
	// keeps only doctors assigned to one of those reps.
	DoctorsNamed(ctx context.Context, name string, repIDs []uint, limit int) ([]models.DoctorCard, error)
	// IsAssignedToAny reports whether the doctor is assigned to one of the reps.
	IsAssignedToAny(ctx context.Context, doctorID uint, repIDs []uint) (bool, error)
	// LatestRecommendation is the doctor's newest recommendation on or before
	// day (any rep), for the heat reasons of a profile; ErrNotFound if none.
	LatestRecommendation(ctx context.Context, doctorID uint, day string) (*models.Recommendation, error)
}

// ImportStore is what the flows use of models.ImportStore.
type ImportStore interface {
	// DoctorIDs maps doctor external ids to primary keys (missing ids are absent).
	DoctorIDs(ctx context.Context, externalIDs []string) (map[string]uint, error)
	// SetUserManager points a user at their manager; the users import uses it for
	// managers created by the same file.
	SetUserManager(ctx context.Context, userID, managerID uint) error
}

// InboxStore is what the flows use of models.InboxStore.
type InboxStore interface {
	// RecordDelivery stores a platform delivery key. It returns ErrConflict when
	// the same delivery was already accepted: call it inside the transaction that
	// applies the delivery's effect, so effect and key commit together.
	RecordDelivery(ctx context.Context, platform, key, kind string) error
}

// OutboxStore is what the flows use of models.OutboxStore.
type OutboxStore interface {
	// Enqueue inserts a pending outbound message, due now unless NextAttemptAt is
	// set. A message whose DedupeKey already exists is not inserted and Enqueue
	// returns nil with m.ID left 0: enqueuing is idempotent, so a job that runs
	// again (or a retried callback) never queues a second copy. A duplicate-key
	// error aborts only the statement, not the transaction, on both MySQL
	// (InnoDB statement rollback) and SQLite (ON CONFLICT ABORT), so Enqueue is
	// safe inside a caller's transaction (Store.Tx). (Not ON DUPLICATE KEY
	// UPDATE: MariaDB reports one affected row for it, hiding the duplicate.)
	Enqueue(ctx context.Context, m *models.OutboxMessage) error
	// EnqueueAll is Enqueue for many messages in a few statements, inside the
	// caller's transaction; a key queued meanwhile by another process fails
	// it with models.ErrConflict (retry with Enqueue).
	EnqueueAll(ctx context.Context, ms []*models.OutboxMessage) error
	// Queued is the set of the given dedupe keys that name a queued message.
	Queued(ctx context.Context, keys []string) (map[string]bool, error)
}

// PlanStore is what the flows use of models.PlanStore.
type PlanStore interface {
	// AcceptPlan records the accepted list as the day's plan: a DailyPlan row
	// and a planned Visit per doctor not skipped. Accepting twice changes
	// nothing and returns created=false. Call it inside a transaction.
	AcceptPlan(ctx context.Context, repID uint, day string, items []models.PlanItem) (created bool, err error)
	// AcceptPlanItem adds one planned visit to an already accepted plan (the
	// replacement for a skipped doctor).
	AcceptPlanItem(ctx context.Context, repID uint, day string, it models.PlanItem) (bool, error)
	// AddRecommendation appends one recommendation (e.g. the replacement for a
	// skipped doctor) after the day's last rank.
	AddRecommendation(ctx context.Context, r *models.Recommendation) error
	// PlanAccepted reports whether the rep accepted the day's list.
	PlanAccepted(ctx context.Context, repID uint, day string) (bool, error)
	// PlanItems lists a rep's recommendations for day by rank, with doctor,
	// hospital and visit status.
	PlanItems(ctx context.Context, repID uint, day string) ([]models.PlanItem, error)
	// PlanItemsOfDay lists the recommendations of day for every rep in repIDs
	// (nil = every rep), by rep and rank, in a bounded number of queries.
	PlanItemsOfDay(ctx context.Context, day string, repIDs []uint) (map[uint][]models.PlanItem, error)
	// SkipVisit marks the rep's visit to doctor on day as skipped with reason.
	// A visit already checked in or completed cannot be skipped.
	SkipVisit(ctx context.Context, repID, doctorID, hospitalID uint, day, reason string) error
}

// RankingStore is what the flows use of models.RankingStore.
type RankingStore interface {
	// FlowByDepartment loads monthly flow quantities from month fromMonth
	// ("2026-05") on, summed over products per hospital department (ProductID 0):
	// the grain of the prescription trend.
	FlowByDepartment(ctx context.Context, fromMonth string) ([]models.FlowRecord, error)
	// RankingAssignments lists the assignments of the given reps (nil = every rep),
	// ordered by rep and doctor.
	RankingAssignments(ctx context.Context, repIDs []uint) ([]models.Assignment, error)
	// RankingDoctors loads doctors by id (nil = all doctors), without CreatedAt/UpdatedAt.
	RankingDoctors(ctx context.Context, ids []uint) ([]models.Doctor, error)
	// RisingDoctors lists the rising-doctor events (moves up a tier) recorded
	// from day since on, newest first: the feed of "rising doctor" alerts.
	RisingDoctors(ctx context.Context, since string) ([]models.TierChange, error)
	// VisitStats aggregates visits with from <= day <= to for the doctors (nil = all).
	VisitStats(ctx context.Context, doctorIDs []uint, from, to string) (map[uint]models.VisitStat, error)
}

// ReportStore is what the flows use of models.ReportStore.
type ReportStore interface {
	// PlanVsActual is the plan vs actual of the reps between two days (inclusive).
	PlanVsActual(ctx context.Context, repIDs []uint, from, to string) (models.PlanReport, error)
	// PlannedVisits lists the planned visits with from <= day <= to of the reps
	// (nil: every rep): the one source of plan vs actual.
	PlannedVisits(ctx context.Context, repIDs []uint, from, to string) ([]models.PlannedVisit, error)
	// TeamStatsFor aggregates the reps' assigned doctors, and their visits and
	// feedback from weekStart (a day) through today.
	TeamStatsFor(ctx context.Context, repIDs []uint, weekStart string, weekStartAt time.Time) (models.TeamStats, error)
}

// SettingStore is what the flows use of models.SettingStore.
type SettingStore interface {
	// DeleteSetting removes a setting (missing is fine).
	DeleteSetting(ctx context.Context, key string) error
	// GetSetting returns a setting's value; expired or missing → ErrNotFound.
	GetSetting(ctx context.Context, key string) (string, error)
	// PutSetting upserts a setting; ttl 0 = no expiry.
	PutSetting(ctx context.Context, key, value string, ttl time.Duration) error
	// WeightOverrides are the ranking weights an admin set at runtime, by signal
	// class; a scoring run applies them over ranking.weights from the config. It
	// lives in models so the ranking code can read it without importing flows.
	// A stored value that is not a number in 0..10 for a known class is an error,
	// never silently used.
	WeightOverrides(ctx context.Context) (map[string]float64, error)
}

// UserStore is what the flows use of models.UserStore.
type UserStore interface {
	// HasConsent reports whether the user already saw the notice of kind.
	HasConsent(ctx context.Context, userID uint, kind string) (bool, error)
	// RecordConsent stores that the user saw the notice (idempotent).
	RecordConsent(ctx context.Context, userID uint, kind string) error
	// TeamOf lists the active reps whose manager is managerID.
	TeamOf(ctx context.Context, managerID uint) ([]models.User, error)
	// UserByID finds a user by primary key.
	UserByID(ctx context.Context, id uint) (*models.User, error)
	// UserByUserID finds a user by visitbot id ("rep01").
	UserByUserID(ctx context.Context, userID string) (*models.User, error)
	// Users lists users, optionally only those with the given role, by user id.
	Users(ctx context.Context, role models.Role) ([]models.User, error)
	// UsersByUserIDs lists the users of role with the given user ids, by
	// user id (unknown ids left out): a push shard's or an admin's named
	// reps; nil lists every user of role, an empty list none.
	UsersByUserIDs(ctx context.Context, role models.Role, userIDs []string) ([]models.User, error)
}

// VisitStore is what the flows use of models.VisitStore.
type VisitStore interface {
	// AddFollowUp makes the doctor a due item on the rep's list from dueDay
	// (idempotent per refKey).
	AddFollowUp(ctx context.Context, repID, doctorID uint, dueDay, refKey, note string) error
	// AllHospitals lists every hospital (for the nearest-hospital search).
	AllHospitals(ctx context.Context) ([]models.Hospital, error)
	// ApplyCheckIn marks visits checked in with an existing check-in's location
	// and verdict (an off-plan visit chosen after the check-in).
	ApplyCheckIn(ctx context.Context, ci *models.CheckIn, visitIDs []uint) error
	// AssignedDoctorsAt lists the rep's assigned doctors at a hospital, by name.
	AssignedDoctorsAt(ctx context.Context, repID, hospitalID uint) ([]models.Doctor, error)
	// CheckInByID loads a check-in.
	CheckInByID(ctx context.Context, id uint) (*models.CheckIn, error)
	// DayVisits lists a rep's visits of a day (planned, checked in, completed, skipped).
	DayVisits(ctx context.Context, repID uint, day string) ([]models.VisitRow, error)
	// EnsureVisit returns the rep's visit to doctor on day, creating an
	// off-plan one (Planned=false) when there is none.
	EnsureVisit(ctx context.Context, repID, doctorID, hospitalID uint, day string) (*models.Visit, error)
	// FeedbackByVisit loads a visit's feedback.
	FeedbackByVisit(ctx context.Context, visitID uint) (*models.VisitFeedback, error)
	// LastCommitments is the newest non-empty commitments recorded for a doctor.
	LastCommitments(ctx context.Context, doctorID uint) (string, error)
	// LatestFeedbackSince is the rep's newest feedback submitted at or after since
	// (the one a free-text note attaches to).
	LatestFeedbackSince(ctx context.Context, repID uint, since time.Time) (*models.VisitFeedback, error)
	// RecordCheckIn stores a check-in and marks the given visits checked in
	// with its location and verdict; verified visits close the doctor's open
	// must-visits and follow-ups. Call it inside a transaction.
	RecordCheckIn(ctx context.Context, ci *models.CheckIn, visitIDs []uint) error
	// SaveFeedback stores the visit's feedback (one per visit) and completes the
	// visit. A second submission returns ErrFeedbackExists and changes nothing.
	SaveFeedback(ctx context.Context, fb *models.VisitFeedback) error
	// SetFeedbackNote attaches a note and the recomputed quality score.
	SetFeedbackNote(ctx context.Context, id uint, note string, score float64) error
	// VisitRowByID loads one visit with doctor and hospital.
	VisitRowByID(ctx context.Context, id uint) (*models.VisitRow, error)
}
