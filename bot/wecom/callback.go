package wecom

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net/http"
	"strconv"
	"time"

	"visitbot/bot"
	"visitbot/clock"
)

// DefaultMaxBody caps a callback body: WeCom's envelopes are a few KiB.
const DefaultMaxBody = 64 << 10

// Defaults for CallbackOptions.
const (
	DefaultWindow      = 10 * time.Minute
	DefaultReplyBudget = 4 * time.Second // WeCom drops the connection after 5 s
)

// RejectError is a callback refused before anything is stored. Reason is a
// short label for metrics; Status the HTTP status to answer.
type RejectError struct {
	Reason string
	Status int
	Err    error
}

func (e *RejectError) Error() string {
	return "wecom callback rejected (" + e.Reason + "): " + e.Err.Error()
}
func (e *RejectError) Unwrap() error { return e.Err }

func reject(reason string, status int, err error) error {
	return &RejectError{Reason: reason, Status: status, Err: err}
}

// Query is the signed part of a callback URL.
type Query struct {
	Signature string // msg_signature
	Timestamp string
	Nonce     string
	EchoStr   string // URL verification only
}

// Outcome is what Receive did with an accepted callback.
type Outcome struct {
	// Body is the passive reply (nil: answer an empty 200).
	Body []byte
	Kind bot.EventKind
	// Duplicate is true for a retried delivery that changed nothing.
	Duplicate bool
}

// CallbackOptions configure NewCallback. Crypto, Bot and Replies are required.
type CallbackOptions struct {
	Crypto *Crypto
	Bot    *bot.Bot
	// Replies queues what cannot go back passively (a second text, cards,
	// whole-card updates) in the delivery's own transaction; the outbox
	// dispatcher sends it.
	Replies bot.ReplyQueue
	Clock   clock.Clock
	Log     *slog.Logger
	// Window is how far a callback timestamp may be from now (default 10 min).
	Window time.Duration
	// MaxBody caps the POST body (default 64 KiB).
	MaxBody int64
	// ReplyBudget bounds the bot's work inside the callback (default 4 s of WeCom's 5 s).
	ReplyBudget time.Duration
	// MaxInFlight bounds concurrent bot transactions (0 = unbounded). With
	// SQLite, which has one writer, 1 queues callbacks in process instead of
	// leaving them to SQLite's sleeping busy handler (a long p99 tail).
	MaxInFlight int
}

// Callback serves WeCom's callback URL: it verifies, decrypts, decodes,
// hands the event to the bot exactly once and answers within WeCom's 5 s.
//
// Replies that cannot be passive (a second text, cards, whole-card updates)
// never make the callback wait on the WeCom API: they are queued in the
// delivery's transaction and sent by the outbox dispatcher (durable,
// rate-limited, retried), so a crash after the answer loses nothing.
type Callback struct {
	crypto   *Crypto
	bot      *bot.Bot
	replies  bot.ReplyQueue
	clock    clock.Clock
	log      *slog.Logger
	window   time.Duration
	maxBody  int64
	budget   time.Duration
	handling chan struct{} // nil: unbounded
}

// NewCallback checks the options and fills defaults.
func NewCallback(o CallbackOptions) (*Callback, error) {
	if o.Crypto == nil || o.Bot == nil || o.Replies == nil {
		return nil, errors.New("wecom callback: Crypto, Bot and Replies are required")
	}
	if o.Clock == nil {
		o.Clock = clock.System{}
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	cb := &Callback{
		crypto: o.Crypto, bot: o.Bot, replies: o.Replies, clock: o.Clock, log: o.Log,
		window: orDefault(o.Window, DefaultWindow), maxBody: o.MaxBody,
		budget: orDefault(o.ReplyBudget, DefaultReplyBudget),
	}
	if cb.maxBody <= 0 {
		cb.maxBody = DefaultMaxBody
	}
	if o.MaxInFlight > 0 {
		cb.handling = make(chan struct{}, o.MaxInFlight)
	}
	return cb, nil
}

func orDefault(d, def time.Duration) time.Duration {
	if d <= 0 {
		return def
	}
	return d
}

// MaxBody is the largest POST body Receive accepts; read at most one byte more.
func (cb *Callback) MaxBody() int64 { return cb.maxBody }

// VerifyURL answers WeCom's GET URL verification: the decrypted echostr.
func (cb *Callback) VerifyURL(q Query) ([]byte, error) {
	if err := cb.checkTime(q.Timestamp); err != nil {
		return nil, err
	}
	if q.EchoStr == "" {
		return nil, reject("bad_envelope", http.StatusBadRequest, fmt.Errorf("%w: echostr missing", ErrEnvelope))
	}
	if err := cb.crypto.Verify(q.Signature, q.Timestamp, q.Nonce, q.EchoStr); err != nil {
		return nil, reject("bad_signature", http.StatusForbidden, err)
	}
	plain, err := cb.crypto.Decrypt(q.EchoStr)
	if err != nil {
		return nil, decryptReject(err)
	}
	return plain, nil
}

// Receive handles one POST callback. A *RejectError means nothing was
// stored; any other error is internal (the delivery was rolled back, so
// WeCom's retry will be processed).
func (cb *Callback) Receive(ctx context.Context, q Query, body []byte) (Outcome, error) {
	if int64(len(body)) > cb.maxBody {
		return Outcome{}, reject("too_large", http.StatusRequestEntityTooLarge, ErrTooLarge)
	}
	if err := cb.checkTime(q.Timestamp); err != nil {
		return Outcome{}, err
	}
	env, err := ParseEnvelope(body)
	if err != nil {
		return Outcome{}, reject("bad_envelope", http.StatusBadRequest, err)
	}
	if err := cb.crypto.Verify(q.Signature, q.Timestamp, q.Nonce, env.Encrypt); err != nil {
		return Outcome{}, reject("bad_signature", http.StatusForbidden, err)
	}
	if env.ToUserName != "" && env.ToUserName != cb.crypto.ReceiveID() {
		return Outcome{}, reject("wrong_corp", http.StatusForbidden, fmt.Errorf("%w: envelope ToUserName", ErrReceiveID))
	}
	plain, err := cb.crypto.Decrypt(env.Encrypt)
	if err != nil {
		return Outcome{}, decryptReject(err)
	}
	msg, err := ParseMessage(plain)
	if err != nil {
		return Outcome{}, reject("bad_message", http.StatusBadRequest, err)
	}
	ev := msg.BotEvent()
	hctx, cancel := context.WithTimeout(ctx, cb.budget)
	defer cancel()
	reply, err := cb.handle(hctx, ev)
	if errors.Is(err, bot.ErrDuplicate) {
		return Outcome{Kind: ev.Kind, Duplicate: true}, nil
	}
	if err != nil {
		return Outcome{}, fmt.Errorf("wecom callback %s: %w", ev.Kind, err)
	}
	out, err := cb.deliver(ev, reply)
	if err != nil {
		// The effect is committed: answer 200 without a passive reply rather
		// than make WeCom retry a delivery that will now be a duplicate.
		cb.log.Error("wecom passive reply failed", "kind", ev.Kind, "err", err)
		out = nil
	}
	return Outcome{Body: out, Kind: ev.Kind}, nil
}

// handle runs the bot inside the MaxInFlight bound.
func (cb *Callback) handle(ctx context.Context, ev bot.Event) (bot.Reply, error) {
	if cb.handling != nil {
		select {
		case cb.handling <- struct{}{}:
			defer func() { <-cb.handling }()
		case <-ctx.Done():
			return bot.Reply{}, fmt.Errorf("waiting for a database slot: %w", ctx.Err())
		}
	}
	return cb.bot.HandleWith(ctx, ev, cb.queueLater)
}

func decryptReject(err error) error {
	if errors.Is(err, ErrReceiveID) {
		return reject("wrong_corp", http.StatusForbidden, err)
	}
	return reject("bad_ciphertext", http.StatusBadRequest, err)
}

// checkTime enforces the timestamp window against the injected clock.
func (cb *Callback) checkTime(ts string) error {
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return reject("stale_timestamp", http.StatusBadRequest, fmt.Errorf("%w: %q", ErrTimestamp, ts))
	}
	skew := cb.clock.Now().Unix() - sec
	if math.Abs(float64(skew)) > cb.window.Seconds() {
		return reject("stale_timestamp", http.StatusBadRequest, fmt.Errorf("%w: %ds from now", ErrTimestamp, skew))
	}
	return nil
}
