package cards

import (
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"unicode/utf8"
)

// cardParamMap keys of visitbot's DingTalk card templates. Every template
// (one per card kind, ids in dingtalk.card_templates) reads the same keys;
// docs/dingtalk-cards.md is the contract for the admin who builds them.
// All values are strings; lists and objects are JSON strings.
const (
	DingTalkKeyKind          = "kind"
	DingTalkKeyLayout        = "layout" // text_notice | button_interaction | vote_interaction | multiple_interaction …
	DingTalkKeyTaskID        = "task_id"
	DingTalkKeySource        = "source"
	DingTalkKeyTitle         = "title"
	DingTalkKeyDesc          = "desc"
	DingTalkKeyEmphasisTitle = "emphasis_title"
	DingTalkKeyEmphasisDesc  = "emphasis_desc"
	DingTalkKeySubtitle      = "subtitle"
	DingTalkKeyQuote         = "quote"
	DingTalkKeyURL           = "url"
	DingTalkKeyFields        = "fields"   // [{"key","value","url"}]
	DingTalkKeyLinks         = "links"    // [{"title","url"}]
	DingTalkKeyButtons       = "buttons"  // [{"action","text","style","url"}]
	DingTalkKeySelects       = "selects"  // [{"key","title","options":[{"id","text"}],"selected"}]
	DingTalkKeyCheckbox      = "checkbox" // {"key","multi","options":[{"id","text","checked"}]} or ""
	DingTalkKeySubmit        = "submit"   // {"action","text"} or ""
	DingTalkKeyStatus        = "status"   // the frozen state text, e.g. 已接受
	DingTalkKeyFrozen        = "frozen"   // "true" disables every input and button
	// DingTalkParamAction is the callback param that carries the action key
	// ("plan:accept"): every template button sends params.action = its
	// action; the submit button sends params.action = submit.action plus
	// one param per question key (string, or array for a multi checkbox).
	DingTalkParamAction = "action"
)

// DingTalkButton is one entry of the "buttons" list.
type DingTalkButton struct {
	Action string `json:"action,omitempty"`
	Text   string `json:"text"`
	Style  string `json:"style"`
	URL    string `json:"url,omitempty"`
}

// DingTalkOption is one option of a select or checkbox.
type DingTalkOption struct {
	ID      string `json:"id"`
	Text    string `json:"text"`
	Checked bool   `json:"checked,omitempty"`
}

// DingTalkSelect is one single-choice question of the "selects" list.
type DingTalkSelect struct {
	Key      string           `json:"key"`
	Title    string           `json:"title"`
	Options  []DingTalkOption `json:"options"`
	Selected string           `json:"selected,omitempty"`
}

// DingTalkCheckbox is the "checkbox" question.
type DingTalkCheckbox struct {
	Key     string           `json:"key"`
	Multi   bool             `json:"multi"`
	Options []DingTalkOption `json:"options"`
}

// ErrDingTalkCard is wrapped by every DingTalk rendering failure.
var ErrDingTalkCard = errors.New("card does not fit the DingTalk card contract")

// DingTalkButtonStyle names WeCom-style button styles for DingTalk
// templates: 1 primary (blue), 2 secondary (grey outline), 3 link, 4 danger.
func DingTalkButtonStyle(style int) string {
	switch style {
	case 1:
		return "primary"
	case 3:
		return "link"
	case 4:
		return "danger"
	}
	return "secondary"
}

// ValidateDingTalk checks c against the DingTalk limits.
func ValidateDingTalk(c Card) error {
	var errs []error
	fail := func(field, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%w: %s: %s", ErrDingTalkCard, field, fmt.Sprintf(format, args...)))
	}
	if c.Title == "" {
		fail("title", "is required")
	}
	if n := utf8.RuneCountInString(c.Title); n > DingTalkTitleMax {
		fail("title", "%d characters, at most %d", n, DingTalkTitleMax)
	}
	if len(c.TaskID) > DingTalkOutTrackIDMaxBytes {
		fail("task_id", "%d bytes, at most %d (outTrackId)", len(c.TaskID), DingTalkOutTrackIDMaxBytes)
	}
	if len(c.Buttons) > DingTalkButtonsMax {
		fail("buttons", "%d buttons, at most %d", len(c.Buttons), DingTalkButtonsMax)
	}
	seen := map[string]bool{}
	for i, b := range c.Buttons {
		if n := utf8.RuneCountInString(b.Text); b.Text == "" || n > DingTalkButtonTextMax {
			fail(fmt.Sprintf("buttons[%d].text", i), "must be 1-%d characters", DingTalkButtonTextMax)
		}
		if (b.Key == "") == (b.URL == "") {
			fail(fmt.Sprintf("buttons[%d]", i), "needs exactly one of key and url")
		}
		if b.Key != "" {
			if seen[b.Key] {
				fail(fmt.Sprintf("buttons[%d].key", i), "%q used twice", b.Key)
			}
			seen[b.Key] = true
		}
	}
	if c.Submit != nil && c.Submit.Key == "" {
		fail("submit.key", "is required")
	}
	interactive := c.Submit != nil
	for _, b := range c.Buttons {
		interactive = interactive || b.Key != ""
	}
	if interactive && c.TaskID == "" {
		fail("task_id", "is required on a card with callback buttons")
	}
	return errors.Join(errs...)
}

// RenderDingTalkParams renders c as the cardParamMap of visitbot's DingTalk
// card template: every contract key is present (empty string or "[]" when
// unused) so template conditions always see a value.
func RenderDingTalkParams(c Card) (map[string]string, error) {
	if err := ValidateDingTalk(c); err != nil {
		return nil, err
	}
	m := map[string]string{
		DingTalkKeyKind: c.Kind, DingTalkKeyLayout: string(c.Layout), DingTalkKeyTaskID: c.TaskID, DingTalkKeySource: c.Source,
		DingTalkKeyTitle: c.Title, DingTalkKeyDesc: c.Desc, DingTalkKeySubtitle: c.Subtitle,
		DingTalkKeyQuote: c.Quote, DingTalkKeyURL: c.URL, DingTalkKeyStatus: c.ReplaceText,
		DingTalkKeyFrozen: "false", DingTalkKeyEmphasisTitle: "", DingTalkKeyEmphasisDesc: "",
		DingTalkKeyCheckbox: "", DingTalkKeySubmit: "",
	}
	if c.ReplaceText != "" {
		m[DingTalkKeyFrozen] = "true"
	}
	if c.Emphasis != nil {
		m[DingTalkKeyEmphasisTitle], m[DingTalkKeyEmphasisDesc] = c.Emphasis.Title, c.Emphasis.Desc
	}
	fields := make([]Field, 0, len(c.Fields))
	fields = append(fields, c.Fields...)
	links := make([]Link, 0, len(c.Links))
	links = append(links, c.Links...)
	buttons := make([]DingTalkButton, 0, len(c.Buttons))
	for _, b := range c.Buttons {
		buttons = append(buttons, DingTalkButton{Action: b.Key, Text: b.Text, Style: DingTalkButtonStyle(b.Style), URL: b.URL})
	}
	selects := make([]DingTalkSelect, 0, len(c.Selects)+1)
	if c.Selection != nil {
		selects = append(selects, dingTalkSelect(*c.Selection))
	}
	for _, s := range c.Selects {
		selects = append(selects, dingTalkSelect(s))
	}
	var errs []error
	put := func(key string, v any) {
		b, err := json.Marshal(v)
		if err != nil {
			errs = append(errs, err)
			return
		}
		m[key] = string(b)
	}
	put(DingTalkKeyFields, fields)
	put(DingTalkKeyLinks, links)
	put(DingTalkKeyButtons, buttons)
	put(DingTalkKeySelects, selects)
	if c.Checkbox != nil {
		put(DingTalkKeyCheckbox, DingTalkCheckbox{Key: c.Checkbox.QuestionKey, Multi: c.Checkbox.Multi, Options: dingTalkOptions(c.Checkbox.Options)})
	}
	if c.Submit != nil {
		put(DingTalkKeySubmit, DingTalkButton{Action: c.Submit.Key, Text: c.Submit.Text, Style: DingTalkButtonStyle(1)})
	}
	for _, k := range sortedKeys(m) {
		if len(m[k]) > DingTalkParamValueMax {
			errs = append(errs, fmt.Errorf("%w: %s: %d bytes, at most %d", ErrDingTalkCard, k, len(m[k]), DingTalkParamValueMax))
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return m, nil
}

// DingTalkFrozenParams is the cardParamMap update that freezes a card after
// an action: the status text shows and every input is disabled.
func DingTalkFrozenParams(status string) map[string]string {
	return map[string]string{DingTalkKeyStatus: status, DingTalkKeyFrozen: "true"}
}

func dingTalkSelect(s Select) DingTalkSelect {
	return DingTalkSelect{Key: s.QuestionKey, Title: s.Title, Options: dingTalkOptions(s.Options), Selected: s.SelectedID}
}

func dingTalkOptions(opts []Option) []DingTalkOption {
	out := make([]DingTalkOption, 0, len(opts))
	for _, o := range opts {
		out = append(out, DingTalkOption{ID: o.ID, Text: o.Text, Checked: o.Checked})
	}
	return out
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
