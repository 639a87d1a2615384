package dingtalk

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"

	"visitbot/bot"
)

// EventCheckURL is the event DingTalk sends when the subscription URL is
// saved; it is answered with the encrypted "success" and nothing else.
const EventCheckURL = "check_url"

// ErrEvent is a decrypted event that is not a JSON object with an EventType.
var ErrEvent = errors.New("dingtalk: malformed event")

// SubscriptionEvent is the decrypted plaintext of an event callback.
type SubscriptionEvent struct {
	Type string
	// Key dedupes a redelivery: the hash of the plaintext, which DingTalk
	// repeats byte for byte when it retries.
	Key string
	Raw []byte
}

// ParseSubscriptionEvent reads a decrypted event. Only EventType is
// required; the payload stays raw (visitbot stores what it does not handle).
func ParseSubscriptionEvent(plain []byte) (*SubscriptionEvent, error) {
	var head struct {
		EventType string `json:"EventType"`
	}
	if err := json.Unmarshal(plain, &head); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrEvent, err)
	}
	if head.EventType == "" || len(head.EventType) > 64 {
		return nil, fmt.Errorf("%w: no valid EventType", ErrEvent)
	}
	sum := sha256.Sum256(plain)
	return &SubscriptionEvent{Type: head.EventType, Key: "event:" + hex.EncodeToString(sum[:16]), Raw: plain}, nil
}

// Event is the subscription event as a bot.Event: unknown to the bot, so it
// is stored raw exactly once.
func (e *SubscriptionEvent) Event() bot.Event {
	return bot.Event{Platform: bot.DingTalk, DeliveryKey: e.Key, Kind: bot.EventUnknown, RawType: e.Type, Raw: string(e.Raw)}
}
