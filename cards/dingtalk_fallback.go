package cards

import (
	"fmt"
	"net/url"
	"strings"
	"unicode/utf8"
)

// DingTalk robot message keys (msgKey of oToMessages/batchSend).
const (
	DingTalkMsgMarkdown   = "sampleMarkdown"
	DingTalkMsgActionCard = "sampleActionCard" // one button; sampleActionCard2…5 carry 2–5
)

// DingTalkCardCommand starts the text a fallback card's button sends back
// to the robot: "#卡片 <taskID> <action> [question=option,option …]".
// bot/dingtalk turns such a text into the same card action the advanced
// card would have sent, so ownership and dedupe work unchanged.
const DingTalkCardCommand = "#卡片"

// DingTalkCardPagePath is where a fallback card too complex for chat links
// (several questions, multi-select) points: server.public_url +
// DingTalkCardPagePath + taskID opens visitbot's own H5 page of the card.
const DingTalkCardPagePath = "/m/card/"

// Fallback button labels: the H5 form, and the card body's link on a card
// without buttons.
const (
	TextFillForm = "填写表单"
	TextOpenCard = "查看详情"
)

// DingTalkMessage is one robot message: msgKey and its msgParam object (the
// sender JSON-encodes msgParam into the string the API expects).
type DingTalkMessage struct {
	MsgKey   string            `json:"msgKey"`
	MsgParam map[string]string `json:"msgParam"`
}

// DingTalkMarkdown is a sampleMarkdown message; the title is what the chat
// list shows, text is cut to DingTalkMarkdownMax characters.
func DingTalkMarkdown(title, text string) DingTalkMessage {
	if title == "" {
		title = Truncate(firstLine(text), 20)
	}
	return DingTalkMessage{MsgKey: DingTalkMsgMarkdown, MsgParam: map[string]string{
		"title": Truncate(title, DingTalkTitleMax), "text": Truncate(text, DingTalkMarkdownMax),
	}}
}

// DingTalkCommandURL is the dtmd link that makes the DingTalk client send
// text to the robot as the user who tapped it. Spaces are %20, not "+".
func DingTalkCommandURL(text string) string {
	return "dtmd://dingtalkclient/sendMessage?content=" + strings.ReplaceAll(url.QueryEscape(text), "+", "%20")
}

// DingTalkActionText is the command a fallback button sends for action on
// the card taskID, with optional answers (question=option,option).
func DingTalkActionText(taskID, action string, answers ...string) string {
	parts := append([]string{DingTalkCardCommand, taskID, action}, answers...)
	return strings.Join(parts, " ")
}

// RenderDingTalkFallback renders c as a robot message for companies whose
// admin has not built the card templates: markdown text plus up to five
// ActionCard buttons. Link buttons open their URL; callback buttons send a
// DingTalkActionText back through a dtmd link; a single-choice question
// lists its options as dtmd links; other forms get one button to the H5
// page under publicURL. A frozen card (ReplaceText) shows its status and
// no callback buttons.
func RenderDingTalkFallback(c Card, publicURL string) (DingTalkMessage, error) {
	if err := ValidateDingTalk(c); err != nil {
		return DingTalkMessage{}, err
	}
	var b strings.Builder
	line := func(format string, args ...any) { fmt.Fprintf(&b, format+"\n\n", args...) }
	if c.Source != "" {
		line("%s", mdEscape(c.Source))
	}
	line("### %s", mdEscape(c.Title))
	if c.Desc != "" {
		line("%s", mdEscape(c.Desc))
	}
	if c.Emphasis != nil {
		line("**%s** %s", mdEscape(c.Emphasis.Title), mdEscape(c.Emphasis.Desc))
	}
	for _, f := range c.Fields {
		v := mdEscape(f.Value)
		if f.URL != "" {
			v = fmt.Sprintf("[%s](%s)", v, f.URL)
		}
		line("%s　%s", mdEscape(f.Key), v)
	}
	if c.Subtitle != "" {
		for _, l := range strings.Split(c.Subtitle, "\n") {
			line("%s", mdEscape(l))
		}
	}
	if c.Quote != "" {
		line("> %s", mdEscape(c.Quote))
	}
	for _, l := range c.Links {
		line("[%s](%s)", mdEscape(l.Title), l.URL)
	}
	type button struct{ title, url string }
	var buttons []button
	frozen := c.ReplaceText != ""
	if frozen {
		line("**%s**", mdEscape(c.ReplaceText))
	}
	for _, bt := range c.Buttons {
		switch {
		case bt.URL != "":
			buttons = append(buttons, button{bt.Text, bt.URL})
		case !frozen:
			buttons = append(buttons, button{bt.Text, DingTalkCommandURL(DingTalkActionText(c.TaskID, bt.Key))})
		}
	}
	if !frozen && c.Submit != nil {
		if q, opts, ok := singleQuestion(c); ok {
			line("**%s**", mdEscape(firstNonBlank(q.title, "请选择")))
			for _, o := range opts {
				line("[%s](%s)", mdEscape(o.Text), DingTalkCommandURL(DingTalkActionText(c.TaskID, c.Submit.Key, q.key+"="+o.ID)))
			}
		} else if c.Selection != nil || len(c.Selects) > 0 || c.Checkbox != nil {
			buttons = append(buttons, button{TextFillForm, strings.TrimRight(publicURL, "/") + DingTalkCardPagePath + url.PathEscape(c.TaskID)})
		} else {
			buttons = append(buttons, button{c.Submit.Text, DingTalkCommandURL(DingTalkActionText(c.TaskID, c.Submit.Key))})
		}
	}
	if len(buttons) == 0 && c.URL != "" {
		buttons = append(buttons, button{TextOpenCard, c.URL})
	}
	if len(buttons) > DingTalkButtonsMax {
		buttons = buttons[:DingTalkButtonsMax]
	}
	text := strings.TrimSpace(b.String())
	if utf8.RuneCountInString(text) > DingTalkMarkdownMax {
		return DingTalkMessage{}, fmt.Errorf("%w: fallback text %d characters, at most %d", ErrDingTalkCard, utf8.RuneCountInString(text), DingTalkMarkdownMax)
	}
	title := Truncate(c.Title, DingTalkTitleMax)
	switch len(buttons) {
	case 0:
		return DingTalkMessage{MsgKey: DingTalkMsgMarkdown, MsgParam: map[string]string{"title": title, "text": text}}, nil
	case 1:
		return DingTalkMessage{MsgKey: DingTalkMsgActionCard, MsgParam: map[string]string{
			"title": title, "text": text, "singleTitle": buttons[0].title, "singleURL": buttons[0].url,
		}}, nil
	}
	p := map[string]string{"title": title, "text": text}
	for i, bt := range buttons {
		p[fmt.Sprintf("actionTitle%d", i+1)] = bt.title
		p[fmt.Sprintf("actionURL%d", i+1)] = bt.url
	}
	return DingTalkMessage{MsgKey: fmt.Sprintf("%s%d", DingTalkMsgActionCard, len(buttons)), MsgParam: p}, nil
}

type question struct{ key, title string }

// singleQuestion returns the card's only single-choice question, if it has
// exactly one (a Selection, one Select, or a single-answer Checkbox).
func singleQuestion(c Card) (question, []Option, bool) {
	n := len(c.Selects)
	if c.Selection != nil {
		n++
	}
	if c.Checkbox != nil {
		n++
	}
	if n != 1 {
		return question{}, nil, false
	}
	switch {
	case c.Selection != nil:
		return question{c.Selection.QuestionKey, c.Selection.Title}, c.Selection.Options, true
	case len(c.Selects) == 1:
		return question{c.Selects[0].QuestionKey, c.Selects[0].Title}, c.Selects[0].Options, true
	case !c.Checkbox.Multi:
		return question{c.Checkbox.QuestionKey, ""}, c.Checkbox.Options, true
	}
	return question{}, nil, false
}

// mdEscape keeps user-supplied text from turning into markdown links or
// headings (DingTalk's markdown subset).
func mdEscape(s string) string { return mdEscaper.Replace(s) }

var mdEscaper = strings.NewReplacer("[", "［", "]", "］", "#", "＃", "*", "＊", "\n", " ")

func firstNonBlank(ss ...string) string {
	for _, s := range ss {
		if strings.TrimSpace(s) != "" {
			return s
		}
	}
	return ""
}

func firstLine(s string) string {
	l, _, _ := strings.Cut(strings.TrimSpace(s), "\n")
	return strings.TrimLeft(l, "# ")
}
