// Package bot is the seam between platforms and the domain: inbound Events
// from WeCom, DingTalk or the console go through one Bot (dedupe, user
// lookup, routing, RBAC) and leave as a Reply or outbox rows; outbound
// messages go through a Messenger per platform. It knows no WeCom XML and no
// DingTalk JSON.
package bot

import "time"

// Platform names a chat platform.
type Platform string

// Platforms.
const (
	WeCom    Platform = "wecom"
	DingTalk Platform = "dingtalk"
	Console  Platform = "console"
)

// EventKind is what happened.
type EventKind string

// Event kinds.
const (
	EventText       EventKind = "text"
	EventLocation   EventKind = "location"
	EventCardAction EventKind = "card_action"
	EventEnter      EventKind = "enter"
	EventUnknown    EventKind = "unknown"
)

// Event is one inbound delivery, already verified and decoded by its platform adapter.
type Event struct {
	Platform Platform
	// DeliveryKey is unique per delivery (WeCom MsgId, or
	// FromUserName+CreateTime+TaskId+EventKey; DingTalk msgId). A second
	// delivery with the same key is a no-op. Empty disables dedupe.
	DeliveryKey string
	// From is the sender's platform user id.
	From     string
	At       time.Time
	Kind     EventKind
	Text     string
	Location *Location
	Action   *CardAction
	// RawType and Raw describe an unknown event so it can be stored.
	RawType string
	Raw     string
}

// Location is a shared (message) or reported (periodic event) position, GCJ-02.
type Location struct {
	Lat      float64
	Lng      float64
	Label    string
	Reported bool
	// PrecisionM is the reported accuracy in metres (0 if unknown).
	PrecisionM float64
}

// CardAction is a click or submit on an interactive card.
type CardAction struct {
	TaskID       string
	Key          string
	CardType     string
	ResponseCode string
	Selected     []Selection
	// Menu is true for WeCom's template_card_menu_event.
	Menu bool
}

// Selection is the answer to one question of a card (select or checkbox).
type Selection struct {
	QuestionKey string
	OptionIDs   []string
}

// Answer returns the option ids chosen for questionKey (nil if none).
func (a *CardAction) Answer(questionKey string) []string {
	if a == nil {
		return nil
	}
	for _, s := range a.Selected {
		if s.QuestionKey == questionKey {
			return s.OptionIDs
		}
	}
	return nil
}
