package dingtalk

import (
	"log/slog"
	"net/http"
	"time"

	"visitbot/bot"
	"visitbot/clock"
	"visitbot/config"
	"visitbot/models"
)

// Deps is what New needs besides the DingTalk config.
type Deps struct {
	Store *models.Store
	Bot   *bot.Bot
	// Replies queues reply parts in the delivery's transaction (the outbox).
	Replies bot.ReplyQueue
	Clock   clock.Clock
	Log     *slog.Logger
	// PublicURL is server.public_url (fallback cards link to its H5 pages).
	PublicURL string
	// QPS is outbox.dingtalk_qps, the per-API call limit.
	QPS int
}

// New wires the DingTalk platform from configuration: the API client
// (token shared through the store), the Messenger and the inbound Adapter
// the handlers mount; in mode "stream" also the Stream client (Adapter.Start
// connects it) and cards are created with callbackType STREAM.
func New(cfg config.DingTalkConfig, d Deps) (*Adapter, error) {
	client, err := NewClient(ClientOptions{
		AppKey: cfg.AppKey, AppSecret: cfg.AppSecret, RobotCode: cfg.RobotCode, APIBase: cfg.APIBase,
		QPS: d.QPS, Store: d.Store, Clock: d.Clock, Log: d.Log, HTTPClient: &http.Client{Timeout: 10 * time.Second},
	})
	if err != nil {
		return nil, err
	}
	callback := CallbackHTTP
	if cfg.Mode == "stream" {
		callback = CallbackStream
	}
	m, err := NewMessenger(MessengerOptions{Client: client, Templates: cfg.CardTemplates, PublicURL: d.PublicURL,
		CallbackType: callback, Store: d.Store})
	if err != nil {
		return nil, err
	}
	// Replies that are not the synchronous card answer go through the outbox (the app runs its dispatcher).
	ao := AdapterOptions{Config: cfg, Bot: d.Bot, Messenger: m, Replies: d.Replies, Clock: d.Clock, Log: d.Log}
	if d.Store.Driver() == "sqlite" {
		ao.MaxInFlight = 1 // one writer: queue here, not in SQLite's busy handler
	}
	a, err := NewAdapter(ao)
	if err != nil {
		return nil, err
	}
	if cfg.Mode == "stream" {
		a.stream = NewStream(a, cfg.APIBase)
	}
	return a, nil
}
