package dingtalk

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strconv"

	"visitbot/bot"
	"visitbot/clock"
	"visitbot/config"
)

// ErrCardToken is a card callback whose path token is not the configured
// one; the route answers 404 so the URL does not reveal itself.
var ErrCardToken = errors.New("dingtalk: card callback path token does not match")

// ErrEventsDisabled is an event callback while event_token/event_aes_key are unset.
var ErrEventsDisabled = errors.New("dingtalk: event subscription is not configured")

// AdapterOptions wire an Adapter.
type AdapterOptions struct {
	Config    config.DingTalkConfig
	Bot       *bot.Bot
	Messenger *Messenger
	// Replies queues every reply part that is not the synchronous card
	// answer in the delivery's own transaction; the outbox dispatcher sends
	// it through the Messenger, so a crash after the answer loses nothing.
	Replies bot.ReplyQueue
	Clock   clock.Clock
	Log     *slog.Logger
	// MaxInFlight bounds concurrent bot transactions across the HTTP routes
	// and the Stream (0 = unbounded). With SQLite, which has one writer, 1
	// queues deliveries in process, as on WeCom, instead of leaving them to
	// SQLite's sleeping busy handler.
	MaxInFlight int
}

// Adapter turns verified DingTalk callbacks into bot.Events and delivers
// the bot's replies. Handlers call one method per route.
type Adapter struct {
	opt    AdapterOptions
	crypto *Crypto
	random io.Reader
	stream *Stream // mode "stream" only
	// handling holds one token per bot transaction in flight (MaxInFlight).
	handling chan struct{}
}

// NewAdapter checks the configuration and returns an Adapter. The event
// subscription is available only when event_token and event_aes_key are set.
func NewAdapter(o AdapterOptions) (*Adapter, error) {
	if o.Bot == nil || o.Messenger == nil || o.Replies == nil {
		return nil, errors.New("dingtalk adapter: bot, messenger and replies are required")
	}
	if o.Config.AppSecret == "" {
		return nil, errors.New("dingtalk adapter: app_secret is required")
	}
	if o.Clock == nil {
		o.Clock = clock.System{}
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	a := &Adapter{opt: o, random: rand.Reader}
	if o.MaxInFlight > 0 {
		a.handling = make(chan struct{}, o.MaxInFlight)
	}
	if o.Config.EventToken != "" || o.Config.EventAESKey != "" {
		c, err := NewCrypto(o.Config.EventToken, o.Config.EventAESKey, o.Config.AppKey)
		if err != nil {
			return nil, err
		}
		a.crypto = c
	}
	return a, nil
}

// Messenger is the adapter's outbound side.
func (a *Adapter) Messenger() *Messenger { return a.opt.Messenger }

// Client is the API client behind the Messenger (the web sign-in borrows its token).
func (a *Adapter) Client() *Client { return a.opt.Messenger.opt.Client }

// Start connects the Stream transport in mode "stream" (a no-op in mode
// "http", where DingTalk calls the routes); it disconnects when ctx ends.
func (a *Adapter) Start(ctx context.Context) error {
	if a.stream == nil {
		return nil
	}
	return a.stream.Start(ctx)
}

// Robot handles one robot callback: sign check first (nothing is read
// before it), then dedupe by msgId through the bot; the reply is queued in
// the outbox with the effect.
func (a *Adapter) Robot(ctx context.Context, timestamp, sign string, body []byte) error {
	if err := VerifyRobotSign(a.opt.Config.AppSecret, timestamp, sign, a.opt.Clock.Now()); err != nil {
		return err
	}
	return a.robotMessage(ctx, body)
}

// robotMessage handles a robot message from an authenticated transport
// (the signed HTTP callback, or the Stream connection).
func (a *Adapter) robotMessage(ctx context.Context, body []byte) error {
	msg, err := ParseRobotMessage(body)
	if err != nil {
		return err
	}
	ev := msg.Event(body)
	if ev.Kind == bot.EventText {
		if act, ok := parseCardCommand(ev.Text); ok {
			// Keyed like an advanced card's callback: tapping the same
			// fallback button twice is one action, whatever the msgId.
			cb := CardCallback{OutTrackID: act.TaskID, UserID: ev.From, Content: ev.Text}
			ev.Kind, ev.Action, ev.Text, ev.DeliveryKey = bot.EventCardAction, act, "", cb.DeliveryKey()
		}
	}
	_, err = a.handle(ctx, ev, "")
	if err != nil && !errors.Is(err, bot.ErrDuplicate) {
		return fmt.Errorf("dingtalk robot message: %w", err)
	}
	return nil
}

// handle runs the bot; everything but the clicked card's update (answered
// synchronously, answerTask) is queued in the delivery's transaction and the
// returned reply holds only that update.
func (a *Adapter) handle(ctx context.Context, ev bot.Event, answerTask string) (bot.Reply, error) {
	if a.handling != nil {
		select {
		case a.handling <- struct{}{}:
			defer func() { <-a.handling }()
		case <-ctx.Done():
			return bot.Reply{}, fmt.Errorf("dingtalk: waiting for a database slot: %w", ctx.Err())
		}
	}
	return a.opt.Bot.HandleWith(ctx, ev, func(ctx context.Context, u bot.User, ev bot.Event, r bot.Reply) (bot.Reply, error) {
		var keep bot.Reply
		if upd := r.Update; upd != nil && answerTask != "" && (upd.TaskID == "" || upd.TaskID == answerTask) {
			keep.Update, r.Update = upd, nil
		}
		msgs := make([]bot.Message, 0, len(r.Texts)+len(r.Cards))
		for _, t := range r.Texts {
			msgs = append(msgs, bot.Message{Text: t})
		}
		for i := range r.Cards {
			msgs = append(msgs, bot.Message{Card: &r.Cards[i]})
		}
		to := bot.Recipient{UserID: u.ID, PlatformUserID: ev.From}
		return keep, a.opt.Replies.QueueReply(ctx, bot.DingTalk, to, ev, r.Update, msgs)
	})
}

// Card handles an advanced card callback. A wrong path token is
// ErrCardToken; ownership and expiry are the bot's checks. The card update
// is the synchronous answer; texts and cards of the reply go out by API.
func (a *Adapter) Card(ctx context.Context, pathToken string, body []byte) (CardAnswer, error) {
	want := a.opt.Config.CardCallbackToken
	// Hashing first makes the comparison constant-time in the length too.
	got, exp := sha256.Sum256([]byte(pathToken)), sha256.Sum256([]byte(want))
	if want == "" || subtle.ConstantTimeCompare(got[:], exp[:]) != 1 {
		return CardAnswer{}, ErrCardToken
	}
	cb, err := ParseCardCallback(body)
	if err != nil {
		return CardAnswer{}, err
	}
	return a.HandleCardCallback(ctx, cb)
}

// HandleCardCallback runs a parsed card callback (HTTP route or Stream).
func (a *Adapter) HandleCardCallback(ctx context.Context, cb *CardCallback) (CardAnswer, error) {
	ev := cb.Event()
	reply, err := a.handle(ctx, ev, cb.OutTrackID)
	if errors.Is(err, bot.ErrDuplicate) {
		return CardAnswer{}, nil
	}
	if err != nil {
		return CardAnswer{}, fmt.Errorf("dingtalk card callback: %w", err)
	}
	var ans CardAnswer
	// The clicked card changes through the answer; an update of another
	// card goes out by API with the rest of the reply.
	if u := reply.Update; u != nil && (u.TaskID == "" || u.TaskID == cb.OutTrackID) {
		if ans, err = AnswerFor(u); err != nil {
			a.opt.Log.Error("dingtalk card update does not render", "task_id", cb.OutTrackID, "err", err)
			ans = CardAnswer{}
		}
	}
	return ans, nil
}

// EventQuery is the query of an event callback; DingTalk has used both
// spellings of signature and timestamp.
type EventQuery struct {
	Signature string
	Timestamp string
	Nonce     string
}

// Event handles an encrypted event callback: signature, decryption and
// owner key first; check_url is only answered; anything else is stored
// once (dedupe by payload hash). Every success answer is the encrypted
// "success" envelope.
func (a *Adapter) Event(ctx context.Context, q EventQuery, body []byte) (Envelope, error) {
	if a.crypto == nil {
		return Envelope{}, ErrEventsDisabled
	}
	var in struct {
		Encrypt string `json:"encrypt"`
	}
	if err := json.Unmarshal(body, &in); err != nil || in.Encrypt == "" {
		return Envelope{}, fmt.Errorf("%w: body is not {\"encrypt\":…}", ErrCiphertext)
	}
	if err := a.crypto.Verify(q.Signature, q.Timestamp, q.Nonce, in.Encrypt); err != nil {
		return Envelope{}, err
	}
	plain, err := a.crypto.Decrypt(in.Encrypt)
	if err != nil {
		return Envelope{}, err
	}
	ev, err := ParseSubscriptionEvent(plain)
	if err != nil {
		return Envelope{}, err
	}
	if ev.Type != EventCheckURL {
		if _, err := a.opt.Bot.Handle(ctx, ev.Event()); err != nil && !errors.Is(err, bot.ErrDuplicate) {
			return Envelope{}, fmt.Errorf("dingtalk event %s: %w", ev.Type, err)
		}
	}
	return a.success()
}

func (a *Adapter) success() (Envelope, error) {
	var n [8]byte
	if _, err := io.ReadFull(a.random, n[:]); err != nil {
		return Envelope{}, fmt.Errorf("dingtalk event answer: %w", err)
	}
	ts := strconv.FormatInt(a.opt.Clock.Now().UnixMilli(), 10)
	return a.crypto.Seal([]byte("success"), ts, hex.EncodeToString(n[:]))
}
