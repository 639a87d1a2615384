package cards

// Unverified check-in card: its forms wait for a verified location or this
// confirmation.
const (
	ActionCheckInConfirm = "checkin:confirm"
	TextConfirmVisit     = "仍要填写反馈"
	TextConfirmDesc      = "位置核验后会自动发来反馈表；确实已拜访可直接确认"
	TextConfirmed        = "已确认"
)

// CheckInConfirm is the card an unverified check-in at hospital gets
// instead of feedback forms.
func CheckInConfirm(taskID, hospital string) Card {
	return Card{
		Layout: ButtonInteraction, Kind: "checkin_confirm", TaskID: taskID, Source: "拜访助手",
		Title:   Truncate(TermCheckIn+TermUnverified+" · "+hospital, WeComMainTitleMax),
		Desc:    Truncate(TextConfirmDesc, WeComMainDescMax),
		Buttons: []Button{{Key: ActionCheckInConfirm, Text: TextConfirmVisit, Style: 1}},
	}
}
