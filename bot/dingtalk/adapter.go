package dingtalk

import (
	"bytes"
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
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"time"

	"visitbot/bot"
	"visitbot/clock"
	"visitbot/config"
	"visitbot/models"
	"visitbot/outbox"
)

// ErrCardToken is a card callback whose path token is not the configured
// one; the route answers 404 so the URL does not reveal itself.
var ErrCardToken = errors.New("dingtalk: card callback path token does not match")

// ErrEventsDisabled is an event callback while event_token/event_aes_key are unset.
var ErrEventsDisabled = errors.New("dingtalk: event subscription is not configured")

// deliverTimeout bounds sending a reply after the effect committed.
const deliverTimeout = 30 * time.Second

// maxInFlightReplies bounds the replies sent in the background; beyond it
// the callback sends before answering (back-pressure instead of piling up).
const maxInFlightReplies = 64

// AdapterOptions wire an Adapter.
type AdapterOptions struct {
	Config    config.DingTalkConfig
	Bot       *bot.Bot
	Store     *models.Store
	Messenger *Messenger
	Clock     clock.Clock
	Log       *slog.Logger
	// HTTPClient posts replies to sessionWebhook URLs.
	HTTPClient *http.Client
	// Outbox queues every reply part that is not the synchronous card
	// answer as outbox rows in the delivery's own transaction (the app's
	// dispatcher sends them through the Messenger), instead of sending them
	// in the background after the answer. The app sets it; a crash then
	// loses no reply. Tests without a dispatcher leave it off.
	Outbox bool
}

// Adapter turns verified DingTalk callbacks into bot.Events and delivers
// the bot's replies. Handlers call one method per route.
type Adapter struct {
	opt      AdapterOptions
	crypto   *Crypto
	oapiHost *url.URL
	random   io.Reader
	inflight chan struct{}
	wg       sync.WaitGroup
	stream   *Stream // mode "stream" only
}

// NewAdapter checks the configuration and returns an Adapter. The event
// subscription is available only when event_token and event_aes_key are set.
func NewAdapter(o AdapterOptions) (*Adapter, error) {
	if o.Bot == nil || o.Messenger == nil {
		return nil, errors.New("dingtalk adapter: bot and messenger are required")
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
	if o.HTTPClient == nil {
		o.HTTPClient = &http.Client{Timeout: deliverTimeout}
	}
	a := &Adapter{opt: o, random: rand.Reader, inflight: make(chan struct{}, maxInFlightReplies)}
	u, err := url.Parse(o.Config.OAPIBase)
	if err != nil || u.Host == "" {
		return nil, fmt.Errorf("dingtalk adapter: oapi_base %q is not a URL", o.Config.OAPIBase)
	}
	a.oapiHost = u
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

// Flush waits for the replies still being sent in the background; call it
// on shutdown (and in tests before looking at what was sent).
func (a *Adapter) Flush() { a.wg.Wait() }

// Robot handles one robot callback: sign check first (nothing is read
// before it), then dedupe by msgId through the bot, then the reply goes to
// the sessionWebhook while it lives, else through the API.
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
	reply, err := a.handle(ctx, ev, "")
	if errors.Is(err, bot.ErrDuplicate) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("dingtalk robot message: %w", err)
	}
	a.deliverLater(ctx, msg.SenderStaffID, ev, reply, msg)
	return nil
}

// handle runs the bot; in Outbox mode everything but the clicked card's
// update (answered synchronously, answerTask) is queued in the delivery's
// transaction and the returned reply holds only that update.
func (a *Adapter) handle(ctx context.Context, ev bot.Event, answerTask string) (bot.Reply, error) {
	if !a.opt.Outbox {
		return a.opt.Bot.Handle(ctx, ev)
	}
	return a.opt.Bot.HandleWith(ctx, ev, func(ctx context.Context, tx *models.Store, u *models.User, ev bot.Event, r bot.Reply) (bot.Reply, error) {
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
		return keep, outbox.QueueReply(ctx, tx, bot.DingTalk, to, ev, r.Update, msgs)
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
		reply.Update = nil
	}
	a.deliverLater(ctx, cb.UserID, ev, reply, nil)
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

// deliverLater sends a committed reply after the callback is answered, so
// the answer stays fast even when the QPS limiter makes a send wait. When
// maxInFlightReplies are already under way it sends before answering.
// Only without AdapterOptions.Outbox (tests): a crash in that moment loses
// the reply (never the effect, which is committed).
func (a *Adapter) deliverLater(ctx context.Context, userID string, ev bot.Event, reply bot.Reply, msg *RobotMessage) {
	if reply.IsEmpty() {
		return
	}
	ctx = context.WithoutCancel(ctx)
	select {
	case a.inflight <- struct{}{}:
		a.wg.Add(1)
		go func() {
			defer func() { <-a.inflight; a.wg.Done() }()
			a.deliver(ctx, userID, ev, reply, msg)
		}()
	default:
		a.deliver(ctx, userID, ev, reply, msg)
	}
}

// deliver sends a committed reply. Failures are logged, not returned: the
// effect is stored, and a platform retry would only be a duplicate.
func (a *Adapter) deliver(ctx context.Context, userID string, ev bot.Event, reply bot.Reply, msg *RobotMessage) {
	ctx, cancel := context.WithTimeout(ctx, deliverTimeout)
	defer cancel()
	to, err := a.recipient(ctx, userID)
	if err != nil {
		a.opt.Log.Error("dingtalk reply: recipient", "err", err)
		return
	}
	if reply.Update != nil {
		upd := *reply.Update
		if upd.TaskID == "" && ev.Action != nil {
			upd.TaskID = ev.Action.TaskID
		}
		if err := a.opt.Messenger.Update(ctx, to, upd); err != nil {
			a.opt.Log.Error("dingtalk reply: card update", "task_id", upd.TaskID, "err", err)
		}
	}
	for _, t := range reply.Texts {
		if msg != nil && msg.SessionWebhookUsable(a.opt.Clock.Now()) && a.sessionWebhookAllowed(msg.SessionWebhook) {
			err := a.postSession(ctx, msg.SessionWebhook, t)
			if err == nil {
				continue
			}
			a.opt.Log.Warn("dingtalk reply: sessionWebhook failed, using the API", "err", err)
		}
		if _, err := a.opt.Messenger.Send(ctx, to, bot.Message{Text: t}); err != nil {
			a.opt.Log.Error("dingtalk reply: text", "err", err)
		}
	}
	for i := range reply.Cards {
		if _, err := a.opt.Messenger.Send(ctx, to, bot.Message{Card: &reply.Cards[i]}); err != nil {
			a.opt.Log.Error("dingtalk reply: card", "task_id", reply.Cards[i].TaskID, "err", err)
		}
	}
}

func (a *Adapter) recipient(ctx context.Context, userID string) (bot.Recipient, error) {
	to := bot.Recipient{PlatformUserID: userID}
	if a.opt.Store == nil {
		return to, nil
	}
	u, err := a.opt.Store.Users.UserByPlatformID(ctx, string(bot.DingTalk), userID)
	if errors.Is(err, models.ErrNotFound) {
		return to, nil
	}
	if err != nil {
		return to, err
	}
	to.UserID = u.ID
	return to, nil
}

// sessionWebhookAllowed accepts only webhooks on DingTalk's oapi host: the
// robot sign covers the timestamp, not the body, so a replayed body must
// not make visitbot post to an arbitrary URL.
func (a *Adapter) sessionWebhookAllowed(raw string) bool {
	u, err := url.Parse(raw)
	return err == nil && u.Scheme == a.oapiHost.Scheme && u.Host == a.oapiHost.Host
}

// postSession posts a text to a robot conversation's sessionWebhook.
func (a *Adapter) postSession(ctx context.Context, webhook, text string) error {
	body, _ := json.Marshal(map[string]any{"msgtype": "text", "text": map[string]string{"content": text}})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, webhook, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("sessionWebhook: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := a.opt.HTTPClient.Do(req)
	if err != nil {
		// The webhook URL carries a session credential: log only the host.
		return fmt.Errorf("sessionWebhook on %s: request failed", a.oapiHost.Host)
	}
	defer resp.Body.Close()
	var out struct {
		ErrCode int    `json:"errcode"`
		ErrMsg  string `json:"errmsg"`
	}
	_ = json.NewDecoder(io.LimitReader(resp.Body, 64<<10)).Decode(&out)
	if resp.StatusCode != http.StatusOK || out.ErrCode != 0 {
		return fmt.Errorf("sessionWebhook: HTTP %d errcode %d %s", resp.StatusCode, out.ErrCode, out.ErrMsg)
	}
	return nil
}
