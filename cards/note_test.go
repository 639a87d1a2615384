package cards

import (
	"strings"
	"testing"
)

// The note and check-in cards render within WeCom's and DingTalk's limits;
// their goldens are scanned by TestGlossaryOverGoldenCards.
func TestNoteAndCheckInCardsGolden(t *testing.T) {
	for name, c := range map[string]Card{
		"note_offer":       NoteOffer("nt-20261201-7-a1", "张主任", "浙大一院", 30),
		"note_question":    NoteQuestion("nq-20261201-7-a2", "张主任", "浙大一院", "明天几点开会？"),
		"checkin_confirm":  CheckInConfirm("cc-20261201-7-a3", "浙大一院"),
		"note_question_lg": NoteQuestion("nq-20261201-7-a4", "欧阳副主任", strings.Repeat("很长的医院名称", 10), strings.Repeat("长", 500)),
	} {
		t.Run(name, func(t *testing.T) {
			w, err := RenderWeCom(c)
			if err != nil {
				t.Fatalf("breaks a WeCom limit: %v", err)
			}
			if _, err := RenderDingTalkParams(c); err != nil {
				t.Fatalf("breaks a DingTalk limit: %v", err)
			}
			if name != "note_question_lg" {
				goldenJSON(t, name+"_wecom", w)
			}
		})
	}
}
