// Package cards builds platform-neutral cards (visit list, feedback steps,
// alerts, digests) from domain data, and renders them for WeCom
// (template_card) and DingTalk (cardParamMap / markdown). Every platform limit
// is a named constant enforced by Validate, counting runes, not bytes. It
// never sends anything.
package cards

// Layout says which interactive shape a card has. The names follow WeCom's
// five template_card types; DingTalk maps each to a card template.
type Layout string

// Layouts.
const (
	TextNotice          Layout = "text_notice"
	NewsNotice          Layout = "news_notice"
	ButtonInteraction   Layout = "button_interaction"
	VoteInteraction     Layout = "vote_interaction"
	MultipleInteraction Layout = "multiple_interaction"
)

// Card is a platform-neutral card. Kind names its purpose (visit_list,
// feedback_step1, alert, …); TaskID identifies it for callbacks and updates.
type Card struct {
	Layout   Layout    `json:"layout"`
	Kind     string    `json:"kind"`
	TaskID   string    `json:"task_id,omitempty"`
	Source   string    `json:"source,omitempty"`
	Title    string    `json:"title"`
	Desc     string    `json:"desc,omitempty"`
	Emphasis *Emphasis `json:"emphasis,omitempty"`
	Subtitle string    `json:"subtitle,omitempty"`
	Quote    string    `json:"quote,omitempty"`
	Fields   []Field   `json:"fields,omitempty"`
	Links    []Link    `json:"links,omitempty"`
	// URL is what tapping the card body opens (required on notice cards).
	URL       string    `json:"url,omitempty"`
	Buttons   []Button  `json:"buttons,omitempty"`
	Selection *Select   `json:"selection,omitempty"`
	Selects   []Select  `json:"selects,omitempty"`
	Checkbox  *Checkbox `json:"checkbox,omitempty"`
	Submit    *Button   `json:"submit,omitempty"`
	// ReplaceText freezes an interactive card: inputs disabled, one grey
	// button showing this text (e.g. "已提交").
	ReplaceText string `json:"replace_text,omitempty"`
}

// ActionKeys lists the callback keys a tap on the card can send: its
// callback buttons and its submit button.
func (c Card) ActionKeys() []string {
	var out []string
	for _, b := range c.Buttons {
		if b.Key != "" {
			out = append(out, b.Key)
		}
	}
	if c.Submit != nil && c.Submit.Key != "" {
		out = append(out, c.Submit.Key)
	}
	return out
}

// Emphasis is the large key figure of a notice card ("21天" / "未拜访").
type Emphasis struct {
	Title string `json:"title"`
	Desc  string `json:"desc,omitempty"`
}

// Field is one key/value row (WeCom horizontal_content_list).
type Field struct {
	Key   string `json:"key"`
	Value string `json:"value"`
	URL   string `json:"url,omitempty"`
}

// Link is a jump link under the card.
type Link struct {
	Title string `json:"title"`
	URL   string `json:"url"`
}

// Button is a callback button (Key set) or a link button (URL set).
type Button struct {
	Key   string `json:"key,omitempty"`
	Text  string `json:"text"`
	Style int    `json:"style,omitempty"`
	URL   string `json:"url,omitempty"`
}

// Option is one choice of a select or checkbox.
type Option struct {
	ID      string `json:"id"`
	Text    string `json:"text"`
	Checked bool   `json:"checked,omitempty"`
}

// Select is a drop-down question (single choice).
type Select struct {
	QuestionKey string   `json:"question_key"`
	Title       string   `json:"title"`
	Options     []Option `json:"options"`
	SelectedID  string   `json:"selected_id,omitempty"`
	Disabled    bool     `json:"disabled,omitempty"`
}

// Checkbox is a check-box question; Multi allows several answers.
type Checkbox struct {
	QuestionKey string   `json:"question_key"`
	Options     []Option `json:"options"`
	Multi       bool     `json:"multi"`
	Disabled    bool     `json:"disabled,omitempty"`
}
