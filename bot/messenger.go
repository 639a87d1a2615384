package bot

import (
	"context"
	"errors"
	"fmt"
	"time"

	"visitbot/cards"
)

// Recipient is a user as one platform addresses them.
type Recipient struct {
	UserID         uint   // visitbot users.id
	PlatformUserID string // WeCom/DingTalk userid, console user id
}

// Message is one outbound text or card.
type Message struct {
	Text string
	Card *cards.Card
}

// SendResult is what the platform answered.
type SendResult struct {
	MsgID        string
	ResponseCode string
}

// CardUpdate changes a card a user already has: either grey every button
// with ReplaceName, or replace the whole card.
type CardUpdate struct {
	TaskID       string
	ResponseCode string
	ReplaceName  string
	Card         *cards.Card
}

// Messenger sends to one platform. Implementations are safe for concurrent use.
type Messenger interface {
	Platform() Platform
	Send(ctx context.Context, to Recipient, msg Message) (SendResult, error)
	Update(ctx context.Context, to Recipient, upd CardUpdate) error
}

// ErrPermanent marks a send that must not be retried (invalid card, unknown
// user). Anything else is retried by the outbox with backoff.
var ErrPermanent = errors.New("permanent send failure")

// RetryAfterError asks the outbox to wait at least After before the next try
// (platform rate limit).
type RetryAfterError struct {
	After time.Duration
	Err   error
}

func (e *RetryAfterError) Error() string { return fmt.Sprintf("retry after %s: %v", e.After, e.Err) }
func (e *RetryAfterError) Unwrap() error { return e.Err }

// Permanent wraps err so errors.Is(err, ErrPermanent) holds.
func Permanent(err error) error { return fmt.Errorf("%w: %w", ErrPermanent, err) }
