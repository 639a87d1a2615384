package dingtalk

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"visitbot/bot"
	"visitbot/cards"
)

// ErrCardCallback is a card callback body that cannot be used.
var ErrCardCallback = errors.New("dingtalk: malformed card callback")

// maxCardCallbackBody bounds a card callback body.
const maxCardCallbackBody = 64 << 10

// maxSelections bounds how many answered questions one callback may carry.
const maxSelections = 16

// CardCallback is an advanced interactive card's actionCallback (HTTP
// route or the Stream topic /v1.0/card/instances/callback).
type CardCallback struct {
	Type       string `json:"type"`
	OutTrackID string `json:"outTrackId"`
	CorpID     string `json:"corpId"`
	UserID     string `json:"userId"`
	SpaceType  string `json:"spaceType"`
	SpaceID    string `json:"spaceId"`
	// Content is a JSON string: {"cardPrivateData":{"actionIds":[…],"params":{…}}}.
	Content string `json:"content"`

	// Action is params.action (or the only actionId); Selected the form answers.
	Action   string
	Selected []bot.Selection
}

type cardContent struct {
	CardPrivateData struct {
		ActionIDs []string                   `json:"actionIds"`
		Params    map[string]json.RawMessage `json:"params"`
	} `json:"cardPrivateData"`
}

// decodeCallback decodes a callback body of at most maxBytes into v; its
// errors wrap kind.
func decodeCallback(body []byte, maxBytes int, kind error, v any) error {
	if len(body) > maxBytes {
		return fmt.Errorf("%w: %d bytes", kind, len(body))
	}
	if err := json.Unmarshal(body, v); err != nil {
		return fmt.Errorf("%w: %w", kind, err)
	}
	return nil
}

// ParseCardCallback decodes and checks a card callback body. The action
// key comes from params.action (visitbot's template convention, see
// docs/dingtalk-cards.md); every other param is a form answer.
func ParseCardCallback(body []byte) (*CardCallback, error) {
	var cb CardCallback
	if err := decodeCallback(body, maxCardCallbackBody, ErrCardCallback, &cb); err != nil {
		return nil, err
	}
	if cb.Type != "" && cb.Type != "actionCallback" {
		return nil, fmt.Errorf("%w: type %q", ErrCardCallback, cb.Type)
	}
	if cb.OutTrackID == "" || cb.UserID == "" {
		return nil, fmt.Errorf("%w: outTrackId and userId are required", ErrCardCallback)
	}
	if len(cb.OutTrackID) > cards.DingTalkOutTrackIDMaxBytes || len(cb.UserID) > 64 {
		return nil, fmt.Errorf("%w: outTrackId or userId too long", ErrCardCallback)
	}
	var content cardContent
	if cb.Content != "" {
		if err := json.Unmarshal([]byte(cb.Content), &content); err != nil {
			return nil, fmt.Errorf("%w: content: %w", ErrCardCallback, err)
		}
	}
	p := content.CardPrivateData
	if raw, ok := p.Params[cards.DingTalkParamAction]; ok {
		if err := json.Unmarshal(raw, &cb.Action); err != nil {
			return nil, fmt.Errorf("%w: params.action is not a string", ErrCardCallback)
		}
	}
	if cb.Action == "" && len(p.ActionIDs) == 1 && strings.Contains(p.ActionIDs[0], ":") {
		cb.Action = p.ActionIDs[0]
	}
	if cb.Action == "" {
		return nil, fmt.Errorf("%w: no action (params.action)", ErrCardCallback)
	}
	keys := make([]string, 0, len(p.Params))
	for k := range p.Params {
		if k != cards.DingTalkParamAction {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	for _, k := range keys {
		ids, ok := optionIDs(p.Params[k])
		if !ok || len(ids) == 0 {
			continue
		}
		if len(cb.Selected) == maxSelections {
			return nil, fmt.Errorf("%w: more than %d answers", ErrCardCallback, maxSelections)
		}
		cb.Selected = append(cb.Selected, bot.Selection{QuestionKey: k, OptionIDs: ids})
	}
	return &cb, nil
}

// optionIDs reads a form value: a string, a number, a bool, a list of
// those, or objects carrying "id"/"value"/"key".
func optionIDs(raw json.RawMessage) ([]string, bool) {
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		return nil, false
	}
	var out []string
	var add func(x any, depth int) bool
	add = func(x any, depth int) bool {
		switch t := x.(type) {
		case string:
			if t != "" {
				out = append(out, t)
			}
		case float64:
			out = append(out, strconv.FormatFloat(t, 'f', -1, 64))
		case bool:
			out = append(out, strconv.FormatBool(t))
		case []any:
			if depth > 0 {
				return false
			}
			for _, e := range t {
				if !add(e, depth+1) {
					return false
				}
			}
		case map[string]any:
			for _, k := range []string{"id", "value", "key"} {
				if s, ok := t[k]; ok {
					return add(s, depth+1)
				}
			}
			return false
		case nil:
		default:
			return false
		}
		return len(out) <= 64
	}
	if !add(v, 0) {
		return nil, false
	}
	return out, true
}

// DeliveryKey makes a repeated callback (same card, user and content) a
// no-op while a second, different submit on the same card still counts.
func (cb *CardCallback) DeliveryKey() string {
	sum := sha256.Sum256([]byte(cb.Content))
	key := "card:" + cb.OutTrackID + ":" + cb.UserID + ":" + hex.EncodeToString(sum[:12])
	if len(key) > 170 {
		all := sha256.Sum256([]byte(cb.OutTrackID + "\x00" + cb.UserID + "\x00" + cb.Content))
		key = "card:" + hex.EncodeToString(all[:])
	}
	return key
}

// Event is the card action as a bot.Event.
func (cb *CardCallback) Event() bot.Event {
	return bot.Event{
		Platform: bot.DingTalk, DeliveryKey: cb.DeliveryKey(), From: cb.UserID, Kind: bot.EventCardAction,
		Action: &bot.CardAction{TaskID: cb.OutTrackID, Key: cb.Action, CardType: "dingtalk_card", Selected: cb.Selected},
	}
}

// CardAnswer is the synchronous answer to a card callback; the zero value
// encodes as {} (no change).
type CardAnswer struct {
	CardUpdateOptions *CardUpdateOptions `json:"cardUpdateOptions,omitempty"`
	CardData          *CardData          `json:"cardData,omitempty"`
	UserPrivateData   *CardData          `json:"userPrivateData,omitempty"`
}

// AnswerFor turns the bot's card update into the callback answer: a frozen
// state for ReplaceName, the whole card's params for a new card.
func AnswerFor(upd *bot.CardUpdate) (CardAnswer, error) {
	if upd == nil {
		return CardAnswer{}, nil
	}
	var params map[string]string
	switch {
	case upd.Card != nil:
		p, err := cards.RenderDingTalkParams(*upd.Card)
		if err != nil {
			return CardAnswer{}, err
		}
		params = p
	case upd.ReplaceName != "":
		params = cards.DingTalkFrozenParams(upd.ReplaceName)
	default:
		return CardAnswer{}, nil
	}
	return CardAnswer{
		CardUpdateOptions: &CardUpdateOptions{UpdateCardDataByKey: true, UpdatePrivateDataByKey: true},
		CardData:          &CardData{CardParamMap: params},
	}, nil
}

// parseCardCommand reads a fallback card's text "#卡片 <taskID> <action>
// [question=option,option …]" into a card action; ok is false for any
// other text.
func parseCardCommand(text string) (*bot.CardAction, bool) {
	f := strings.Fields(text)
	if len(f) < 3 || f[0] != cards.DingTalkCardCommand || len(f) > 3+maxSelections {
		return nil, false
	}
	a := &bot.CardAction{TaskID: f[1], Key: f[2], CardType: "dingtalk_fallback"}
	for _, kv := range f[3:] {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || k == "" || v == "" {
			return nil, false
		}
		a.Selected = append(a.Selected, bot.Selection{QuestionKey: k, OptionIDs: strings.Split(v, ",")})
	}
	return a, true
}
