package wecomfake

import (
	"fmt"
	"unicode/utf8"
)

// WeCom's documented payload limits, the fake's own copy. Source:
// shared/specs/wecom.md ("Sending" envelope and "Limits", "Updating"), which
// summarises developer.work.weixin.qq.com/document/path/90236 (message/send,
// template_card) and 94888 (update_template_card). Where the spec is silent
// the WeCom page is cited on the line. Characters are runes; "bytes" are bytes.
// These are intentionally not visitbot's cards constants: a wrong limit
// there must fail against the fake.
const (
	maxToUser        = 1000 // touser "a|b" ≤1000 members
	maxUpdateUserIDs = 1000 // update_template_card userids (array ≤1000)

	maxSourceDesc      = 20 // source.desc ≤20
	maxSourceDescColor = 3  // desc_color 0–3
	maxMainTitle       = 36 // main_title.title ≤36
	maxMainDesc        = 44 // main_title.desc ≤44
	maxEmphasisTitle   = 14 // emphasis_content.title ≤14
	maxEmphasisDesc    = 22 // emphasis_content.desc ≤22
	maxSubTitle        = 160
	maxHorizontal      = 6 // horizontal_content_list ≤6 rows
	maxHorizontalKey   = 5 // keyname ≤5
	maxHorizontalValue = 30
	maxJump            = 3 // jump_list ≤3
	maxJumpTitle       = 18
	maxVertical        = 4 // vertical_content_list ≤4
	maxVerticalTitle   = 38
	maxVerticalDesc    = 160
	maxButtons         = 6 // button_list 1–6 on button_interaction
	maxButtonText      = 10
	minButtonStyle     = 1 // style 1–4 (omitted = WeCom's default)
	maxButtonStyle     = 4
	maxKeyBytes        = 1024 // button key, question_key ≤1024 bytes, unique
	maxSelectionOpts   = 10   // button_selection option_list 1–10
	maxSelectionText   = 16
	maxCheckboxOpts    = 20 // checkbox option_list 1–20
	maxCheckboxText    = 17
	maxSelects         = 3  // select_list 1–3 selectors
	maxSelectOpts      = 10 // each option_list 1–10
	maxSelectText      = 16
	maxSubmitText      = 10 // submit_button.text ≤10
	maxMenuActions     = 3  // action_menu action_list 1–3
	maxTaskIDBytes     = 128
	// An option id is at most 128 bytes and unique (90236: "最长支持128字节，不可重复").
	maxOptionIDBytes = 128
	// replace_text and button.replace_name show as one grey button (94888),
	// so they carry a button's text: ≤10 like button_list text.
	maxReplaceText = maxButtonText
)

// Errcodes the fake answers a bad payload with, as WeCom does.
const (
	errInvalidParam      = 40058 // invalid parameter (every field rule)
	errNoCardAction      = 42045 // notice card without card_action (specs/wecom.md)
	errInvalidAgentID    = 40056
	errInvalidMsgType    = 40008
	errEmpty             = 44004
	errInvalidToken      = 40014
	errTokenExpired      = 42001
	errRateLimited       = 45009
	errInvalidCorpID     = 40013
	errInvalidCredential = 40001
)

// cardRules checks a template_card against the limits above: the required
// fields of its card_type (the table in specs/wecom.md) and every length and
// count. It returns the errcode and the first violation (0 when valid).
func cardRules(c *Card) (int, string) {
	v := &checker{}
	title := c.MainTitle != nil && c.MainTitle.Title != ""
	switch c.CardType {
	case "text_notice":
		if c.CardAction == nil {
			return errNoCardAction, "text_notice needs card_action"
		}
		v.need(title || c.SubTitleText != "", "text_notice needs main_title.title or sub_title_text")
	case "news_notice":
		if c.CardAction == nil {
			return errNoCardAction, "news_notice needs card_action"
		}
		v.need(title, "news_notice needs main_title.title")
		v.need(c.CardImage != nil || c.ImageTextArea != nil, "news_notice needs card_image or image_text_area")
	case "button_interaction":
		v.need(title, "button_interaction needs main_title.title")
		v.count("button_list", len(c.ButtonList), 1, maxButtons)
	case "vote_interaction":
		v.need(title, "vote_interaction needs main_title.title")
		v.need(c.Checkbox != nil && c.SubmitButton != nil, "vote_interaction needs checkbox and submit_button")
	case "multiple_interaction":
		v.need(title, "multiple_interaction needs main_title.title")
		v.count("select_list", len(c.SelectList), 1, maxSelects)
		v.need(c.SubmitButton != nil, "multiple_interaction needs submit_button")
	default:
		return errInvalidParam, fmt.Sprintf("unknown card_type %q", c.CardType)
	}
	interactive := c.CardType == "button_interaction" || c.CardType == "vote_interaction" || c.CardType == "multiple_interaction"
	if interactive || c.ActionMenu != nil || c.TaskID != "" {
		v.need(taskIDOK(c.TaskID), "task_id must be 1-128 bytes of [0-9A-Za-z_-@]")
	}
	if s := c.Source; s != nil {
		v.text("source.desc", s.Desc, maxSourceDesc)
		v.need(s.DescColor >= 0 && s.DescColor <= maxSourceDescColor, "source.desc_color must be 0-3")
	}
	if m := c.ActionMenu; m != nil {
		v.count("action_menu.action_list", len(m.ActionList), 1, maxMenuActions)
		for _, a := range m.ActionList {
			v.key("action_menu key", a.Key)
		}
	}
	if t := c.MainTitle; t != nil {
		v.text("main_title.title", t.Title, maxMainTitle)
		v.text("main_title.desc", t.Desc, maxMainDesc)
	}
	if e := c.EmphasisContent; e != nil {
		v.text("emphasis_content.title", e.Title, maxEmphasisTitle)
		v.text("emphasis_content.desc", e.Desc, maxEmphasisDesc)
	}
	v.text("sub_title_text", c.SubTitleText, maxSubTitle)
	v.count("horizontal_content_list", len(c.HorizontalContentList), 0, maxHorizontal)
	for _, h := range c.HorizontalContentList {
		v.text("horizontal keyname", h.KeyName, maxHorizontalKey)
		v.text("horizontal value", h.Value, maxHorizontalValue)
		v.need(h.Type != 1 || h.URL != "", "horizontal row of type 1 needs url")
		v.need(h.Type != 3 || h.UserID != "", "horizontal row of type 3 needs userid")
	}
	v.count("jump_list", len(c.JumpList), 0, maxJump)
	for _, j := range c.JumpList {
		v.text("jump_list title", j.Title, maxJumpTitle)
	}
	v.count("vertical_content_list", len(c.VerticalContentList), 0, maxVertical)
	for _, r := range c.VerticalContentList {
		v.text("vertical title", r.Title, maxVerticalTitle)
		v.text("vertical desc", r.Desc, maxVerticalDesc)
	}
	v.count("button_list", len(c.ButtonList), 0, maxButtons)
	keys := map[string]bool{}
	for _, b := range c.ButtonList {
		v.need(b.Text != "", "button text is required")
		v.text("button text", b.Text, maxButtonText)
		v.need(b.Style == 0 || b.Style >= minButtonStyle && b.Style <= maxButtonStyle, "button style must be 1-4")
		switch b.Type {
		case 0:
			v.key("button key", b.Key)
			v.need(!keys[b.Key], "button key "+b.Key+" is not unique")
			keys[b.Key] = true
		case 1:
			v.need(b.URL != "", "url button needs url")
		default:
			v.need(false, "button type must be 0 or 1")
		}
	}
	if s := c.ButtonSelection; s != nil {
		v.key("button_selection.question_key", s.QuestionKey)
		v.options("button_selection", s.OptionList, maxSelectionOpts, maxSelectionText)
	}
	if cb := c.Checkbox; cb != nil {
		v.key("checkbox.question_key", cb.QuestionKey)
		v.need(cb.Mode == 0 || cb.Mode == 1, "checkbox mode must be 0 or 1")
		opts := make([]Option, len(cb.OptionList))
		for i, o := range cb.OptionList {
			opts[i] = Option{ID: o.ID, Text: o.Text}
		}
		v.options("checkbox", opts, maxCheckboxOpts, maxCheckboxText)
	}
	v.count("select_list", len(c.SelectList), 0, maxSelects)
	questions := map[string]bool{}
	for _, s := range c.SelectList {
		v.key("select question_key", s.QuestionKey)
		v.need(!questions[s.QuestionKey], "select question_key "+s.QuestionKey+" is not unique")
		questions[s.QuestionKey] = true
		v.options("select", s.OptionList, maxSelectOpts, maxSelectText)
	}
	if sb := c.SubmitButton; sb != nil {
		v.need(sb.Text != "", "submit_button text is required")
		v.text("submit_button.text", sb.Text, maxSubmitText)
		v.key("submit_button.key", sb.Key)
	}
	v.text("replace_text", c.ReplaceText, maxReplaceText)
	if v.why != "" {
		return errInvalidParam, v.why
	}
	return 0, ""
}

// taskIDOK: 1-128 bytes of [0-9A-Za-z_\-@].
func taskIDOK(id string) bool {
	if id == "" || len(id) > maxTaskIDBytes {
		return false
	}
	for _, r := range id {
		ok := r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r == '_' || r == '-' || r == '@'
		if !ok {
			return false
		}
	}
	return true
}

// checker keeps the first violation.
type checker struct{ why string }

func (v *checker) need(ok bool, why string) {
	if !ok && v.why == "" {
		v.why = why
	}
}

func (v *checker) text(field, s string, max int) {
	n := utf8.RuneCountInString(s)
	v.need(n <= max, fmt.Sprintf("%s has %d characters, at most %d", field, n, max))
}

func (v *checker) count(field string, n, min, max int) {
	v.need(n >= min && n <= max, fmt.Sprintf("%s has %d entries, %d-%d allowed", field, n, min, max))
}

func (v *checker) key(field, k string) {
	v.need(k != "" && len(k) <= maxKeyBytes, fmt.Sprintf("%s must be 1-%d bytes, got %d", field, maxKeyBytes, len(k)))
}

func (v *checker) options(field string, opts []Option, max, maxText int) {
	v.count(field+" option_list", len(opts), 1, max)
	ids := map[string]bool{}
	for _, o := range opts {
		v.need(o.ID != "" && len(o.ID) <= maxOptionIDBytes && !ids[o.ID], field+" option id must be 1-128 bytes and unique")
		ids[o.ID] = true
		v.text(field+" option text", o.Text, maxText)
	}
}
