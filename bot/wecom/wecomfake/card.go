package wecomfake

// Card is a template_card as WeCom reads it (doc 90236, "模板卡片消息"): the
// fake's own copy of the payload, deliberately not visitbot's cards types,
// so what the fake accepts does not follow the code under test. Field names
// follow WeCom's JSON; the fake decodes with unknown fields disallowed.
type Card struct {
	CardType              string            `json:"card_type"`
	Source                *Source           `json:"source,omitempty"`
	ActionMenu            *ActionMenu       `json:"action_menu,omitempty"`
	TaskID                string            `json:"task_id,omitempty"`
	MainTitle             *MainTitle        `json:"main_title,omitempty"`
	QuoteArea             *QuoteArea        `json:"quote_area,omitempty"`
	EmphasisContent       *Emphasis         `json:"emphasis_content,omitempty"`
	SubTitleText          string            `json:"sub_title_text,omitempty"`
	ImageTextArea         *ImageTextArea    `json:"image_text_area,omitempty"`
	CardImage             *CardImage        `json:"card_image,omitempty"`
	VerticalContentList   []VerticalContent `json:"vertical_content_list,omitempty"`
	HorizontalContentList []Horizontal      `json:"horizontal_content_list,omitempty"`
	JumpList              []Jump            `json:"jump_list,omitempty"`
	CardAction            *CardAction       `json:"card_action,omitempty"`
	ButtonSelection       *ButtonSelection  `json:"button_selection,omitempty"`
	ButtonList            []Button          `json:"button_list,omitempty"`
	Checkbox              *Checkbox         `json:"checkbox,omitempty"`
	SelectList            []Select          `json:"select_list,omitempty"`
	SubmitButton          *SubmitButton     `json:"submit_button,omitempty"`
	// ReplaceText (update_template_card, doc 94888) freezes an interactive
	// card behind one grey button with this text.
	ReplaceText string `json:"replace_text,omitempty"`
}

// Source is the app line at the top of a card.
type Source struct {
	IconURL   string `json:"icon_url,omitempty"`
	Desc      string `json:"desc,omitempty"`
	DescColor int    `json:"desc_color,omitempty"`
}

// ActionMenu is the menu in the card's corner.
type ActionMenu struct {
	Desc       string       `json:"desc,omitempty"`
	ActionList []MenuAction `json:"action_list"`
}

// MenuAction is one menu entry.
type MenuAction struct {
	Text string `json:"text"`
	Key  string `json:"key"`
}

// MainTitle is the title block.
type MainTitle struct {
	Title string `json:"title,omitempty"`
	Desc  string `json:"desc,omitempty"`
}

// QuoteArea is the quoted block.
type QuoteArea struct {
	Type      int    `json:"type,omitempty"`
	URL       string `json:"url,omitempty"`
	AppID     string `json:"appid,omitempty"`
	PagePath  string `json:"pagepath,omitempty"`
	Title     string `json:"title,omitempty"`
	QuoteText string `json:"quote_text,omitempty"`
}

// Emphasis is the key figure.
type Emphasis struct {
	Title string `json:"title,omitempty"`
	Desc  string `json:"desc,omitempty"`
}

// ImageTextArea is the picture-with-text block of news_notice.
type ImageTextArea struct {
	Type     int    `json:"type,omitempty"`
	URL      string `json:"url,omitempty"`
	AppID    string `json:"appid,omitempty"`
	PagePath string `json:"pagepath,omitempty"`
	Title    string `json:"title,omitempty"`
	Desc     string `json:"desc,omitempty"`
	ImageURL string `json:"image_url"`
}

// CardImage is the big picture of news_notice.
type CardImage struct {
	URL         string  `json:"url"`
	AspectRatio float64 `json:"aspect_ratio,omitempty"`
}

// VerticalContent is one row of news_notice's vertical list.
type VerticalContent struct {
	Title string `json:"title"`
	Desc  string `json:"desc,omitempty"`
}

// Horizontal is one key/value row (type 1 url, 3 member userid).
type Horizontal struct {
	Type    int    `json:"type,omitempty"`
	KeyName string `json:"keyname"`
	Value   string `json:"value,omitempty"`
	URL     string `json:"url,omitempty"`
	MediaID string `json:"media_id,omitempty"`
	UserID  string `json:"userid,omitempty"`
}

// Jump is one link under the card.
type Jump struct {
	Type     int    `json:"type,omitempty"`
	Title    string `json:"title"`
	URL      string `json:"url,omitempty"`
	AppID    string `json:"appid,omitempty"`
	PagePath string `json:"pagepath,omitempty"`
}

// CardAction is what tapping the card body does.
type CardAction struct {
	Type     int    `json:"type"`
	URL      string `json:"url,omitempty"`
	AppID    string `json:"appid,omitempty"`
	PagePath string `json:"pagepath,omitempty"`
}

// ButtonSelection is the drop-down of button_interaction.
type ButtonSelection struct {
	QuestionKey string   `json:"question_key"`
	Title       string   `json:"title,omitempty"`
	OptionList  []Option `json:"option_list"`
	SelectedID  string   `json:"selected_id,omitempty"`
}

// Option is one choice of a selection or select.
type Option struct {
	ID   string `json:"id"`
	Text string `json:"text"`
}

// Button is a callback button (type 0, key) or a link (type 1, url).
type Button struct {
	Type  int    `json:"type,omitempty"`
	Text  string `json:"text"`
	Style int    `json:"style,omitempty"`
	Key   string `json:"key,omitempty"`
	URL   string `json:"url,omitempty"`
}

// Checkbox is the question of vote_interaction.
type Checkbox struct {
	QuestionKey string           `json:"question_key"`
	OptionList  []CheckboxOption `json:"option_list"`
	Mode        int              `json:"mode"`
	Disable     bool             `json:"disable,omitempty"`
}

// CheckboxOption is one check box.
type CheckboxOption struct {
	ID        string `json:"id"`
	Text      string `json:"text"`
	IsChecked bool   `json:"is_checked,omitempty"`
}

// Select is one drop-down of multiple_interaction.
type Select struct {
	QuestionKey string   `json:"question_key"`
	Title       string   `json:"title,omitempty"`
	SelectedID  string   `json:"selected_id,omitempty"`
	Disable     bool     `json:"disable,omitempty"`
	OptionList  []Option `json:"option_list"`
}

// SubmitButton submits vote_interaction and multiple_interaction.
type SubmitButton struct {
	Text string `json:"text"`
	Key  string `json:"key"`
}
