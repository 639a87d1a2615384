package cards

import (
	"errors"
	"fmt"
	"unicode/utf8"
)

// WeComCard is WeCom's template_card payload (message/send msgtype
// template_card, update_template_card template_card). One struct covers the
// five card types; CardType selects which fields are required (see Validate).
type WeComCard struct {
	CardType              string                 `json:"card_type"`
	Source                *WeComSource           `json:"source,omitempty"`
	ActionMenu            *WeComActionMenu       `json:"action_menu,omitempty"`
	TaskID                string                 `json:"task_id,omitempty"`
	MainTitle             *WeComMainTitle        `json:"main_title,omitempty"`
	QuoteArea             *WeComQuoteArea        `json:"quote_area,omitempty"`
	EmphasisContent       *WeComEmphasis         `json:"emphasis_content,omitempty"`
	SubTitleText          string                 `json:"sub_title_text,omitempty"`
	ImageTextArea         *WeComImageTextArea    `json:"image_text_area,omitempty"`
	CardImage             *WeComCardImage        `json:"card_image,omitempty"`
	VerticalContentList   []WeComVerticalContent `json:"vertical_content_list,omitempty"`
	HorizontalContentList []WeComHorizontal      `json:"horizontal_content_list,omitempty"`
	JumpList              []WeComJump            `json:"jump_list,omitempty"`
	CardAction            *WeComCardAction       `json:"card_action,omitempty"`
	ButtonSelection       *WeComButtonSelection  `json:"button_selection,omitempty"`
	ButtonList            []WeComButton          `json:"button_list,omitempty"`
	Checkbox              *WeComCheckbox         `json:"checkbox,omitempty"`
	SelectList            []WeComSelect          `json:"select_list,omitempty"`
	SubmitButton          *WeComSubmitButton     `json:"submit_button,omitempty"`
	// ReplaceText freezes an interactive card on update: one grey disabled button.
	ReplaceText string `json:"replace_text,omitempty"`
}

// WeComSource is the small app line at the top of the card.
type WeComSource struct {
	IconURL   string `json:"icon_url,omitempty"`
	Desc      string `json:"desc,omitempty"`
	DescColor int    `json:"desc_color,omitempty"`
}

// WeComActionMenu is the "…" menu in the card's corner (needs task_id).
type WeComActionMenu struct {
	Desc       string            `json:"desc,omitempty"`
	ActionList []WeComMenuAction `json:"action_list"`
}

// WeComMenuAction is one menu entry; a click sends template_card_menu_event.
type WeComMenuAction struct {
	Text string `json:"text"`
	Key  string `json:"key"`
}

// WeComMainTitle is the card's title block.
type WeComMainTitle struct {
	Title string `json:"title,omitempty"`
	Desc  string `json:"desc,omitempty"`
}

// WeComQuoteArea is the grey quoted block.
type WeComQuoteArea struct {
	Type      int    `json:"type,omitempty"`
	URL       string `json:"url,omitempty"`
	Title     string `json:"title,omitempty"`
	QuoteText string `json:"quote_text,omitempty"`
}

// WeComEmphasis is the large key figure of a text_notice card.
type WeComEmphasis struct {
	Title string `json:"title,omitempty"`
	Desc  string `json:"desc,omitempty"`
}

// WeComImageTextArea is the picture-with-text block of a news_notice card.
type WeComImageTextArea struct {
	Type     int    `json:"type,omitempty"`
	URL      string `json:"url,omitempty"`
	Title    string `json:"title,omitempty"`
	Desc     string `json:"desc,omitempty"`
	ImageURL string `json:"image_url"`
}

// WeComCardImage is the big picture of a news_notice card.
type WeComCardImage struct {
	URL         string  `json:"url"`
	AspectRatio float64 `json:"aspect_ratio,omitempty"`
}

// WeComVerticalContent is one title/desc row of a news_notice card.
type WeComVerticalContent struct {
	Title string `json:"title"`
	Desc  string `json:"desc,omitempty"`
}

// WeComHorizontal is one key/value row; Type 1 makes Value a link (URL),
// Type 3 shows the member named by UserID.
type WeComHorizontal struct {
	Type    int    `json:"type,omitempty"`
	KeyName string `json:"keyname"`
	Value   string `json:"value,omitempty"`
	URL     string `json:"url,omitempty"`
	UserID  string `json:"userid,omitempty"`
}

// WeComJump is one link under the card.
type WeComJump struct {
	Type  int    `json:"type,omitempty"`
	Title string `json:"title"`
	URL   string `json:"url,omitempty"`
}

// WeComCardAction is what tapping the card body does (Type 1 = open URL).
type WeComCardAction struct {
	Type int    `json:"type"`
	URL  string `json:"url,omitempty"`
}

// WeComButtonSelection is the drop-down above the buttons of a button_interaction card.
type WeComButtonSelection struct {
	QuestionKey string        `json:"question_key"`
	Title       string        `json:"title,omitempty"`
	OptionList  []WeComOption `json:"option_list"`
	SelectedID  string        `json:"selected_id,omitempty"`
}

// WeComOption is one choice of a selection or select.
type WeComOption struct {
	ID   string `json:"id"`
	Text string `json:"text"`
}

// WeComButton is a callback button (Type 0, Key) or a link button (Type 1, URL).
type WeComButton struct {
	Type  int    `json:"type,omitempty"`
	Text  string `json:"text"`
	Style int    `json:"style,omitempty"`
	Key   string `json:"key,omitempty"`
	URL   string `json:"url,omitempty"`
}

// WeComCheckbox is the question of a vote_interaction card.
type WeComCheckbox struct {
	QuestionKey string                `json:"question_key"`
	OptionList  []WeComCheckboxOption `json:"option_list"`
	Mode        int                   `json:"mode"`
	Disable     bool                  `json:"disable,omitempty"`
}

// WeComCheckboxOption is one check box.
type WeComCheckboxOption struct {
	ID        string `json:"id"`
	Text      string `json:"text"`
	IsChecked bool   `json:"is_checked,omitempty"`
}

// WeComSelect is one drop-down question of a multiple_interaction card.
type WeComSelect struct {
	QuestionKey string        `json:"question_key"`
	Title       string        `json:"title,omitempty"`
	SelectedID  string        `json:"selected_id,omitempty"`
	Disable     bool          `json:"disable,omitempty"`
	OptionList  []WeComOption `json:"option_list"`
}

// WeComSubmitButton submits a vote or multiple_interaction card.
type WeComSubmitButton struct {
	Text string `json:"text"`
	Key  string `json:"key"`
}

// Validate checks the card against WeCom's documented limits so an invalid
// card fails here, with the field named, instead of as errcode 42045/40058
// at send time. Text limits count runes.
func (c *WeComCard) Validate() error {
	v := &weComChecker{}
	switch Layout(c.CardType) {
	case TextNotice:
		v.require(c.CardAction != nil, "card_action", "is required on text_notice (WeCom errcode 42045)")
		v.require(c.MainTitle != nil && c.MainTitle.Title != "" || c.SubTitleText != "", "main_title.title", "or sub_title_text is required on text_notice")
	case NewsNotice:
		v.require(c.MainTitle != nil && c.MainTitle.Title != "", "main_title.title", "is required on news_notice")
		v.require(c.CardAction != nil, "card_action", "is required on news_notice (WeCom errcode 42045)")
		v.require(c.CardImage != nil || c.ImageTextArea != nil, "card_image", "or image_text_area is required on news_notice")
	case ButtonInteraction:
		v.require(c.MainTitle != nil && c.MainTitle.Title != "", "main_title.title", "is required on button_interaction")
		v.require(len(c.ButtonList) > 0, "button_list", "needs 1-%d buttons", WeComButtonsMax)
	case VoteInteraction:
		v.require(c.MainTitle != nil && c.MainTitle.Title != "", "main_title.title", "is required on vote_interaction")
		v.require(c.Checkbox != nil, "checkbox", "is required on vote_interaction")
		v.require(c.SubmitButton != nil, "submit_button", "is required on vote_interaction")
	case MultipleInteraction:
		v.require(c.MainTitle != nil && c.MainTitle.Title != "", "main_title.title", "is required on multiple_interaction")
		v.require(len(c.SelectList) > 0, "select_list", "needs 1-%d selectors", WeComSelectsMax)
		v.require(c.SubmitButton != nil, "submit_button", "is required on multiple_interaction")
	default:
		v.fail("card_type", "unknown card type %q", c.CardType)
	}
	interactive := c.CardType == string(ButtonInteraction) || c.CardType == string(VoteInteraction) || c.CardType == string(MultipleInteraction)
	if interactive || c.ActionMenu != nil {
		v.require(c.TaskID != "", "task_id", "is required on interactive cards and cards with action_menu")
	}
	if c.TaskID != "" {
		v.require(weComTaskIDOK(c.TaskID), "task_id", "must be 1-%d bytes of [0-9A-Za-z_-@], got %q", WeComTaskIDMaxBytes, c.TaskID)
	}
	if c.Source != nil {
		v.runes("source.desc", c.Source.Desc, WeComSourceDescMax)
		v.require(c.Source.DescColor >= 0 && c.Source.DescColor <= WeComSourceDescColorMax, "source.desc_color", "must be 0-%d", WeComSourceDescColorMax)
	}
	if m := c.ActionMenu; m != nil {
		v.require(len(m.ActionList) >= 1 && len(m.ActionList) <= WeComActionMenuMax, "action_menu.action_list", "needs 1-%d entries, got %d", WeComActionMenuMax, len(m.ActionList))
		for i, a := range m.ActionList {
			v.runes(fmt.Sprintf("action_menu.action_list[%d].text", i), a.Text, WeComActionMenuTextMax)
			v.key(fmt.Sprintf("action_menu.action_list[%d].key", i), a.Key, WeComButtonKeyMaxBytes)
		}
	}
	if t := c.MainTitle; t != nil {
		v.runes("main_title.title", t.Title, WeComMainTitleMax)
		v.runes("main_title.desc", t.Desc, WeComMainDescMax)
	}
	if q := c.QuoteArea; q != nil {
		v.runes("quote_area.title", q.Title, WeComQuoteTitleMax)
		v.runes("quote_area.quote_text", q.QuoteText, WeComQuoteTextMax)
	}
	if e := c.EmphasisContent; e != nil {
		v.runes("emphasis_content.title", e.Title, WeComEmphasisTitleMax)
		v.runes("emphasis_content.desc", e.Desc, WeComEmphasisDescMax)
	}
	v.runes("sub_title_text", c.SubTitleText, WeComSubTitleMax)
	if a := c.ImageTextArea; a != nil {
		v.require(a.ImageURL != "", "image_text_area.image_url", "is required")
		v.runes("image_text_area.title", a.Title, WeComImageTextTitleMax)
		v.runes("image_text_area.desc", a.Desc, WeComImageTextDescMax)
	}
	if ci := c.CardImage; ci != nil {
		v.require(ci.URL != "", "card_image.url", "is required")
	}
	v.require(len(c.VerticalContentList) <= WeComVerticalMax, "vertical_content_list", "has %d entries, at most %d", len(c.VerticalContentList), WeComVerticalMax)
	for i, r := range c.VerticalContentList {
		v.runes(fmt.Sprintf("vertical_content_list[%d].title", i), r.Title, WeComVerticalTitleMax)
		v.runes(fmt.Sprintf("vertical_content_list[%d].desc", i), r.Desc, WeComVerticalDescMax)
	}
	v.require(len(c.HorizontalContentList) <= WeComHorizontalMax, "horizontal_content_list", "has %d rows, at most %d", len(c.HorizontalContentList), WeComHorizontalMax)
	for i, r := range c.HorizontalContentList {
		p := fmt.Sprintf("horizontal_content_list[%d]", i)
		v.runes(p+".keyname", r.KeyName, WeComHorizontalKeyMax)
		v.runes(p+".value", r.Value, WeComHorizontalValueMax)
		switch r.Type {
		case 0:
		case WeComHorizontalTypeURL:
			v.require(r.URL != "", p+".url", "is required when type is 1")
		case WeComHorizontalTypeUserID:
			v.require(r.UserID != "", p+".userid", "is required when type is 3")
		default:
			v.fail(p+".type", "must be 0, 1 or 3, got %d", r.Type)
		}
	}
	v.require(len(c.JumpList) <= WeComJumpMax, "jump_list", "has %d entries, at most %d", len(c.JumpList), WeComJumpMax)
	for i, j := range c.JumpList {
		v.runes(fmt.Sprintf("jump_list[%d].title", i), j.Title, WeComJumpTitleMax)
		v.require(j.Title != "", fmt.Sprintf("jump_list[%d].title", i), "is required")
	}
	if a := c.CardAction; a != nil && a.Type == WeComActionTypeURL {
		v.require(a.URL != "", "card_action.url", "is required when type is 1")
	}
	if s := c.ButtonSelection; s != nil {
		v.key("button_selection.question_key", s.QuestionKey, WeComQuestionKeyMaxBytes)
		v.runes("button_selection.title", s.Title, WeComTitleOfSelectMax)
		v.options("button_selection.option_list", s.OptionList, WeComSelectionOptionsMax, WeComSelectionOptionMax)
	}
	v.require(len(c.ButtonList) <= WeComButtonsMax, "button_list", "has %d buttons, at most %d", len(c.ButtonList), WeComButtonsMax)
	keys := map[string]bool{}
	for i, b := range c.ButtonList {
		p := fmt.Sprintf("button_list[%d]", i)
		v.runes(p+".text", b.Text, WeComButtonTextMax)
		v.require(b.Text != "", p+".text", "is required")
		v.require(b.Style >= 0 && b.Style <= WeComButtonStyleMax, p+".style", "must be 1-%d, got %d", WeComButtonStyleMax, b.Style)
		switch b.Type {
		case 0:
			v.uniqueKey(keys, p+".key", b.Key, WeComButtonKeyMaxBytes)
		case WeComButtonTypeURL:
			v.require(b.URL != "", p+".url", "is required when type is 1")
		default:
			v.fail(p+".type", "must be 0 or 1, got %d", b.Type)
		}
	}
	if cb := c.Checkbox; cb != nil {
		v.key("checkbox.question_key", cb.QuestionKey, WeComQuestionKeyMaxBytes)
		v.require(cb.Mode == 0 || cb.Mode == WeComCheckboxModeMulti, "checkbox.mode", "must be 0 or 1, got %d", cb.Mode)
		v.require(len(cb.OptionList) >= 1 && len(cb.OptionList) <= WeComCheckboxOptionsMax, "checkbox.option_list", "needs 1-%d options, got %d", WeComCheckboxOptionsMax, len(cb.OptionList))
		ids := map[string]bool{}
		for i, o := range cb.OptionList {
			p := fmt.Sprintf("checkbox.option_list[%d]", i)
			v.uniqueKey(ids, p+".id", o.ID, WeComOptionIDMaxBytes)
			v.runes(p+".text", o.Text, WeComCheckboxOptionMax)
		}
	}
	v.require(len(c.SelectList) <= WeComSelectsMax, "select_list", "has %d selectors, at most %d", len(c.SelectList), WeComSelectsMax)
	qkeys := map[string]bool{}
	for i, s := range c.SelectList {
		p := fmt.Sprintf("select_list[%d]", i)
		v.uniqueKey(qkeys, p+".question_key", s.QuestionKey, WeComQuestionKeyMaxBytes)
		v.runes(p+".title", s.Title, WeComTitleOfSelectMax)
		v.options(p+".option_list", s.OptionList, WeComSelectOptionsMax, WeComSelectOptionMax)
	}
	if sb := c.SubmitButton; sb != nil {
		v.runes("submit_button.text", sb.Text, WeComSubmitTextMax)
		v.require(sb.Text != "", "submit_button.text", "is required")
		v.key("submit_button.key", sb.Key, WeComButtonKeyMaxBytes)
	}
	v.runes("replace_text", c.ReplaceText, WeComReplaceTextMax)
	return v.err()
}

// weComTaskIDOK reports whether id fits WeCom's task_id rule: 1-128 bytes of [0-9A-Za-z_\-@].
func weComTaskIDOK(id string) bool {
	if id == "" || len(id) > WeComTaskIDMaxBytes {
		return false
	}
	for i := 0; i < len(id); i++ {
		switch ch := id[i]; {
		case ch >= '0' && ch <= '9', ch >= 'a' && ch <= 'z', ch >= 'A' && ch <= 'Z', ch == '_', ch == '-', ch == '@':
		default:
			return false
		}
	}
	return true
}

// weComChecker collects every violation so one Validate call names them all.
type weComChecker struct{ errs []error }

func (v *weComChecker) fail(field, format string, args ...any) {
	v.errs = append(v.errs, fmt.Errorf("wecom card %s: %s", field, fmt.Sprintf(format, args...)))
}

func (v *weComChecker) require(ok bool, field, format string, args ...any) {
	if !ok {
		v.fail(field, format, args...)
	}
}

func (v *weComChecker) runes(field, s string, max int) {
	if n := utf8.RuneCountInString(s); n > max {
		v.fail(field, "has %d characters, at most %d", n, max)
	}
}

func (v *weComChecker) key(field, s string, maxBytes int) {
	if s == "" || len(s) > maxBytes {
		v.fail(field, "must be 1-%d bytes, got %d", maxBytes, len(s))
	}
}

// uniqueKey checks s as a key of at most maxBytes that no earlier entry of
// seen holds, then records it in seen.
func (v *weComChecker) uniqueKey(seen map[string]bool, field, s string, maxBytes int) {
	v.key(field, s, maxBytes)
	v.require(!seen[s], field, "%q is used twice", s)
	seen[s] = true
}

func (v *weComChecker) options(field string, opts []WeComOption, maxN, maxText int) {
	v.require(len(opts) >= 1 && len(opts) <= maxN, field, "needs 1-%d options, got %d", maxN, len(opts))
	ids := map[string]bool{}
	for i, o := range opts {
		p := fmt.Sprintf("%s[%d]", field, i)
		v.uniqueKey(ids, p+".id", o.ID, WeComOptionIDMaxBytes)
		v.runes(p+".text", o.Text, maxText)
	}
}

func (v *weComChecker) err() error { return errors.Join(v.errs...) }
