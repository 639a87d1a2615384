package models

import "time"

// Outbox states. pending → sending → sent, or back to pending with a later
// NextAttemptAt, or dead after outbox.max_attempts.
const (
	OutboxPending = "pending"
	OutboxSending = "sending"
	OutboxSent    = "sent"
	OutboxDead    = "dead"
)

// Column limits of outbox rows, checked before a row is built (package
// outbox) and at the storage door (Enqueue).
const (
	// DedupeKeyMax is the size of outbox_messages.dedupe_key (191: the
	// longest utf8mb4 key MySQL indexes in 767 bytes).
	DedupeKeyMax = 191
	// OutboxPurposeMax is the size of outbox_messages.purpose.
	OutboxPurposeMax = 32
)

// OutboxMessage is one outbound text or card. DedupeKey (recipient, purpose,
// day) is unique, so enqueuing the same message twice is a no-op and a crash
// mid-push never duplicates a card.
type OutboxMessage struct {
	ID            uint      `gorm:"primaryKey"`
	DedupeKey     string    `gorm:"size:191;uniqueIndex;not null"`
	Platform      string    `gorm:"size:16;not null"`
	RecipientID   uint      `gorm:"not null;index"`
	Purpose       string    `gorm:"size:32;not null"`
	Kind          string    `gorm:"size:16;not null"` // text | card | update
	Payload       string    `gorm:"type:text;not null"`
	Status        string    `gorm:"size:16;not null;index:ix_outbox_ready,priority:1"`
	NextAttemptAt time.Time `gorm:"not null;index:ix_outbox_ready,priority:2"`
	Attempts      int       `gorm:"not null;default:0"`
	ClaimedBy     string    `gorm:"size:64"`
	ClaimedUntil  *time.Time
	LastError     string `gorm:"size:512"`
	MsgID         string `gorm:"size:128"`
	TaskID        string `gorm:"size:128;index"`
	SentAt        *time.Time
	CreatedAt     time.Time
	UpdatedAt     time.Time
}

// CardTask remembers a sent interactive card: who owns it, what it refers to,
// and the newest single-use response_code for updating it (WeCom: 72 h, once).
type CardTask struct {
	ID           uint   `gorm:"primaryKey"`
	TaskID       string `gorm:"size:128;uniqueIndex;not null"`
	Platform     string `gorm:"size:16;not null"`
	UserID       uint   `gorm:"not null;index"`
	Kind         string `gorm:"size:32;not null"`
	RefID        uint
	Day          string `gorm:"size:10"`
	MsgID        string `gorm:"size:128"`
	ResponseCode string `gorm:"size:255"`
	State        string `gorm:"size:32"`
	// Card is the last rendered platform-neutral card (JSON), so an update can re-render it.
	Card string `gorm:"type:text"`
	// Data holds a multi-step form's answers so far (JSON).
	Data      string `gorm:"type:text"`
	CreatedAt time.Time
	UpdatedAt time.Time
}

// InboundDelivery records every accepted platform delivery so a retry is a no-op.
type InboundDelivery struct {
	ID         uint   `gorm:"primaryKey"`
	Key        string `gorm:"size:191;uniqueIndex;not null"` // platform:key
	Platform   string `gorm:"size:16;not null"`
	Kind       string `gorm:"size:32"`
	ReceivedAt time.Time
}

// RawEvent keeps an inbound event visitbot does not handle, for diagnosis.
type RawEvent struct {
	ID         uint   `gorm:"primaryKey"`
	Platform   string `gorm:"size:16;not null"`
	Type       string `gorm:"size:64"`
	Body       string `gorm:"type:text"`
	ReceivedAt time.Time
}

// Job run outcomes.
const (
	JobRunning   = "running"
	JobSucceeded = "succeeded"
	JobFailed    = "failed"
	JobPanicked  = "panicked"
)

// JobRun claims (Job, Slot) by a unique insert: across replicas exactly one runs a slot.
type JobRun struct {
	ID      uint   `gorm:"primaryKey"`
	Job     string `gorm:"size:64;not null;uniqueIndex:ux_job_slot"`
	Slot    string `gorm:"size:32;not null;uniqueIndex:ux_job_slot"`
	Replica string `gorm:"size:64"`
	Outcome string `gorm:"size:16;not null"`
	Error   string `gorm:"type:text"`
	Detail  string `gorm:"type:text"`
	// Args are a requested run's arguments (JSON).
	Args       string `gorm:"type:text"`
	StartedAt  time.Time
	FinishedAt *time.Time
}

// AuditLog records every admin action and refused card action.
type AuditLog struct {
	ID      uint      `gorm:"primaryKey"`
	ActorID uint      `gorm:"index"`
	Action  string    `gorm:"size:64;not null;index"`
	Target  string    `gorm:"size:128"`
	Detail  string    `gorm:"type:text"`
	At      time.Time `gorm:"index"`
}

// Consent records a one-time notice a user has seen (e.g. location use at check-in).
type Consent struct {
	ID     uint   `gorm:"primaryKey"`
	UserID uint   `gorm:"not null;uniqueIndex:ux_consent"`
	Kind   string `gorm:"size:32;not null;uniqueIndex:ux_consent"`
	At     time.Time
}

// Setting is a small key/value row: runtime overrides such as ranking weights
// set by an admin command, and the shared platform token cache.
type Setting struct {
	Key       string `gorm:"primaryKey;size:128"`
	Value     string `gorm:"type:mediumtext"`
	ExpiresAt *time.Time
	UpdatedAt time.Time
}

// ConsoleMessage is one line of the local chat console: what a user sent or received.
type ConsoleMessage struct {
	ID        uint   `gorm:"primaryKey"`
	UserID    uint   `gorm:"not null;index"`
	Direction string `gorm:"size:3;not null"` // in | out
	Kind      string `gorm:"size:16;not null"`
	Body      string `gorm:"type:text"`
	TaskID    string `gorm:"size:128;index"`
	CreatedAt time.Time
}
