package wecom

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"visitbot/bot"
	"visitbot/cards"
	"visitbot/models"
)

// RateLimitWait is what a 45009/45033 asks the outbox to wait before the
// next try (WeCom counts API frequency per minute).
const RateLimitWait = time.Minute

// DuplicateCheckInterval is WeCom's default duplicate_check_interval: a
// message re-sent within it (same member and content) after an ambiguous
// failure or a crash is not shown twice.
const DuplicateCheckInterval = 30 * time.Minute

// sendRequest is message/send (document 90236) with AgentID as an int
// (silenceper's SendRequestCommon has it as a string).
type sendRequest struct {
	ToUser                 string           `json:"touser"`
	MsgType                string           `json:"msgtype"`
	AgentID                int              `json:"agentid"`
	Text                   *textContent     `json:"text,omitempty"`
	TemplateCard           *cards.WeComCard `json:"template_card,omitempty"`
	EnableDuplicateCheck   int              `json:"enable_duplicate_check,omitempty"`
	DuplicateCheckInterval int              `json:"duplicate_check_interval,omitempty"`
}

type textContent struct {
	Content string `json:"content"`
}

type sendResponse struct {
	apiResult
	InvalidUser  string `json:"invaliduser"`
	MsgID        string `json:"msgid"`
	ResponseCode string `json:"response_code"`
}

// updateRequest is update_template_card (document 94888): either Button
// (grey every button with ReplaceName) or a whole TemplateCard.
type updateRequest struct {
	UserIDs      []string         `json:"userids"`
	AgentID      int              `json:"agentid"`
	ResponseCode string           `json:"response_code"`
	Button       *updateButton    `json:"button,omitempty"`
	TemplateCard *cards.WeComCard `json:"template_card,omitempty"`
}

type updateButton struct {
	ReplaceName string `json:"replace_name"`
}

type updateResponse struct {
	apiResult
	InvalidUser []string `json:"invaliduser"`
}

// Messenger is bot.Messenger for WeCom: texts and template cards through
// message/send, card updates through update_template_card. It records each
// card's msgid and newest response_code on its card task. Errors are
// classified for the outbox: bot.ErrPermanent for what a retry cannot fix,
// *bot.RetryAfterError for rate limits, anything else is transient.
type Messenger struct {
	client *Client
	store  *models.Store
	log    *slog.Logger
	// dupCheck is the duplicate_check_interval in seconds of every send.
	dupCheck int
}

var _ bot.Messenger = (*Messenger)(nil)

// NewMessenger returns a Messenger; store may be nil (nothing recorded).
// Every message/send carries enable_duplicate_check with dupCheck
// (wecom.duplicate_check_interval; 0 = DuplicateCheckInterval), so a resend
// of a message WeCom already took (a crash before the outbox recorded it, a
// timed-out call) reaches the member once.
func NewMessenger(client *Client, store *models.Store, log *slog.Logger, dupCheck time.Duration) *Messenger {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if dupCheck <= 0 {
		dupCheck = DuplicateCheckInterval
	}
	return &Messenger{client: client, store: store, log: log, dupCheck: int(dupCheck / time.Second)}
}

// Platform is bot.WeCom.
func (m *Messenger) Platform() bot.Platform { return bot.WeCom }

// Send delivers one text or card to one member.
func (m *Messenger) Send(ctx context.Context, to bot.Recipient, msg bot.Message) (bot.SendResult, error) {
	if to.PlatformUserID == "" {
		return bot.SendResult{}, bot.Permanent(errors.New("wecom send: recipient has no WeCom userid"))
	}
	req := sendRequest{ToUser: to.PlatformUserID, AgentID: m.client.AgentID(), EnableDuplicateCheck: 1, DuplicateCheckInterval: m.dupCheck}
	switch {
	case msg.Card != nil:
		card, err := cards.RenderWeCom(*msg.Card)
		if err != nil {
			return bot.SendResult{}, bot.Permanent(err)
		}
		req.MsgType, req.TemplateCard = "template_card", card
	case msg.Text != "":
		req.MsgType, req.Text = "text", &textContent{Content: msg.Text}
	default:
		return bot.SendResult{}, bot.Permanent(errors.New("wecom send: empty message"))
	}
	var resp sendResponse
	if err := m.client.postOnce(ctx, "/cgi-bin/message/send", req, &resp); err != nil {
		return bot.SendResult{}, classify(err)
	}
	if resp.InvalidUser != "" {
		return bot.SendResult{}, bot.Permanent(fmt.Errorf("wecom send: invalid user %q", resp.InvalidUser))
	}
	res := bot.SendResult{MsgID: resp.MsgID, ResponseCode: resp.ResponseCode}
	if msg.Card != nil && msg.Card.TaskID != "" && m.store != nil {
		// The message is out: a failure to record it must not make the outbox send it again.
		if err := m.store.Cards.SetCardMsgID(ctx, msg.Card.TaskID, resp.MsgID, resp.ResponseCode); err != nil {
			m.log.Error("wecom send: recording msgid failed", "task_id", msg.Card.TaskID, "err", err)
		}
	}
	return res, nil
}

// Update changes a card the member already has: grey its buttons
// (ReplaceName) or replace it (Card). Without a response code in upd it
// uses the newest one stored for the task; each code works once.
func (m *Messenger) Update(ctx context.Context, to bot.Recipient, upd bot.CardUpdate) error {
	if to.PlatformUserID == "" {
		return bot.Permanent(errors.New("wecom update: recipient has no WeCom userid"))
	}
	code := upd.ResponseCode
	if code == "" && m.store != nil && upd.TaskID != "" {
		task, err := m.store.Cards.CardTaskByTaskID(ctx, upd.TaskID)
		if err != nil && !errors.Is(err, models.ErrNotFound) {
			return fmt.Errorf("wecom update %s: %w", upd.TaskID, err)
		}
		if task != nil {
			code = task.ResponseCode
		}
	}
	if code == "" {
		return bot.Permanent(fmt.Errorf("wecom update %s: no response_code to update with", upd.TaskID))
	}
	req := updateRequest{UserIDs: []string{to.PlatformUserID}, AgentID: m.client.AgentID(), ResponseCode: code}
	switch {
	case upd.Card != nil:
		c := *upd.Card
		if c.TaskID == "" {
			c.TaskID = upd.TaskID
		}
		card, err := cards.RenderWeCom(c)
		if err != nil {
			return bot.Permanent(err)
		}
		req.TemplateCard = card
	case upd.ReplaceName != "":
		if n := len([]rune(upd.ReplaceName)); n > cards.WeComReplaceTextMax {
			return bot.Permanent(fmt.Errorf("wecom update: replace_name has %d characters, at most %d", n, cards.WeComReplaceTextMax))
		}
		req.Button = &updateButton{ReplaceName: upd.ReplaceName}
	default:
		return bot.Permanent(errors.New("wecom update: nothing to change"))
	}
	var resp updateResponse
	if err := m.client.postOnce(ctx, "/cgi-bin/message/update_template_card", req, &resp); err != nil {
		return classify(err)
	}
	if len(resp.InvalidUser) > 0 {
		return bot.Permanent(fmt.Errorf("wecom update: invalid user %v", resp.InvalidUser))
	}
	return nil
}

// classify maps a client error onto the outbox's retry classes.
func classify(err error) error {
	var ae *APIError
	if !errors.As(err, &ae) {
		return err // network, 5xx, timeouts: transient
	}
	switch {
	case ae.Code == CodeRateLimited || ae.Code == CodeConcurrencyLimit:
		return &bot.RetryAfterError{After: RateLimitWait, Err: err}
	case ae.Code == CodeSystemBusy, ae.Code == CodeInvalidToken, ae.Code == CodeTokenExpired, ae.Code == CodeInvalidCredential:
		return err
	case ae.Code >= 40000 && ae.Code < 50000, ae.Code >= 60000 && ae.Code < 100000:
		// Invalid card, user, parameter or permission: resending the same message cannot succeed.
		return bot.Permanent(err)
	}
	return err
}
