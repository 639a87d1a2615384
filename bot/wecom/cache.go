package wecom

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/silenceper/wechat/v2/cache"

	"visitbot/clock"
	"visitbot/models"
)

// StoreCache is silenceper's cache.ContextCache backed by the settings
// table, so every replica shares one access token (WeCom returns the same
// token to repeated gettoken calls inside its validity, so two replicas
// refreshing at once store the same value). Values are strings.
type StoreCache struct {
	store  *models.Store
	prefix string
}

var (
	_ cache.ContextCache = (*StoreCache)(nil)
	_ cache.ContextCache = (*MemoryCache)(nil)
)

// NewStoreCache returns a cache whose keys are prefixed with "wecom:".
func NewStoreCache(store *models.Store) *StoreCache {
	return &StoreCache{store: store, prefix: "wecom:"}
}

// Get returns the value or nil (missing, expired, or the database failed).
func (c *StoreCache) Get(key string) any { return c.GetContext(context.Background(), key) }

// GetContext returns the value or nil.
func (c *StoreCache) GetContext(ctx context.Context, key string) any {
	v, err := c.store.Settings.GetSetting(ctx, c.prefix+key)
	if err != nil {
		return nil
	}
	return v
}

// Set stores a string value for timeout (0 = no expiry).
func (c *StoreCache) Set(key string, val any, timeout time.Duration) error {
	return c.SetContext(context.Background(), key, val, timeout)
}

// SetContext stores a string value for timeout.
func (c *StoreCache) SetContext(ctx context.Context, key string, val any, timeout time.Duration) error {
	s, ok := val.(string)
	if !ok {
		return fmt.Errorf("wecom cache %s: only string values are supported, got %T", key, val)
	}
	return c.store.Settings.PutSetting(ctx, c.prefix+key, s, timeout)
}

// IsExist reports whether key holds an unexpired value.
func (c *StoreCache) IsExist(key string) bool { return c.Get(key) != nil }

// IsExistContext reports whether key holds an unexpired value.
func (c *StoreCache) IsExistContext(ctx context.Context, key string) bool {
	return c.GetContext(ctx, key) != nil
}

// Delete removes key.
func (c *StoreCache) Delete(key string) error { return c.DeleteContext(context.Background(), key) }

// DeleteContext removes key.
func (c *StoreCache) DeleteContext(ctx context.Context, key string) error {
	return c.store.Settings.DeleteSetting(ctx, c.prefix+key)
}

// MemoryCache is a race-free in-process cache.ContextCache (silenceper's
// cache.Memory has a data race) for single-replica deployments
// (wecom.token_cache: memory).
type MemoryCache struct {
	clock clock.Clock
	mu    sync.Mutex
	items map[string]memoryItem
}

type memoryItem struct {
	val     any
	expires time.Time // zero: never
}

// NewMemoryCache returns an empty cache reading clk for expiry.
func NewMemoryCache(clk clock.Clock) *MemoryCache {
	if clk == nil {
		clk = clock.System{}
	}
	return &MemoryCache{clock: clk, items: map[string]memoryItem{}}
}

// Get returns the value or nil.
func (c *MemoryCache) Get(key string) any {
	c.mu.Lock()
	defer c.mu.Unlock()
	it, ok := c.items[key]
	if !ok || (!it.expires.IsZero() && !c.clock.Now().Before(it.expires)) {
		return nil
	}
	return it.val
}

// Set stores val for timeout (0 = no expiry).
func (c *MemoryCache) Set(key string, val any, timeout time.Duration) error {
	if val == nil {
		return errors.New("memory cache: nil value")
	}
	it := memoryItem{val: val}
	if timeout > 0 {
		it.expires = c.clock.Now().Add(timeout)
	}
	c.mu.Lock()
	c.items[key] = it
	c.mu.Unlock()
	return nil
}

// IsExist reports whether key holds an unexpired value.
func (c *MemoryCache) IsExist(key string) bool { return c.Get(key) != nil }

// Delete removes key.
func (c *MemoryCache) Delete(key string) error {
	c.mu.Lock()
	delete(c.items, key)
	c.mu.Unlock()
	return nil
}

// GetContext is Get.
func (c *MemoryCache) GetContext(_ context.Context, key string) any { return c.Get(key) }

// SetContext is Set.
func (c *MemoryCache) SetContext(_ context.Context, key string, val any, timeout time.Duration) error {
	return c.Set(key, val, timeout)
}

// IsExistContext is IsExist.
func (c *MemoryCache) IsExistContext(_ context.Context, key string) bool { return c.IsExist(key) }

// DeleteContext is Delete.
func (c *MemoryCache) DeleteContext(_ context.Context, key string) error { return c.Delete(key) }
