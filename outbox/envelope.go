package outbox

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"visitbot/bot"
	"visitbot/cards"
	"visitbot/models"
)

// Payload is the JSON stored in models.OutboxMessage.Payload: a bot.Message
// (text or card) or a bot.CardUpdate, plus the recipient's platform user id,
// so the dispatcher can send without reading the users table (the address is
// fixed at enqueue time, like an envelope).
//
//	{"to":"zhangsan","text":"今日无推荐"}
//	{"to":"zhangsan","card":{"layout":"button_interaction",…}}
//	{"to":"zhangsan","update":{"task_id":"…","response_code":"…","replace_name":"已接受"}}
type Payload struct {
	// To is the platform user id (WeCom/DingTalk userid, console user id).
	To     string      `json:"to"`
	Text   string      `json:"text,omitempty"`
	Card   *cards.Card `json:"card,omitempty"`
	Update *Update     `json:"update,omitempty"`
}

// Update is the JSON form of bot.CardUpdate.
type Update struct {
	TaskID       string      `json:"task_id"`
	ResponseCode string      `json:"response_code,omitempty"`
	ReplaceName  string      `json:"replace_name,omitempty"`
	Card         *cards.Card `json:"card,omitempty"`
}

// Envelope says who gets a message, why and for which day; DedupeKey derives
// the outbox's unique key from it.
type Envelope struct {
	Platform bot.Platform
	To       bot.Recipient
	// Purpose names what the message is for ("morning_push", "alert:42");
	// at most 32 bytes.
	Purpose string
	// Day is the business day the message belongs to ("2006-01-02").
	Day string
	// NotBefore delays the first attempt (zero = now), e.g. out of quiet hours.
	NotBefore time.Time
}

// DedupeKey is "<platform>:<user id>:<purpose>:<day>": one message per
// recipient, purpose and day, whatever happens to the job that queues it.
func (e Envelope) DedupeKey() string {
	return fmt.Sprintf("%s:%d:%s:%s", e.Platform, e.To.UserID, e.Purpose, e.Day)
}

func (e Envelope) check() error {
	switch {
	case e.Platform == "":
		return errors.New("outbox message: platform missing")
	case e.To.UserID == 0 || e.To.PlatformUserID == "":
		return fmt.Errorf("outbox message: recipient needs a user id and a %s user id", e.Platform)
	case e.Purpose == "" || len(e.Purpose) > models.OutboxPurposeMax:
		return fmt.Errorf("outbox message: purpose %q must be 1-%d bytes", e.Purpose, models.OutboxPurposeMax)
	case e.Day == "":
		return errors.New("outbox message: day missing")
	}
	return nil
}

// NewMessage builds the outbox row for a text or card; pass it to
// Store.Enqueue (inside the caller's transaction when the message belongs to
// a state change). A card's TaskID is copied so the send can record its
// msgid on the CardTask.
func NewMessage(env Envelope, msg bot.Message) (*models.OutboxMessage, error) {
	if err := env.check(); err != nil {
		return nil, err
	}
	p := Payload{To: env.To.PlatformUserID, Text: msg.Text, Card: msg.Card}
	kind, task := models.OutboxText, ""
	switch {
	case msg.Card != nil && msg.Text != "":
		return nil, errors.New("outbox message: either text or card, not both")
	case msg.Card != nil:
		kind, task = models.OutboxCard, msg.Card.TaskID
	case msg.Text == "":
		return nil, errors.New("outbox message: empty message")
	}
	return newRow(env, kind, task, p)
}

// NewUpdate builds the outbox row for a card update (greyed buttons or a
// replaced card) sent through Messenger.Update.
func NewUpdate(env Envelope, upd bot.CardUpdate) (*models.OutboxMessage, error) {
	if err := env.check(); err != nil {
		return nil, err
	}
	if upd.TaskID == "" || (upd.ReplaceName == "" && upd.Card == nil) {
		return nil, errors.New("outbox update: needs a task id and a replace name or card")
	}
	p := Payload{To: env.To.PlatformUserID, Update: &Update{TaskID: upd.TaskID, ResponseCode: upd.ResponseCode, ReplaceName: upd.ReplaceName, Card: upd.Card}}
	return newRow(env, models.OutboxUpdate, upd.TaskID, p)
}

func newRow(env Envelope, kind, task string, p Payload) (*models.OutboxMessage, error) {
	b, err := json.Marshal(p)
	if err != nil {
		return nil, fmt.Errorf("outbox payload: %w", err)
	}
	return &models.OutboxMessage{
		DedupeKey: env.DedupeKey(), Platform: string(env.Platform), RecipientID: env.To.UserID,
		Purpose: env.Purpose, Kind: kind, Payload: string(b), TaskID: task, NextAttemptAt: env.NotBefore,
	}, nil
}

// decodePayload reads a stored payload; a payload that does not decode or
// does not match its kind is a permanent failure.
func decodePayload(m *models.OutboxMessage) (Payload, error) {
	var p Payload
	if err := json.Unmarshal([]byte(m.Payload), &p); err != nil {
		return p, bot.Permanent(fmt.Errorf("outbox %d: payload is not valid JSON: %w", m.ID, err))
	}
	if p.To == "" {
		return p, bot.Permanent(fmt.Errorf("outbox %d: payload has no recipient", m.ID))
	}
	ok := false
	switch m.Kind {
	case models.OutboxText:
		ok = p.Text != ""
	case models.OutboxCard:
		ok = p.Card != nil
	case models.OutboxUpdate:
		ok = p.Update != nil && p.Update.TaskID != ""
	}
	if !ok {
		return p, bot.Permanent(fmt.Errorf("outbox %d: payload does not carry a %s", m.ID, m.Kind))
	}
	return p, nil
}
