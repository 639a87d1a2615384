package bot

import (
	"context"
	"errors"
)

// Role is what a user may do; the least role allowed runs a command
// (rep < manager < admin). The values are those of users.role.
type Role string

// Roles.
const (
	RoleRep     Role = "rep"
	RoleManager Role = "manager"
	RoleAdmin   Role = "admin"
)

// Rank orders roles for "at least" checks (0 for an unknown role).
func (r Role) Rank() int {
	switch r {
	case RoleAdmin:
		return 3
	case RoleManager:
		return 2
	case RoleRep:
		return 1
	}
	return 0
}

// Label is the role's Chinese name (医药代表 / 地区经理 / 管理员).
func (r Role) Label() string {
	switch r {
	case RoleAdmin:
		return "管理员"
	case RoleManager:
		return "地区经理"
	default:
		return "医药代表"
	}
}

// User is the acting user as routing, RBAC and handlers see them: a plain
// value, not a storage row.
type User struct {
	// ID is users.id, the key every other table refers to.
	ID uint
	// UserID is the visitbot id ("rep01").
	UserID    string
	Name      string
	Role      Role
	Territory string
}

// CardTask is a sent interactive card as an action handler sees it: who owns
// it, what it refers to and its state. Ownership is checked before the
// handler runs.
type CardTask struct {
	ID       uint
	TaskID   string
	Platform Platform
	UserID   uint
	Kind     string
	// RefID is what the card refers to (a visit, the visit list of a skip form …).
	RefID uint
	Day   string
	// ResponseCode is the newest single-use code for updating the card (WeCom, 72 h).
	ResponseCode string
	State        string
	// Card is the last rendered platform-neutral card (JSON).
	Card string
	// Data holds a multi-step form's answers so far (JSON).
	Data string
}

// Errors a Store answers with.
var (
	// ErrUnknownUser: no active user has that platform id.
	ErrUnknownUser = errors.New("unknown user")
	// ErrNoCard: no card task has that id (expired, or never sent).
	ErrNoCard = errors.New("unknown card task")
)

// Transactor runs fn in one transaction that ctx carries to every store
// call made with it; fn's error rolls everything back.
type Transactor interface {
	Tx(ctx context.Context, fn func(ctx context.Context) error) error
}

// Deliveries records what arrived: a second delivery with the same key is
// ErrDuplicate, so a platform's retry changes nothing.
type Deliveries interface {
	RecordDelivery(ctx context.Context, platform Platform, key string, kind EventKind) error
	// StoreRawEvent keeps an event the bot does not handle, for diagnosis.
	StoreRawEvent(ctx context.Context, platform Platform, typ, body string) error
}

// Directory finds the sender of an event.
type Directory interface {
	// UserByPlatformID is the active user the platform addresses as id, or ErrUnknownUser.
	UserByPlatformID(ctx context.Context, platform Platform, id string) (User, error)
}

// CardTasks finds the card a click belongs to and keeps its response code.
type CardTasks interface {
	// CardTask is the card task taskID, or ErrNoCard.
	CardTask(ctx context.Context, taskID string) (CardTask, error)
	SetCardResponseCode(ctx context.Context, taskID, code string) error
}

// Auditor writes the audit log (admin commands, refused card actions).
type Auditor interface {
	Audit(ctx context.Context, actorID uint, action, target string, detail any) error
}

// Store is everything the bot needs from storage.
type Store interface {
	Transactor
	Deliveries
	Directory
	CardTasks
	Auditor
}

// ReplyQueue queues the parts of a reply a platform cannot send back inside
// its callback answer — a card update, then the messages, in order — in the
// transaction ctx carries, keyed by the delivery so a retried callback
// queues nothing twice. The outbox implements it; platform adapters call it
// from their Splitter.
type ReplyQueue interface {
	QueueReply(ctx context.Context, platform Platform, to Recipient, ev Event, upd *CardUpdate, msgs []Message) error
}
