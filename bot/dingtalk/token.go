package dingtalk

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	"visitbot/clock"
	"visitbot/models"
)

// tokenMargin is how long before DingTalk's expireIn visitbot stops using a
// token, so a call never starts with a token about to die.
const tokenMargin = 5 * time.Minute

// tokenSettingPrefix names the settings row that shares the access token
// between replicas (models.Setting, value JSON, expiring).
const tokenSettingPrefix = "dingtalk.access_token."

// cachedToken is the settings row value.
type cachedToken struct {
	Token     string    `json:"token"`
	ExpiresAt time.Time `json:"expires_at"`
}

// tokenSource caches the app's access token in memory and in the database.
// One mutex serialises refreshes inside a replica; across replicas DingTalk
// returns the same token while it is valid, so two replicas refreshing at
// once store the same value.
type tokenSource struct {
	mu    sync.Mutex
	cur   cachedToken
	store *models.Store // nil: memory only
	key   string
	clk   clock.Clock
	fetch func(ctx context.Context) (token string, ttl time.Duration, err error)
}

// Token returns a valid token, refreshing it when needed.
func (ts *tokenSource) Token(ctx context.Context) (string, error) {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	now := ts.clk.Now()
	if ts.cur.Token != "" && now.Before(ts.cur.ExpiresAt) {
		return ts.cur.Token, nil
	}
	if ts.store != nil {
		v, err := ts.store.Settings.GetSetting(ctx, ts.key)
		switch {
		case err == nil:
			var c cachedToken
			if json.Unmarshal([]byte(v), &c) == nil && c.Token != "" && now.Before(c.ExpiresAt) {
				ts.cur = c
				return c.Token, nil
			}
		case !errors.Is(err, models.ErrNotFound):
			return "", fmt.Errorf("dingtalk token cache: %w", err)
		}
	}
	tok, ttl, err := ts.fetch(ctx)
	if err != nil {
		return "", err
	}
	if ttl <= 2*tokenMargin {
		ttl = 2 * tokenMargin
	}
	c := cachedToken{Token: tok, ExpiresAt: now.Add(ttl - tokenMargin).UTC()}
	if ts.store != nil {
		b, _ := json.Marshal(c)
		if err := ts.store.Settings.PutSetting(ctx, ts.key, string(b), ttl-tokenMargin); err != nil {
			return "", fmt.Errorf("dingtalk token cache: %w", err)
		}
	}
	ts.cur = c
	return tok, nil
}

// Invalidate drops bad from the caches after DingTalk rejected it. A newer
// token (another goroutine already refreshed) is kept.
func (ts *tokenSource) Invalidate(ctx context.Context, bad string) error {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	if ts.cur.Token == bad {
		ts.cur = cachedToken{}
	}
	if ts.store == nil {
		return nil
	}
	v, err := ts.store.Settings.GetSetting(ctx, ts.key)
	if errors.Is(err, models.ErrNotFound) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("dingtalk token cache: %w", err)
	}
	var c cachedToken
	if json.Unmarshal([]byte(v), &c) != nil || c.Token == bad {
		if err := ts.store.Settings.DeleteSetting(ctx, ts.key); err != nil {
			return fmt.Errorf("dingtalk token cache: %w", err)
		}
	}
	return nil
}
