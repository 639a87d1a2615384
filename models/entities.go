// Package models owns visitbot's persistent entities and the Store that reads
// and writes them, on SQLite (embedded default) and MySQL/TiDB (production).
// It must not import gin or any platform (WeCom/DingTalk) type.
//
// Conventions: every string that is indexed has an explicit size (MySQL cannot
// index LONGTEXT); calendar days are "2006-01-02" strings in the configured
// time zone (portable, sortable, no driver time-zone surprises); instants are
// time.Time stored in UTC.
package models

import (
	"time"
	"visitbot/signals"
)

// Role is what a user may do: rep (own list/visits), manager (own team), admin (everything).
type Role string

// Roles.
const (
	RoleRep     Role = "rep"
	RoleManager Role = "manager"
	RoleAdmin   Role = "admin"
)

// User is a rep, manager or admin. UserID is visitbot's own stable id
// ("rep01"); the platform ids are how WeCom/DingTalk address the same person.
type User struct {
	ID             uint    `gorm:"primaryKey"`
	UserID         string  `gorm:"size:64;uniqueIndex;not null"`
	Name           string  `gorm:"size:64;not null"`
	Role           Role    `gorm:"size:16;not null;index"`
	ManagerID      *uint   `gorm:"index"`
	Territory      string  `gorm:"size:64;index"`
	StartLat       float64 // GCJ-02 start point of the day
	StartLng       float64
	WeComUserID    *string `gorm:"column:wecom_user_id;size:64;uniqueIndex"`
	DingTalkUserID *string `gorm:"column:dingtalk_user_id;size:64;uniqueIndex"`
	// EmployeeNo is the company's own employee number (员工工号), unique when
	// set: company exports name managers and reps by it.
	EmployeeNo *string `gorm:"size:64;uniqueIndex"`
	// Phone is kept for admins only; never logged.
	Phone     string `gorm:"size:32"`
	Active    bool   `gorm:"not null"` // no default tag: an explicit false must stay false
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Hospital levels as stored (shared specs/domain.md).
const (
	Level3A        = "三级甲等"
	Level3         = "三级"
	Level2         = "二级"
	LevelCommunity = "社区卫生服务中心"
)

// Hospital is a site reps visit; coordinates are GCJ-02 as Chinese maps use.
type Hospital struct {
	ID         uint   `gorm:"primaryKey"`
	ExternalID string `gorm:"size:64;uniqueIndex;not null"`
	Name       string `gorm:"size:128;not null"`
	Level      string `gorm:"size:32;not null"`
	City       string `gorm:"size:32;index"`
	Lat        float64
	Lng        float64
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

// Doctor titles (职称).
const (
	TitleChief     = "chief"     // 主任医师
	TitleAssociate = "associate" // 副主任医师
	TitleAttending = "attending" // 主治医师
	TitleResident  = "resident"  // 住院医师
)

// Doctor is an HCP. LegacyTier is the static ABC class imported from legacy
// systems, kept as the baseline; Tier is visitbot's dynamic S/A/B/C.
type Doctor struct {
	ID         uint   `gorm:"primaryKey"`
	ExternalID string `gorm:"size:64;uniqueIndex;not null"`
	Name       string `gorm:"size:64;not null;index"`
	HospitalID uint   `gorm:"not null;index"`
	Department string `gorm:"size:64;not null"`
	Title      string `gorm:"size:16;not null"`
	IsKOL      bool   `gorm:"column:is_kol;not null;default:false"`
	// Roles are comma-separated filing roles, e.g. "formulary,insurance_advocate".
	Roles      string  `gorm:"size:255"`
	LegacyTier string  `gorm:"size:1"`
	Tier       string  `gorm:"size:1;index"`
	Heat       float64 `gorm:"not null;default:0"`
	HeatAt     *time.Time
	// HeatDay is the business day ("2006-01-02") the stored Heat and Tier were
	// scored for (as of its start): a Top-N for another day never ranks by them.
	HeatDay   string `gorm:"size:10"`
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Assignment links a rep to a doctor they cover.
type Assignment struct {
	ID        uint `gorm:"primaryKey"`
	RepID     uint `gorm:"not null;uniqueIndex:ux_assignment"`
	DoctorID  uint `gorm:"not null;uniqueIndex:ux_assignment;index"`
	CreatedAt time.Time
}

// Session periods.
const (
	PeriodAM = "AM"
	PeriodPM = "PM"
)

// ClinicSession is a weekly clinic slot (Weekday 1=Mon … 7=Sun, Day empty)
// or a dated one (Weekday 0, Day set).
//
// ix_session_day serves the morning run's "sessions that can fall on the
// day" (weekly ones of its weekday, or dated the day) from the index alone.
type ClinicSession struct {
	ID       uint   `gorm:"primaryKey"`
	DoctorID uint   `gorm:"not null;uniqueIndex:ux_session;index:ix_session_day,priority:3"`
	Weekday  int    `gorm:"not null;uniqueIndex:ux_session;index:ix_session_day,priority:2"`
	Day      string `gorm:"size:10;not null;default:'';uniqueIndex:ux_session;index:ix_session_day,priority:1"`
	Period   string `gorm:"size:2;not null;uniqueIndex:ux_session;index:ix_session_day,priority:4"`
}

// ClinicCancellation is a 停诊: no session that day (Period empty = whole day).
type ClinicCancellation struct {
	ID       uint   `gorm:"primaryKey"`
	DoctorID uint   `gorm:"not null;uniqueIndex:ux_cancel"`
	Day      string `gorm:"size:10;not null;uniqueIndex:ux_cancel"`
	Period   string `gorm:"size:2;not null;default:'';uniqueIndex:ux_cancel"`
	Reason   string `gorm:"size:128"`
}

// Product is one of the company's products.
type Product struct {
	ID   uint   `gorm:"primaryKey"`
	Code string `gorm:"size:32;uniqueIndex;not null"`
	Name string `gorm:"size:64;not null"`
	Area string `gorm:"size:64"`
}

// DoctorProduct is how well a product fits a doctor's practice, 0..1.
type DoctorProduct struct {
	ID        uint    `gorm:"primaryKey"`
	DoctorID  uint    `gorm:"not null;uniqueIndex:ux_doctor_product"`
	ProductID uint    `gorm:"not null;uniqueIndex:ux_doctor_product"`
	Match     float64 `gorm:"not null"`
}

// Signal classes: the keys of the registry in package signals.
const (
	ClassFiling     = signals.Filing
	ClassRxTrend    = signals.RxTrend
	ClassMeeting    = signals.Meeting
	ClassLecture    = signals.Lecture
	ClassCompetitor = signals.Competitor
	ClassTrial      = signals.Trial
	ClassDigital    = signals.Digital
	ClassVisit      = signals.Visit
)

// Signal is one observed event about a doctor, e.g. an online-lecture
// attendance. ExternalID (unique) makes every import and ingest idempotent.
type Signal struct {
	ID         uint   `gorm:"primaryKey"`
	ExternalID string `gorm:"size:128;uniqueIndex;not null"`
	// ix_signal_doctor_time covers what ranking reads of a doctor's signals
	// (class, kind, value by doctor and time): the nightly load of a shard's
	// signals needs no row lookup.
	DoctorID   uint      `gorm:"not null;index:ix_signal_doctor_time,priority:1"`
	Class      string    `gorm:"size:16;not null;index;index:ix_signal_doctor_time,priority:3"`
	Kind       string    `gorm:"size:32;not null;index:ix_signal_doctor_time,priority:4"`
	Value      float64   `gorm:"not null;index:ix_signal_doctor_time,priority:5"` // no default tag: GORM would turn an explicit 0 (a miss) into the default
	OccurredAt time.Time `gorm:"not null;index:ix_signal_doctor_time,priority:2"`
	Source     string    `gorm:"size:32"`
	Detail     string    `gorm:"size:255"`
	CreatedAt  time.Time
}

// FlowRecord is monthly hospital × department × product flow data (流向), the
// compliant source of prescription trends.
type FlowRecord struct {
	ID         uint    `gorm:"primaryKey"`
	HospitalID uint    `gorm:"not null;uniqueIndex:ux_flow"`
	Department string  `gorm:"size:64;not null;uniqueIndex:ux_flow"`
	ProductID  uint    `gorm:"not null;uniqueIndex:ux_flow"`
	Month      string  `gorm:"size:7;not null;uniqueIndex:ux_flow"` // 2026-05
	Quantity   float64 `gorm:"not null"`
}

// Recommendation kinds: must-visits and follow-ups come before ranked items.
const (
	RecMustVisit = "must_visit"
	RecFollowUp  = "follow_up"
	RecRanked    = "ranked"
)

// Recommendation is one row of a rep's daily Top-N.
type Recommendation struct {
	ID        uint    `gorm:"primaryKey"`
	RepID     uint    `gorm:"not null;uniqueIndex:ux_rec;index:ix_rec_rank,priority:1"`
	Day       string  `gorm:"size:10;not null;uniqueIndex:ux_rec;index:ix_rec_rank,priority:2"`
	DoctorID  uint    `gorm:"not null;uniqueIndex:ux_rec"`
	Rank      int     `gorm:"not null;index:ix_rec_rank,priority:3"`
	Kind      string  `gorm:"size:16;not null"`
	Score     float64 `gorm:"not null"`
	Heat      float64 `gorm:"not null"`
	Period    string  `gorm:"size:2"`
	DistanceM float64
	// RouteKM is the day's route road km, the same on every row of a list
	// (what the travel allowance averages: RecentRouteKM); nil on lists
	// stored before migration 0012.
	RouteKM *float64
	// Reasons is a JSON array of short Chinese phrases; Breakdown a JSON object of factor → value.
	Reasons   string `gorm:"type:text"`
	Breakdown string `gorm:"type:text"`
	CreatedAt time.Time
}

// MustVisit puts a doctor first on a rep's list from DueDay on, until visited:
// a manager's 指派 or a follow-up chosen in visit feedback.
type MustVisit struct {
	ID        uint   `gorm:"primaryKey"`
	RepID     uint   `gorm:"not null;index:ix_must,priority:1"`
	DoctorID  uint   `gorm:"not null"`
	DueDay    string `gorm:"size:10;not null;index:ix_must,priority:2"`
	Source    string `gorm:"size:16;not null"` // must_visit | follow_up
	Note      string `gorm:"size:255"`
	RefKey    string `gorm:"size:64;uniqueIndex"` // idempotency, e.g. alert:42
	DoneAt    *time.Time
	CreatedAt time.Time
}

// DailyPlan is a rep's accepted list for a day: the "plan" of plan vs actual.
type DailyPlan struct {
	ID         uint   `gorm:"primaryKey"`
	RepID      uint   `gorm:"not null;uniqueIndex:ux_plan"`
	Day        string `gorm:"size:10;not null;uniqueIndex:ux_plan"`
	AcceptedAt time.Time
}

// Visit states.
const (
	VisitPlanned   = "planned"
	VisitCheckedIn = "checked_in"
	VisitCompleted = "completed"
	VisitSkipped   = "skipped"
)

// Visit is one rep × doctor × day: planned → checked_in → completed, or skipped.
type Visit struct {
	ID         uint   `gorm:"primaryKey"`
	RepID      uint   `gorm:"not null;uniqueIndex:ux_visit;index"`
	DoctorID   uint   `gorm:"not null;uniqueIndex:ux_visit;index"`
	Day        string `gorm:"size:10;not null;uniqueIndex:ux_visit;index"`
	HospitalID uint   `gorm:"not null"`
	Status     string `gorm:"size:16;not null"`
	Planned    bool   `gorm:"not null;default:false"`
	SkipReason string `gorm:"size:64"`
	CheckInAt  *time.Time
	Lat        *float64
	Lng        *float64
	// CheckInHospitalID is the hospital nearest to the shared location.
	CheckInHospitalID *uint
	DistanceM         *float64
	Verified          bool `gorm:"not null;default:false"`
	CreatedAt         time.Time
	UpdatedAt         time.Time
}

// VisitFeedback is the structured form after a visit; one per visit.
type VisitFeedback struct {
	ID       uint `gorm:"primaryKey"`
	VisitID  uint `gorm:"not null;uniqueIndex"`
	RepID    uint `gorm:"not null;index"`
	DoctorID uint `gorm:"not null;index"`
	// Concerns and Commitments are "|"-separated option texts.
	Concerns     string `gorm:"size:255"`
	Objection    string `gorm:"size:32"`
	Commitments  string `gorm:"size:255"`
	FollowUp     string `gorm:"size:16"`
	Note         string `gorm:"type:text"`
	QualityScore float64
	SubmittedAt  time.Time
	CreatedAt    time.Time
}

// Alert states.
const (
	AlertOpen     = "open"
	AlertAcked    = "acknowledged"
	AlertAssigned = "assigned"
	AlertSnoozed  = "snoozed"
)

// Alert is a manager alert (silent KOL, rising doctor, …). SubjectKey with
// Kind drives the no-spam cooldown.
type Alert struct {
	ID          uint   `gorm:"primaryKey"`
	Kind        string `gorm:"size:32;not null;index:ix_alert_subject,priority:1"`
	SubjectKey  string `gorm:"size:64;not null;index:ix_alert_subject,priority:2"`
	DoctorID    *uint  `gorm:"index"`
	RepID       *uint  `gorm:"index"`
	ManagerID   *uint  `gorm:"index"`
	Title       string `gorm:"size:128;not null"`
	Emphasis    string `gorm:"size:32"`
	Reasons     string `gorm:"type:text"` // JSON array of Chinese lines
	Status      string `gorm:"size:16;not null;index"`
	SnoozeUntil *time.Time
	CreatedAt   time.Time `gorm:"index:ix_alert_subject,priority:3"`
	UpdatedAt   time.Time
}

// TierChange is the history of a doctor's dynamic tier.
type TierChange struct {
	ID       uint   `gorm:"primaryKey"`
	DoctorID uint   `gorm:"not null;uniqueIndex:ux_tier_change"`
	Day      string `gorm:"size:10;not null;uniqueIndex:ux_tier_change"`
	FromTier string `gorm:"size:1"`
	ToTier   string `gorm:"size:1;not null"`
	Heat     float64
	Rising   bool `gorm:"not null;default:false;index"`
}
