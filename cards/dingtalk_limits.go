package cards

// DingTalk limits. Advanced card templates are designed by the admin in
// DingTalk's card platform (docs/dingtalk-cards.md); these constants are the
// contract visitbot keeps so every template built from that document fits.
// Texts count characters (runes).
const (
	// DingTalkTitleMax bounds the card title and the fallback message title
	// (the chat list preview shows about this many characters).
	DingTalkTitleMax = 64
	// DingTalkButtonsMax is the number of buttons of the template's button
	// list and of a sampleActionCard (sampleActionCard2…5 carry 2–5).
	DingTalkButtonsMax = 5
	// DingTalkButtonTextMax keeps a button label on one line.
	DingTalkButtonTextMax = 16
	// DingTalkParamValueMax bounds one cardParamMap value in bytes, so a
	// createAndDeliver body stays far below the API's request size limit.
	DingTalkParamValueMax = 8 << 10
	// DingTalkMarkdownMax bounds the text of a sampleMarkdown /
	// sampleActionCard message (DingTalk truncates long robot messages).
	DingTalkMarkdownMax = 4000
	// DingTalkOutTrackIDMaxBytes is the length of outTrackId DingTalk accepts.
	DingTalkOutTrackIDMaxBytes = 128
)
