package dingtalk

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"visitbot/bot"
	"visitbot/cards"
	"visitbot/models"
)

// flowControlRetryAfter is how long the outbox waits for a user DingTalk
// still throttled after the in-call retries.
const flowControlRetryAfter = 30 * time.Second

// MessengerOptions configure a Messenger.
type MessengerOptions struct {
	Client *Client
	// Templates maps a card kind to its advanced card template id
	// (dingtalk.card_templates); kinds without one use the fallback.
	Templates map[string]string
	// PublicURL is server.public_url: fallback forms link to its H5 pages.
	PublicURL string
	// CallbackType is CallbackHTTP or CallbackStream (dingtalk.mode).
	CallbackType string
	// Store finds a card's kind when an update does not carry the card.
	Store *models.Store
}

// Messenger sends texts and cards to DingTalk users: texts and fallback
// cards as robot messages (oToMessages/batchSend), cards with a configured
// template as advanced interactive cards. Safe for concurrent use.
type Messenger struct {
	opt MessengerOptions
}

var _ bot.Messenger = (*Messenger)(nil)

// NewMessenger returns a Messenger.
func NewMessenger(o MessengerOptions) (*Messenger, error) {
	if o.Client == nil {
		return nil, errors.New("dingtalk messenger: client is required")
	}
	if o.CallbackType == "" {
		o.CallbackType = CallbackHTTP
	}
	if o.Templates == nil {
		o.Templates = map[string]string{}
	}
	return &Messenger{opt: o}, nil
}

// Platform is DingTalk.
func (m *Messenger) Platform() bot.Platform { return bot.DingTalk }

// TemplateFor is the advanced card template id of a card kind ("" = fallback).
func (m *Messenger) TemplateFor(kind string) string { return m.opt.Templates[kind] }

// Send delivers a text (sampleMarkdown) or a card. MsgID is the robot
// message's processQueryKey, or the card's outTrackId (= card.TaskID).
func (m *Messenger) Send(ctx context.Context, to bot.Recipient, msg bot.Message) (bot.SendResult, error) {
	if to.PlatformUserID == "" {
		return bot.SendResult{}, bot.Permanent(errors.New("dingtalk send: recipient has no DingTalk user id"))
	}
	switch {
	case msg.Card != nil:
		return m.sendCard(ctx, to, *msg.Card)
	case msg.Text != "":
		return m.sendRobot(ctx, to, cards.DingTalkMarkdown("", textAsMarkdown(msg.Text)))
	}
	return bot.SendResult{}, bot.Permanent(errors.New("dingtalk send: empty message"))
}

func (m *Messenger) sendCard(ctx context.Context, to bot.Recipient, c cards.Card) (bot.SendResult, error) {
	tid := m.opt.Templates[c.Kind]
	if tid == "" || c.TaskID == "" {
		fb, err := cards.RenderDingTalkFallback(c, m.opt.PublicURL)
		if err != nil {
			return bot.SendResult{}, bot.Permanent(fmt.Errorf("dingtalk send card %s: %w", c.TaskID, err))
		}
		return m.sendRobot(ctx, to, fb)
	}
	params, err := cards.RenderDingTalkParams(c)
	if err != nil {
		return bot.SendResult{}, bot.Permanent(fmt.Errorf("dingtalk send card %s: %w", c.TaskID, err))
	}
	err = m.opt.Client.CreateAndDeliver(ctx, to.PlatformUserID, tid, c.TaskID, m.opt.CallbackType, params)
	var ae *APIError
	switch {
	case errors.As(err, &ae) && ae.Code == CodeOutTrackIDExists:
		// The outTrackId (the card task id, fixed at enqueue) is the
		// card's idempotency key: an earlier attempt, whose answer was
		// lost to a crash or a timeout, delivered this card already.
		return bot.SendResult{MsgID: c.TaskID}, nil
	case err != nil:
		return bot.SendResult{}, fmt.Errorf("dingtalk send card %s: %w", c.TaskID, err)
	}
	return bot.SendResult{MsgID: c.TaskID}, nil
}

func (m *Messenger) sendRobot(ctx context.Context, to bot.Recipient, msg cards.DingTalkMessage) (bot.SendResult, error) {
	res, err := m.opt.Client.BatchSend(ctx, []string{to.PlatformUserID}, msg)
	if err != nil {
		return bot.SendResult{}, fmt.Errorf("dingtalk send %s: %w", msg.MsgKey, err)
	}
	if slices.Contains(res.Invalid, to.PlatformUserID) {
		return bot.SendResult{}, bot.Permanent(fmt.Errorf("dingtalk send %s: user id %q is invalid for this app", msg.MsgKey, to.PlatformUserID))
	}
	if slices.Contains(res.FlowControlled, to.PlatformUserID) {
		return bot.SendResult{}, &bot.RetryAfterError{After: flowControlRetryAfter,
			Err: fmt.Errorf("dingtalk send %s: user is flow-controlled", msg.MsgKey)}
	}
	return bot.SendResult{MsgID: res.ProcessQueryKey}, nil
}

// Update changes a delivered card: an advanced card gets a PUT with the
// frozen state (ReplaceName) or the whole new card's params; a fallback
// robot message cannot change, so the user gets a short text (or the new
// card) instead.
func (m *Messenger) Update(ctx context.Context, to bot.Recipient, upd bot.CardUpdate) error {
	if upd.TaskID == "" {
		return bot.Permanent(errors.New("dingtalk update: task id is required"))
	}
	kind := ""
	if upd.Card != nil {
		kind = upd.Card.Kind
	} else if m.opt.Store != nil {
		task, err := m.opt.Store.Cards.CardTaskByTaskID(ctx, upd.TaskID)
		if err != nil && !errors.Is(err, models.ErrNotFound) {
			return fmt.Errorf("dingtalk update %s: %w", upd.TaskID, err)
		}
		if task != nil {
			kind = task.Kind
		}
	}
	advanced := m.opt.Templates[kind] != ""
	switch {
	case advanced && upd.Card != nil:
		params, err := cards.RenderDingTalkParams(*upd.Card)
		if err != nil {
			return bot.Permanent(fmt.Errorf("dingtalk update %s: %w", upd.TaskID, err))
		}
		return m.opt.Client.UpdateCard(ctx, upd.TaskID, params)
	case advanced && upd.ReplaceName != "":
		return m.opt.Client.UpdateCard(ctx, upd.TaskID, cards.DingTalkFrozenParams(upd.ReplaceName))
	case upd.Card != nil:
		c := *upd.Card
		c.TaskID = upd.TaskID
		_, err := m.sendCard(ctx, to, c)
		return err
	case upd.ReplaceName != "":
		_, err := m.sendRobot(ctx, to, cards.DingTalkMarkdown(upd.ReplaceName, "**"+upd.ReplaceName+"**"))
		return err
	}
	return bot.Permanent(errors.New("dingtalk update: nothing to change"))
}
