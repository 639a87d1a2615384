package bot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"visitbot/cards"
	"visitbot/clock"
)

// ErrDuplicate is returned by Handle for a delivery already processed; the
// platform adapter answers it like a success (WeCom/DingTalk retries).
var ErrDuplicate = errors.New("duplicate delivery")

// Reply is the bot's answer to one event. The platform adapter delivers it:
// passively inside the callback where the platform allows, otherwise through
// its API.
type Reply struct {
	Texts []string
	Cards []cards.Card
	// Update changes the card that was clicked (WeCom update_button / whole card).
	Update *CardUpdate
}

// Text is a Reply with one text.
func Text(s string) Reply { return Reply{Texts: []string{s}} }

// Textf is a Reply with one formatted text.
func Textf(format string, args ...any) Reply {
	return Reply{Texts: []string{fmt.Sprintf(format, args...)}}
}

// IsEmpty reports whether the reply carries nothing.
func (r Reply) IsEmpty() bool { return len(r.Texts) == 0 && len(r.Cards) == 0 && r.Update == nil }

// Request is what a handler sees: the event and its sender. Ctx carries
// the transaction that also records the delivery key: every store call made
// with it is part of the same all-or-nothing effect.
type Request struct {
	Ctx   context.Context
	User  User
	Event Event
	Now   time.Time
	// Today is the calendar day in the business time zone.
	Today string
}

// ActionHandler handles a card action whose key starts with its prefix. The
// task is the stored card the click belongs to; ownership is already checked.
type ActionHandler func(req *Request, task CardTask) (Reply, error)

// LocationHandler handles a shared or reported location.
type LocationHandler func(req *Request) (Reply, error)

// TextHandler gets free text that is not a command; handled=false falls
// through to the "unknown command" hint.
type TextHandler func(req *Request) (reply Reply, handled bool, err error)

// Bot routes events. Build it with New, register everything, then Seal; it
// is safe for concurrent use after that.
type Bot struct {
	store    Store
	clock    clock.Clock
	loc      *time.Location
	log      *slog.Logger
	commands *Commands
	actions  map[string]ActionHandler
	location LocationHandler
	texts    []TextHandler
	enter    LocationHandler
	errs     []error
}

// New returns a Bot over store with the built-in help command registered.
func New(store Store, clk clock.Clock, loc *time.Location, log *slog.Logger) *Bot {
	b := &Bot{store: store, clock: clk, loc: loc, log: log, commands: NewCommands(), actions: map[string]ActionHandler{}}
	return b
}

// Commands is the command registry (for help generation and tests).
func (b *Bot) Commands() *Commands { return b.commands }

// Command registers a command; a duplicate name or alias is reported by Seal.
func (b *Bot) Command(c Command) {
	if err := b.commands.Add(c); err != nil {
		b.errs = append(b.errs, err)
	}
}

// Action registers the handler for card action keys "prefix" or "prefix:…".
func (b *Bot) Action(prefix string, h ActionHandler) {
	if prefix == "" || strings.Contains(prefix, ":") {
		b.errs = append(b.errs, fmt.Errorf("action prefix %q: must be non-empty without ':'", prefix))
		return
	}
	if _, dup := b.actions[prefix]; dup {
		b.errs = append(b.errs, fmt.Errorf("action prefix %q registered twice", prefix))
		return
	}
	b.actions[prefix] = h
}

// Routes reports whether a card action key ("prefix" or "prefix:…") has a
// registered handler.
func (b *Bot) Routes(key string) bool {
	prefix, _, _ := strings.Cut(key, ":")
	_, ok := b.actions[prefix]
	return ok
}

// OnLocation sets the location handler (check-in).
func (b *Bot) OnLocation(h LocationHandler) { b.location = h }

// OnEnter sets the handler for a user opening the app.
func (b *Bot) OnEnter(h LocationHandler) { b.enter = h }

// OnText adds a free-text handler, tried in order before the unknown hint.
func (b *Bot) OnText(h TextHandler) { b.texts = append(b.texts, h) }

// Seal fails if any registration was invalid (duplicate names, bad prefixes),
// so a broken bot stops at startup rather than at the first message.
func (b *Bot) Seal() error {
	b.commands.addHelp()
	return errors.Join(b.errs...)
}

// Splitter lets a platform adapter decide, inside the delivery's
// transaction (ctx carries it), which part of a reply goes back in the
// callback answer: it returns that part and queues the rest (a ReplyQueue),
// so the reply is committed together with its effect and survives a crash.
type Splitter func(ctx context.Context, user User, ev Event, r Reply) (Reply, error)

// Handle processes one event exactly once: the delivery key and every effect
// (rows, outbox messages) commit in one transaction. A repeated delivery
// returns ErrDuplicate and changes nothing.
func (b *Bot) Handle(ctx context.Context, ev Event) (Reply, error) { return b.HandleWith(ctx, ev, nil) }

// HandleWith is Handle with a Splitter applied to the reply inside the
// transaction (nil: the whole reply is returned).
func (b *Bot) HandleWith(ctx context.Context, ev Event, split Splitter) (Reply, error) {
	var reply Reply
	err := b.store.Tx(ctx, func(ctx context.Context) error {
		if ev.DeliveryKey != "" {
			if err := b.store.RecordDelivery(ctx, ev.Platform, ev.DeliveryKey, ev.Kind); err != nil {
				if errors.Is(err, ErrDuplicate) {
					return ErrDuplicate
				}
				return fmt.Errorf("record delivery: %w", err)
			}
		}
		user, r, err := b.route(ctx, ev)
		if err != nil || split == nil || user == nil || r.IsEmpty() {
			reply = r
			return err
		}
		reply, err = split(ctx, *user, ev, r)
		return err
	})
	if errors.Is(err, ErrDuplicate) {
		return Reply{}, ErrDuplicate
	}
	if err != nil {
		var ue *UserError
		if errors.As(err, &ue) {
			// A user mistake: nothing was written, tell them why.
			return Text(ue.Message), nil
		}
		return Reply{}, err
	}
	return reply, nil
}

// UserError is a refusal or validation failure shown to the user in Chinese;
// returning it from a handler rolls back the transaction.
type UserError struct{ Message string }

func (e *UserError) Error() string { return e.Message }

// Refuse returns a UserError with a Chinese message for the chat.
func Refuse(format string, args ...any) error {
	return &UserError{Message: fmt.Sprintf(format, args...)}
}

// route finds the sender and runs the event's handler; user is nil for an
// unknown sender.
func (b *Bot) route(ctx context.Context, ev Event) (*User, Reply, error) {
	now := b.clock.Now()
	user, err := b.store.UserByPlatformID(ctx, ev.Platform, ev.From)
	if errors.Is(err, ErrUnknownUser) {
		if ev.Kind == EventUnknown {
			return nil, Reply{}, b.store.StoreRawEvent(ctx, ev.Platform, ev.RawType, ev.Raw)
		}
		b.log.Info("event from unknown user", "platform", ev.Platform, "kind", ev.Kind)
		return nil, Text(MsgUnknownUser), nil
	}
	if err != nil {
		return nil, Reply{}, fmt.Errorf("look up sender: %w", err)
	}
	req := &Request{Ctx: ctx, User: user, Event: ev, Now: now, Today: clock.Day(now, b.loc)}
	r, err := b.dispatch(req)
	return &user, r, err
}

func (b *Bot) dispatch(req *Request) (Reply, error) {
	ev, ctx := req.Event, req.Ctx
	switch ev.Kind {
	case EventText:
		return b.handleText(req)
	case EventCardAction:
		return b.handleAction(req)
	case EventLocation:
		if b.location == nil {
			return Text(MsgLocationUnsupported), nil
		}
		return b.location(req)
	case EventEnter:
		if b.enter == nil {
			return Reply{}, nil
		}
		return b.enter(req)
	default:
		return Reply{}, b.store.StoreRawEvent(ctx, ev.Platform, ev.RawType, ev.Raw)
	}
}

func (b *Bot) handleText(req *Request) (Reply, error) {
	text := strings.TrimSpace(req.Event.Text)
	if text == "" {
		return Text(MsgEmptyText), nil
	}
	if cmd, args, ok := b.commands.Match(text); ok {
		return b.commands.run(req, cmd, args, b.store)
	}
	for _, h := range b.texts {
		reply, handled, err := h(req)
		if err != nil || handled {
			return reply, err
		}
	}
	return Text(MsgUnknownCommand), nil
}

func (b *Bot) handleAction(req *Request) (Reply, error) {
	a := req.Event.Action
	if a == nil || a.TaskID == "" {
		return Text(MsgCardExpired), nil
	}
	task, err := b.store.CardTask(req.Ctx, a.TaskID)
	if errors.Is(err, ErrNoCard) {
		return Text(MsgCardExpired), nil
	}
	if err != nil {
		return Reply{}, fmt.Errorf("load card task: %w", err)
	}
	if task.UserID != req.User.ID {
		b.log.Warn("card action by non-owner refused", "task_id", a.TaskID, "user", req.User.UserID)
		if err := b.store.Audit(req.Ctx, req.User.ID, "card_action_refused", a.TaskID, map[string]string{"key": a.Key}); err != nil {
			return Reply{}, err
		}
		return Text(MsgNotYourCard), nil
	}
	if a.ResponseCode != "" {
		if err := b.store.SetCardResponseCode(req.Ctx, a.TaskID, a.ResponseCode); err != nil {
			return Reply{}, err
		}
	}
	prefix, _, _ := strings.Cut(a.Key, ":")
	h, ok := b.actions[prefix]
	if !ok {
		b.log.Warn("card action with unknown key", "key", a.Key)
		return Text(MsgCardExpired), nil
	}
	return h(req, task)
}
