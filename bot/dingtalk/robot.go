package dingtalk

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"visitbot/bot"
)

// ErrRobotMessage is a robot callback body that cannot be used.
var ErrRobotMessage = errors.New("dingtalk: malformed robot message")

// RobotMessage is the part of a robot callback (HTTP mode, or a Stream
// /v1.0/im/bot/messages/get push) visitbot uses.
type RobotMessage struct {
	MsgType          string `json:"msgtype"`
	MsgID            string `json:"msgId"`
	SenderStaffID    string `json:"senderStaffId"`
	SenderNick       string `json:"senderNick"`
	ConversationID   string `json:"conversationId"`
	ConversationType string `json:"conversationType"`
	SessionWebhook   string `json:"sessionWebhook"`
	// SessionWebhookExpiredTime is when SessionWebhook stops working (ms since epoch).
	SessionWebhookExpiredTime int64  `json:"sessionWebhookExpiredTime"`
	RobotCode                 string `json:"robotCode"`
	CreateAt                  int64  `json:"createAt"`
	Text                      struct {
		Content string `json:"content"`
	} `json:"text"`
	// Location and Content carry a shared location. DingTalk does not
	// document a location message for robots; both observed shapes are read.
	Location json.RawMessage `json:"location"`
	Content  json.RawMessage `json:"content"`
}

// maxRobotBody bounds a robot callback body (text messages are small).
const maxRobotBody = 64 << 10

// ParseRobotMessage decodes a robot callback body. It needs a msgId (the
// dedupe key) and a sender staff id.
func ParseRobotMessage(body []byte) (*RobotMessage, error) {
	var m RobotMessage
	if err := decodeCallback(body, maxRobotBody, ErrRobotMessage, &m); err != nil {
		return nil, err
	}
	if m.MsgID == "" || m.SenderStaffID == "" {
		return nil, fmt.Errorf("%w: msgId and senderStaffId are required", ErrRobotMessage)
	}
	if len(m.MsgID) > 160 {
		return nil, fmt.Errorf("%w: msgId too long", ErrRobotMessage)
	}
	return &m, nil
}

// Event converts the message to a bot.Event: text (trimmed) or a location;
// anything else is an unknown event kept raw. The delivery key is msgId.
func (m *RobotMessage) Event(raw []byte) bot.Event {
	ev := bot.Event{Platform: bot.DingTalk, DeliveryKey: "msg:" + m.MsgID, From: m.SenderStaffID}
	if m.CreateAt > 0 {
		ev.At = time.UnixMilli(m.CreateAt)
	}
	switch m.MsgType {
	case "text", "":
		ev.Kind = bot.EventText
		ev.Text = strings.TrimSpace(m.Text.Content)
		return ev
	case "location":
		if loc, ok := parseLocation(m.Location); ok {
			ev.Kind, ev.Location = bot.EventLocation, loc
			return ev
		}
		if loc, ok := parseLocation(m.Content); ok {
			ev.Kind, ev.Location = bot.EventLocation, loc
			return ev
		}
	}
	ev.Kind, ev.RawType, ev.Raw = bot.EventUnknown, "robot:"+m.MsgType, string(raw)
	return ev
}

// rawLocation accepts latitude/longitude as numbers or strings, under the
// long or short names.
type rawLocation struct {
	Latitude  flexFloat `json:"latitude"`
	Longitude flexFloat `json:"longitude"`
	Lat       flexFloat `json:"lat"`
	Lng       flexFloat `json:"lng"`
	Lon       flexFloat `json:"lon"`
	Title     string    `json:"title"`
	Address   string    `json:"address"`
	Label     string    `json:"label"`
	Name      string    `json:"name"`
}

// parseLocation reads a location object; coordinates must be in range and
// not both zero.
func parseLocation(raw json.RawMessage) (*bot.Location, bool) {
	if len(raw) == 0 {
		return nil, false
	}
	var r rawLocation
	if err := json.Unmarshal(raw, &r); err != nil {
		// Some payloads double-encode objects as a JSON string.
		var s string
		if json.Unmarshal(raw, &s) != nil || json.Unmarshal([]byte(s), &r) != nil {
			return nil, false
		}
	}
	lat, lng := r.Latitude.v, r.Longitude.v
	if !r.Latitude.set {
		lat = r.Lat.v
	}
	if !r.Longitude.set {
		lng = r.Lng.v
		if !r.Lng.set {
			lng = r.Lon.v
		}
	}
	if lat < -90 || lat > 90 || lng < -180 || lng > 180 || (lat == 0 && lng == 0) {
		return nil, false
	}
	label := firstNonEmpty(r.Title, r.Name, r.Label, r.Address)
	if r.Address != "" && r.Address != label {
		label = strings.TrimSpace(label + " " + r.Address)
	}
	return &bot.Location{Lat: lat, Lng: lng, Label: label}, true
}

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}

// flexFloat is a JSON number or a numeric string.
type flexFloat struct {
	v   float64
	set bool
}

func (f *flexFloat) UnmarshalJSON(b []byte) error {
	s := strings.Trim(string(b), `"`)
	if s == "" || s == "null" {
		return nil
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		return fmt.Errorf("not a finite number: %q", s)
	}
	f.v, f.set = v, true
	return nil
}
