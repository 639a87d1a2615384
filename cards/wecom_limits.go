package cards

// WeCom template_card limits (developer.work.weixin.qq.com/document/path/90236).
// Text limits count characters (runes); key and id limits count bytes, as WeCom does.
const (
	WeComSourceDescMax        = 20 // source.desc
	WeComSourceDescColorMax   = 3  // source.desc_color 0 grey, 1 black, 2 red, 3 green
	WeComMainTitleMax         = 36 // main_title.title
	WeComMainDescMax          = 44 // main_title.desc
	WeComEmphasisTitleMax     = 14 // emphasis_content.title
	WeComEmphasisDescMax      = 22 // emphasis_content.desc
	WeComSubTitleMax          = 160
	WeComQuoteTitleMax        = 36 // quote_area.title (same line length as main_title)
	WeComQuoteTextMax         = 160
	WeComHorizontalMax        = 6  // horizontal_content_list rows
	WeComHorizontalKeyMax     = 5  // horizontal_content_list[].keyname
	WeComHorizontalValueMax   = 30 // horizontal_content_list[].value
	WeComJumpMax              = 3  // jump_list entries
	WeComJumpTitleMax         = 18 // jump_list[].title
	WeComVerticalMax          = 4  // vertical_content_list entries
	WeComVerticalTitleMax     = 38
	WeComVerticalDescMax      = 160
	WeComButtonsMax           = 6  // button_list entries
	WeComButtonTextMax        = 10 // button_list[].text
	WeComButtonStyleMax       = 4  // button_list[].style 1–4
	WeComButtonKeyMaxBytes    = 1024
	WeComSelectionOptionsMax  = 10 // button_selection.option_list
	WeComSelectionOptionMax   = 16 // button_selection option text
	WeComCheckboxOptionsMax   = 20 // checkbox.option_list
	WeComCheckboxOptionMax    = 17 // checkbox option text
	WeComSelectsMax           = 3  // select_list selectors
	WeComSelectOptionsMax     = 10 // select_list[].option_list
	WeComSelectOptionMax      = 16 // select option text
	WeComQuestionKeyMaxBytes  = 1024
	WeComOptionIDMaxBytes     = 128
	WeComSubmitTextMax        = 10 // submit_button.text
	WeComActionMenuMax        = 3  // action_menu.action_list 1–3
	WeComActionMenuTextMax    = 10
	WeComTaskIDMaxBytes       = 128 // task_id, [0-9A-Za-z_\-@]
	WeComReplaceTextMax       = 10  // replace_text shows as a grey button
	WeComToUserMax            = 1000
	WeComUpdateUserIDsMax     = 1000
	WeComTitleOfSelectMax     = 36
	WeComImageTextTitleMax    = 36
	WeComImageTextDescMax     = 160
	WeComCheckboxModeMulti    = 1
	WeComHorizontalTypeURL    = 1
	WeComHorizontalTypeUserID = 3
	WeComActionTypeURL        = 1
	WeComButtonTypeURL        = 1
)
