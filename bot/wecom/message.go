package wecom

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/xml"
	"fmt"
	"strconv"
	"strings"
	"time"

	"visitbot/bot"
)

// Message is a decrypted inbound message or event (document 90238/90240).
// Only the fields visitbot uses are typed; the raw XML is kept for unknown types.
type Message struct {
	XMLName      xml.Name `xml:"xml"`
	ToUserName   string   `xml:"ToUserName"`
	FromUserName string   `xml:"FromUserName"`
	CreateTime   int64    `xml:"CreateTime"`
	MsgType      string   `xml:"MsgType"`
	MsgID        string   `xml:"MsgId"`
	AgentID      string   `xml:"AgentID"`
	// text
	Content string `xml:"Content"`
	// location message
	LocationX string `xml:"Location_X"`
	LocationY string `xml:"Location_Y"`
	Scale     string `xml:"Scale"`
	Label     string `xml:"Label"`
	// events
	Event    string `xml:"Event"`
	EventKey string `xml:"EventKey"`
	// reported LOCATION event
	Latitude  string `xml:"Latitude"`
	Longitude string `xml:"Longitude"`
	Precision string `xml:"Precision"`
	// template_card_event / template_card_menu_event
	TaskID        string         `xml:"TaskId"`
	CardType      string         `xml:"CardType"`
	ResponseCode  string         `xml:"ResponseCode"`
	SelectedItems []SelectedItem `xml:"SelectedItems>SelectedItem"`

	raw string
}

// SelectedItem is the answer to one select or checkbox question of a card.
type SelectedItem struct {
	QuestionKey string   `xml:"QuestionKey"`
	OptionIDs   []string `xml:"OptionIds>OptionId"`
}

// Event types visitbot understands.
const (
	eventLocation      = "LOCATION"
	eventEnterAgent    = "enter_agent"
	eventCardClick     = "template_card_event"
	eventCardMenuClick = "template_card_menu_event"
)

// maxDeliveryKey keeps platform:key within inbound_deliveries.key (191 bytes).
const maxDeliveryKey = 170

// ParseMessage decodes decrypted message XML. A message without sender or
// type is malformed (ErrMessage); any other type decodes and becomes
// bot.EventUnknown.
func ParseMessage(plain []byte) (Message, error) {
	var m Message
	if err := xml.Unmarshal(plain, &m); err != nil {
		return Message{}, fmt.Errorf("%w: %w", ErrMessage, err)
	}
	if m.FromUserName == "" || m.MsgType == "" {
		return Message{}, fmt.Errorf("%w: FromUserName and MsgType are required", ErrMessage)
	}
	m.raw = string(plain)
	return m, nil
}

// BotEvent converts the message into the platform-neutral bot.Event, with the
// delivery key WeCom's retries share: MsgId for messages,
// FromUserName+CreateTime+TaskId+EventKey for card events and
// FromUserName+CreateTime+Event for other events.
func (m Message) BotEvent() bot.Event {
	ev := bot.Event{Platform: bot.WeCom, From: m.FromUserName, At: time.Unix(m.CreateTime, 0).UTC()}
	switch {
	case m.MsgType == "text":
		ev.Kind, ev.Text = bot.EventText, m.Content
	case m.MsgType == "location" && validCoord(m.LocationX, 90) && validCoord(m.LocationY, 180):
		ev.Kind = bot.EventLocation
		ev.Location = &bot.Location{Lat: parseFloat(m.LocationX), Lng: parseFloat(m.LocationY), Label: m.Label}
	case m.MsgType == "event" && m.Event == eventLocation && validCoord(m.Latitude, 90) && validCoord(m.Longitude, 180):
		ev.Kind = bot.EventLocation
		ev.Location = &bot.Location{Lat: parseFloat(m.Latitude), Lng: parseFloat(m.Longitude), Reported: true, PrecisionM: parseFloat(m.Precision)}
	case m.MsgType == "event" && m.Event == eventEnterAgent:
		ev.Kind = bot.EventEnter
	case m.MsgType == "event" && (m.Event == eventCardClick || m.Event == eventCardMenuClick):
		ev.Kind = bot.EventCardAction
		a := &bot.CardAction{TaskID: m.TaskID, Key: m.EventKey, CardType: m.CardType, ResponseCode: m.ResponseCode, Menu: m.Event == eventCardMenuClick}
		for _, s := range m.SelectedItems {
			a.Selected = append(a.Selected, bot.Selection{QuestionKey: s.QuestionKey, OptionIDs: s.OptionIDs})
		}
		ev.Action = a
	default:
		ev.Kind, ev.RawType, ev.Raw = bot.EventUnknown, m.MsgType, m.raw
		if m.Event != "" {
			ev.RawType = m.MsgType + ":" + m.Event
		}
	}
	ev.DeliveryKey = m.deliveryKey()
	return ev
}

func (m Message) deliveryKey() string {
	var key string
	switch {
	case m.MsgID != "":
		key = "msg|" + m.MsgID
	case m.Event == eventCardClick || m.Event == eventCardMenuClick:
		key = strings.Join([]string{"ev", m.FromUserName, strconv.FormatInt(m.CreateTime, 10), m.TaskID, m.EventKey}, "|")
	default:
		key = strings.Join([]string{"ev", m.FromUserName, strconv.FormatInt(m.CreateTime, 10), m.MsgType, m.Event}, "|")
	}
	if len(key) > maxDeliveryKey {
		// EventKey may be 1 KiB: a hash keeps the key unique and indexable.
		sum := sha256.Sum256([]byte(key))
		key = "h|" + hex.EncodeToString(sum[:])
	}
	return key
}

// validCoord reports whether s is a number within ±limit; a location that
// is not one is kept as an unknown event instead of becoming (0, 0).
func validCoord(s string, limit float64) bool {
	f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	return err == nil && f >= -limit && f <= limit
}

func parseFloat(s string) float64 {
	f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil {
		return 0
	}
	return f
}
