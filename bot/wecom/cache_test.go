package wecom_test

import (
	"context"
	"testing"
	"time"

	"github.com/silenceper/wechat/v2/cache"

	"visitbot/bot/wecom"
	"visitbot/clock"
	"visitbot/models"
	"visitbot/models/modelstest"
)

// Both caches honour silenceper's cache contract with the injected clock.
func TestCachesExpireAndDelete(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, s *models.Store) {
		clk := s.Clock().(*clock.Fake)
		for name, c := range map[string]cache.ContextCache{"store": wecom.NewStoreCache(s), "memory": wecom.NewMemoryCache(clk)} {
			t.Run(name, func(t *testing.T) {
				ctx := context.Background()
				if c.Get("k") != nil || c.IsExist("k") {
					t.Fatal("empty cache has k")
				}
				if err := c.SetContext(ctx, "k", "tok-1", time.Hour); err != nil {
					t.Fatal(err)
				}
				if got := c.GetContext(ctx, "k"); got != "tok-1" {
					t.Fatalf("get %v", got)
				}
				clk.Advance(time.Hour)
				if c.IsExistContext(ctx, "k") {
					t.Fatal("expired value still there")
				}
				_ = c.Set("k", "tok-2", 0)
				if err := c.Delete("k"); err != nil || c.Get("k") != nil {
					t.Fatalf("delete: %v", err)
				}
			})
		}
		if err := wecom.NewStoreCache(s).Set("n", 42, 0); err == nil {
			t.Fatal("non-string value accepted")
		}
	})
}
