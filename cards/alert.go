package cards

import (
	"fmt"
	"strings"
)

// Alert card action keys and the question of the rep selection.
const (
	ActionAlertAck    = "alert:ack"
	ActionAlertAssign = "alert:assign"
	ActionAlertSnooze = "alert:snooze"
	QuestionAlertRep  = "alert_rep"
)

// Texts on the alert card and after its actions (a replace text is at most
// WeComReplaceTextMax characters).
const (
	TextAlertSource   = "拜访助手·经理提醒"
	TextAlertAck      = "已知悉"
	TextAlertAssign   = "指派给代表"
	TextAlertSnooze   = "一周后提醒"
	TextAlertAcked    = "已知悉"
	TextAlertSnoozed  = "已设置一周后提醒"
	TextAlertAssignTo = "指派给"
	textAssignedPre   = "已指派给"
	textEscalated     = "未找到负责经理，已转管理员处理"
	textMergedDesc    = "操作将应用于以下全部提醒"
)

// TextAlertAssigned is the frozen card's text after 指派: "已指派给张三",
// the name cut to fit WeCom's replace_text limit.
func TextAlertAssigned(repName string) string {
	return textAssignedPre + Truncate(repName, WeComReplaceTextMax-len([]rune(textAssignedPre)))
}

// AlertItem is one alert on a card.
type AlertItem struct {
	// Label is the kind's short name ("沉默KOL"), at most WeComHorizontalKeyMax characters.
	Label string
	// Subject is what the alert is about ("张伟（浙大一院）").
	Subject string
	// EmphasisTitle / EmphasisDesc are the key figure ("21天" / "未拜访").
	EmphasisTitle string
	EmphasisDesc  string
	Reasons       []string
	// Assignable items concern a doctor and can become a rep's must-visit.
	Assignable bool
}

// AlertCardInput is what an alert card is built from. Several items make a
// merged card with a count (alerts for one manager within the merge window).
type AlertCardInput struct {
	TaskID string
	// Items are loudest first; at least one.
	Items []AlertItem
	// Reps are the manager's reps offered by 指派给代表 (first 10 shown);
	// SelectedRep is the preselected option id (the alert's rep).
	Reps        []Option
	SelectedRep string
	// Escalated says the alert went to the admins because the manager is unknown.
	Escalated bool
	// ReplaceText freezes the card after an action ("已知悉").
	ReplaceText string
}

// AlertCard builds the manager's alert card, a button_interaction: the key
// figure as emphasis_content, the reason lines as sub_title, and the buttons
// 已知悉 / 指派给代表 (with a select of the manager's reps) / 一周后提醒.
func AlertCard(in AlertCardInput) Card {
	c := Card{Layout: ButtonInteraction, Kind: "alert", TaskID: in.TaskID, Source: TextAlertSource, ReplaceText: in.ReplaceText}
	if len(in.Items) == 0 {
		return c
	}
	first := in.Items[0]
	if len(in.Items) == 1 {
		c.Title = Truncate(first.Label+"："+first.Subject, WeComMainTitleMax)
		c.Emphasis = &Emphasis{Title: Truncate(first.EmphasisTitle, WeComEmphasisTitleMax), Desc: Truncate(first.EmphasisDesc, WeComEmphasisDescMax)}
	} else {
		c.Title = Truncate(fmt.Sprintf("您有%d条新提醒", len(in.Items)), WeComMainTitleMax)
		c.Desc = textMergedDesc
		c.Emphasis = &Emphasis{Title: fmt.Sprintf("%d条", len(in.Items)), Desc: "新提醒"}
		for i, it := range in.Items {
			if i == WeComHorizontalMax-1 && len(in.Items) > WeComHorizontalMax {
				c.Fields = append(c.Fields, Field{Key: "更多", Value: fmt.Sprintf("另有%d条提醒", len(in.Items)-i)})
				break
			}
			c.Fields = append(c.Fields, Field{
				Key:   Truncate(it.Label, WeComHorizontalKeyMax),
				Value: Truncate(strings.TrimSpace(it.Subject+" "+it.EmphasisTitle+" "+it.EmphasisDesc), WeComHorizontalValueMax),
			})
		}
	}
	if in.Escalated {
		c.Desc = Truncate(strings.TrimSpace(textEscalated+" "+c.Desc), WeComMainDescMax)
	}
	c.Subtitle = Truncate(strings.Join(first.Reasons, "\n"), WeComSubTitleMax)
	c.Buttons = []Button{{Key: ActionAlertAck, Text: TextAlertAck, Style: 1}}
	assignable := false
	for _, it := range in.Items {
		assignable = assignable || it.Assignable
	}
	if assignable && len(in.Reps) > 0 {
		sel := &Select{QuestionKey: QuestionAlertRep, Title: TextAlertAssignTo}
		for _, r := range in.Reps {
			if len(sel.Options) == WeComSelectionOptionsMax {
				break
			}
			sel.Options = append(sel.Options, Option{ID: r.ID, Text: Truncate(r.Text, WeComSelectionOptionMax)})
			if r.ID == in.SelectedRep {
				sel.SelectedID = r.ID
			}
		}
		c.Selection = sel
		c.Buttons = append(c.Buttons, Button{Key: ActionAlertAssign, Text: TextAlertAssign, Style: 2})
	}
	c.Buttons = append(c.Buttons, Button{Key: ActionAlertSnooze, Text: TextAlertSnooze, Style: 3})
	return c
}
