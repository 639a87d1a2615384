package cards

import (
	"errors"
	"fmt"
)

// ErrWeComNoImage is returned for a news_notice card: WeCom requires a
// card_image or image_text_area, which the platform-neutral Card has no
// field for. Build a WeComCard directly for news cards.
var ErrWeComNoImage = errors.New("news_notice needs card_image or image_text_area, which cards.Card cannot express")

// RenderWeCom renders c as a WeCom template_card and validates it against
// every WeCom limit, so an invalid card fails before it is sent.
func RenderWeCom(c Card) (*WeComCard, error) {
	if c.Layout == NewsNotice {
		return nil, fmt.Errorf("render %s card %q: %w", c.Layout, c.Kind, ErrWeComNoImage)
	}
	w := &WeComCard{CardType: string(c.Layout), TaskID: c.TaskID, SubTitleText: c.Subtitle, ReplaceText: c.ReplaceText}
	if c.Source != "" {
		w.Source = &WeComSource{Desc: c.Source}
	}
	if c.Title != "" || c.Desc != "" {
		w.MainTitle = &WeComMainTitle{Title: c.Title, Desc: c.Desc}
	}
	if c.Emphasis != nil {
		w.EmphasisContent = &WeComEmphasis{Title: c.Emphasis.Title, Desc: c.Emphasis.Desc}
	}
	if c.Quote != "" {
		w.QuoteArea = &WeComQuoteArea{QuoteText: c.Quote}
	}
	for _, f := range c.Fields {
		h := WeComHorizontal{KeyName: f.Key, Value: f.Value}
		if f.URL != "" {
			h.Type, h.URL = WeComHorizontalTypeURL, f.URL
		}
		w.HorizontalContentList = append(w.HorizontalContentList, h)
	}
	for _, l := range c.Links {
		w.JumpList = append(w.JumpList, WeComJump{Type: 1, Title: l.Title, URL: l.URL})
	}
	if c.URL != "" {
		w.CardAction = &WeComCardAction{Type: WeComActionTypeURL, URL: c.URL}
	}
	for _, b := range c.Buttons {
		wb := WeComButton{Text: b.Text, Style: b.Style, Key: b.Key}
		if b.URL != "" && b.Key == "" {
			wb.Type, wb.URL = WeComButtonTypeURL, b.URL
		}
		w.ButtonList = append(w.ButtonList, wb)
	}
	if s := c.Selection; s != nil {
		w.ButtonSelection = &WeComButtonSelection{QuestionKey: s.QuestionKey, Title: s.Title, OptionList: weComOptions(s.Options), SelectedID: s.SelectedID}
	}
	for _, s := range c.Selects {
		w.SelectList = append(w.SelectList, WeComSelect{
			QuestionKey: s.QuestionKey, Title: s.Title, SelectedID: s.SelectedID,
			Disable: s.Disabled || c.ReplaceText != "", OptionList: weComOptions(s.Options),
		})
	}
	if cb := c.Checkbox; cb != nil {
		wc := &WeComCheckbox{QuestionKey: cb.QuestionKey, Disable: cb.Disabled || c.ReplaceText != ""}
		if cb.Multi {
			wc.Mode = WeComCheckboxModeMulti
		}
		for _, o := range cb.Options {
			wc.OptionList = append(wc.OptionList, WeComCheckboxOption{ID: o.ID, Text: o.Text, IsChecked: o.Checked})
		}
		w.Checkbox = wc
	}
	if s := c.Submit; s != nil {
		w.SubmitButton = &WeComSubmitButton{Text: s.Text, Key: s.Key}
	}
	if err := w.Validate(); err != nil {
		return nil, fmt.Errorf("render %s card %q: %w", c.Layout, c.Kind, err)
	}
	return w, nil
}

func weComOptions(opts []Option) []WeComOption {
	out := make([]WeComOption, 0, len(opts))
	for _, o := range opts {
		out = append(out, WeComOption{ID: o.ID, Text: o.Text})
	}
	return out
}
