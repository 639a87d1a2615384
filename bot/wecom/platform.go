package wecom

import (
	"fmt"
	"log/slog"

	"github.com/silenceper/wechat/v2/cache"

	"visitbot/bot"
	"visitbot/clock"
	"visitbot/config"
	"visitbot/models"
)

// Platform is the wired WeCom adapter: the callback endpoint, the outbound
// Messenger and the API client under both.
type Platform struct {
	Callback  *Callback
	Messenger *Messenger
	Client    *Client
}

// New wires WeCom from its config section. The bot must be sealed.
func New(cfg config.WeComConfig, store *models.Store, b *bot.Bot, replies bot.ReplyQueue, clk clock.Clock, log *slog.Logger) (*Platform, error) {
	var tokens cache.Cache
	switch cfg.TokenCache {
	case "memory":
		tokens = NewMemoryCache(clk)
	default:
		tokens = NewStoreCache(store)
	}
	client, err := NewClient(ClientOptions{
		APIBase: cfg.APIBase, CorpID: cfg.CorpID, Secret: cfg.Secret, AgentID: cfg.AgentID,
		Cache: tokens, HTTPTimeout: cfg.HTTPTimeout, Log: log,
	})
	if err != nil {
		return nil, fmt.Errorf("wecom: %w", err)
	}
	crypto, err := NewCrypto(cfg.Token, cfg.EncodingAESKey, cfg.CorpID)
	if err != nil {
		return nil, fmt.Errorf("wecom: %w", err)
	}
	m := NewMessenger(client, store, log, cfg.DuplicateCheckInterval)
	// Replies that cannot be passive go through the outbox (the app runs its dispatcher).
	opts := CallbackOptions{Crypto: crypto, Bot: b, Replies: replies, Clock: clk, Log: log, Window: cfg.CallbackWindow}
	if store.Driver() == "sqlite" {
		opts.MaxInFlight = 1 // one writer: queue here, not in SQLite's busy handler
	}
	cb, err := NewCallback(opts)
	if err != nil {
		return nil, fmt.Errorf("wecom: %w", err)
	}
	return &Platform{Callback: cb, Messenger: m, Client: client}, nil
}

// Endpoint is the callback handler, or nil when p is nil (WeCom disabled).
func (p *Platform) Endpoint() *Callback {
	if p == nil {
		return nil
	}
	return p.Callback
}
