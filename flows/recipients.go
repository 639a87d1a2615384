package flows

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"strings"

	"visitbot/bot"
	"visitbot/models"
)

// Platforms says which chat platforms are enabled; a user is reached on the
// first enabled platform where they have an id (WeCom, then DingTalk, then
// the console in the demo).
type Platforms struct {
	WeCom    bool
	DingTalk bool
	Console  bool
}

// RecipientFor returns the platform and address that reach u, or ok=false
// when u has no id on any enabled platform.
func (p Platforms) RecipientFor(u *models.User) (bot.Platform, bot.Recipient, bool) {
	switch {
	case p.WeCom && u.WeComUserID != nil && *u.WeComUserID != "":
		return bot.WeCom, bot.Recipient{UserID: u.ID, PlatformUserID: *u.WeComUserID}, true
	case p.DingTalk && u.DingTalkUserID != nil && *u.DingTalkUserID != "":
		return bot.DingTalk, bot.Recipient{UserID: u.ID, PlatformUserID: *u.DingTalkUserID}, true
	case p.Console:
		return bot.Console, bot.Recipient{UserID: u.ID, PlatformUserID: u.UserID}, true
	}
	return "", bot.Recipient{}, false
}

// Unreachable says why RecipientFor found no platform for u, for logs: an
// id on a platform this deployment has disabled is not a missing id.
func (p Platforms) Unreachable(u *models.User) string {
	var off []string
	if !p.WeCom && u.WeComUserID != nil && *u.WeComUserID != "" {
		off = append(off, "wecom (wecom.enabled is false)")
	}
	if !p.DingTalk && u.DingTalkUserID != nil && *u.DingTalkUserID != "" {
		off = append(off, "dingtalk (dingtalk.enabled is false)")
	}
	if len(off) > 0 {
		return "has an id only on a disabled platform: " + strings.Join(off, ", ")
	}
	return "has no id on an enabled platform"
}

// NewTaskID returns a card task id: prefix, compact day, user id and a
// random suffix; only [0-9A-Za-z_-] and well under WeCom's 128 bytes.
func NewTaskID(prefix, day string, userID uint) string {
	var b [4]byte
	_, _ = rand.Read(b[:])
	compact := ""
	for _, r := range day {
		if r != '-' {
			compact += string(r)
		}
	}
	return fmt.Sprintf("%s-%s-%d-%s", prefix, compact, userID, hex.EncodeToString(b[:]))
}
