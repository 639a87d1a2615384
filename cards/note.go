package cards

import "fmt"

// Note card keys: 添加备注 on the card sent with saved feedback, and the two
// answers of the question asked about other text within the note window.
const (
	ActionNoteAdd  = "note:add"
	ActionNoteSave = "note:save"
	ActionNoteDrop = "note:drop"
	TextNoteAdd    = "添加备注"
	TextNoteSave   = "保存为备注"
	TextNoteDrop   = "不是备注"
	TextNoteSaved  = "已保存为备注"
)

// NoteOffer is the 添加备注 card of a visit's saved feedback: who (张主任),
// where, and how long the offer holds.
func NoteOffer(taskID, who, hospital string, minutes int) Card {
	return Card{
		Layout: ButtonInteraction, Kind: "note_offer", TaskID: taskID, Source: "拜访反馈",
		Title:   Truncate("补充"+TermNote+" · "+who, WeComMainTitleMax),
		Desc:    Truncate(fmt.Sprintf("%s，%d分钟内可添加", hospital, minutes), WeComMainDescMax),
		Buttons: []Button{{Key: ActionNoteAdd, Text: TextNoteAdd, Style: 1}},
	}
}

// NoteQuestion asks whether text, sent within the note window of a visit,
// is a note: 保存为备注 / 不是备注; it never saves by itself.
func NoteQuestion(taskID, who, hospital, text string) Card {
	return Card{
		Layout: ButtonInteraction, Kind: "note_question", TaskID: taskID, Source: "拜访助手",
		Title: "要保存为" + TermNote + "吗？",
		Desc:  Truncate(who+"（"+hospital+"）的拜访", WeComMainDescMax),
		Quote: Truncate(text, NoteQuoteMax),
		Buttons: []Button{
			{Key: ActionNoteSave, Text: TextNoteSave, Style: 1},
			{Key: ActionNoteDrop, Text: TextNoteDrop, Style: 2},
		},
	}
}

// NoteQuoteMax bounds the quoted text on the question card (WeCom quote_area text).
const NoteQuoteMax = 60
