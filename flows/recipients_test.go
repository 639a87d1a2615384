package flows_test

import (
	"strings"
	"testing"

	"visitbot/bot"
	"visitbot/flows"
	"visitbot/models"
)

// A user with a WeCom id while WeCom is disabled is said to be on a disabled
// platform, not to have no platform id.
func TestUnreachableSaysWhy(t *testing.T) {
	wx := "wx-01"
	u := &models.User{UserID: "mgr01", WeComUserID: &wx}
	p := flows.Platforms{DingTalk: true}
	if _, _, ok := p.RecipientFor(u); ok {
		t.Fatal("reachable without an enabled platform")
	}
	if why := p.Unreachable(u); !strings.Contains(why, "wecom.enabled is false") {
		t.Fatalf("Unreachable = %q", why)
	}
	if why := p.Unreachable(&models.User{UserID: "x"}); why != "has no id on an enabled platform" {
		t.Fatalf("Unreachable = %q", why)
	}
	if pl, to, ok := (flows.Platforms{WeCom: true}).RecipientFor(u); !ok || pl != bot.WeCom || to.PlatformUserID != wx {
		t.Fatalf("RecipientFor = %s %+v %v", pl, to, ok)
	}
}
