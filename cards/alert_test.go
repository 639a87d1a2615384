package cards

import (
	"fmt"
	"strings"
	"testing"
)

func silentItem() AlertItem {
	return AlertItem{Label: "沉默KOL", Subject: "张伟（浙大一院）", EmphasisTitle: "21天", EmphasisDesc: "未拜访", Assignable: true,
		Reasons: []string{"心内科 KOL，已21天没有拜访或互动（上次 11月10日）", "本周两次搜索我司产品说明书", "有新的线上互动，建议尽快安排拜访"}}
}

func alertReps() []Option { return []Option{{ID: "3", Text: "张三"}, {ID: "4", Text: "李四"}} }

func alertSamples() map[string]AlertCardInput {
	return map[string]AlertCardInput{
		"alert_single_wecom": {TaskID: "al-202612010900-2", Items: []AlertItem{silentItem()}, Reps: alertReps(), SelectedRep: "3"},
		"alert_merged_wecom": {TaskID: "al-202612010900-2", Reps: alertReps(), SelectedRep: "4", Items: []AlertItem{
			silentItem(),
			{Label: "上升医生", Subject: "王芳（市一医院）", EmphasisTitle: "B→A", EmphasisDesc: "动态分级上升", Assignable: true, Reasons: []string{"分级由B升至A"}},
			{Label: "计划偏差", Subject: "张三", EmphasisTitle: "45%", EmphasisDesc: "本周计划匹配率", Reasons: []string{"近7天计划拜访11次，签到核实5次"}},
		}},
		"alert_drift_escalated_wecom": {TaskID: "al-202612010900-1", Escalated: true, Items: []AlertItem{
			{Label: "计划偏差", Subject: "张三", EmphasisTitle: "45%", EmphasisDesc: "本周计划匹配率", Reasons: []string{"近7天计划拜访11次，签到核实5次（目标≥60%）"}},
		}},
		"alert_assigned_wecom": {TaskID: "al-202612010900-2", Items: []AlertItem{silentItem()}, Reps: alertReps(), ReplaceText: TextAlertAssigned("张三")},
	}
}

func TestAlertCardGolden(t *testing.T) {
	for name, in := range alertSamples() {
		t.Run(name, func(t *testing.T) {
			w, err := RenderWeCom(AlertCard(in))
			if err != nil {
				t.Fatal(err)
			}
			goldenJSON(t, name, w)
		})
	}
}

func TestAlertCardShape(t *testing.T) {
	single := AlertCard(alertSamples()["alert_single_wecom"])
	if single.Emphasis == nil || single.Emphasis.Title != "21天" || single.Emphasis.Desc != "未拜访" {
		t.Fatalf("emphasis = %+v", single.Emphasis)
	}
	if len(single.Buttons) != 3 || single.Buttons[0].Text != "已知悉" || single.Buttons[1].Text != "指派给代表" || single.Buttons[2].Text != "一周后提醒" {
		t.Fatalf("buttons = %+v", single.Buttons)
	}
	if single.Selection == nil || single.Selection.SelectedID != "3" || len(single.Selection.Options) != 2 {
		t.Fatalf("selection = %+v", single.Selection)
	}
	merged := AlertCard(alertSamples()["alert_merged_wecom"])
	if merged.Emphasis.Title != "3条" || len(merged.Fields) != 3 || !strings.Contains(merged.Title, "3条") {
		t.Fatalf("merged = %+v", merged)
	}
	drift := AlertCard(alertSamples()["alert_drift_escalated_wecom"])
	if drift.Selection != nil || len(drift.Buttons) != 2 {
		t.Fatalf("a drift alert has no doctor to assign: %+v", drift)
	}
	if !strings.Contains(drift.Desc, "管理员") {
		t.Fatalf("escalated desc = %q", drift.Desc)
	}
	if got := TextAlertAssigned("欧阳娜娜娜娜娜娜"); len([]rune(got)) > WeComReplaceTextMax {
		t.Fatalf("assigned text %q is over the replace_text limit", got)
	}
}

// Many alerts, many reps and long names still make a valid WeCom card.
func TestAlertCardLimits(t *testing.T) {
	var items []AlertItem
	for i := 0; i < 9; i++ {
		it := silentItem()
		it.Subject = strings.Repeat("长", 40)
		it.Label = "很长的提醒类型名称"
		it.EmphasisTitle, it.EmphasisDesc = strings.Repeat("天", 20), strings.Repeat("述", 30)
		it.Reasons = []string{strings.Repeat("理由", 100)}
		items = append(items, it)
	}
	var reps []Option
	for i := 0; i < 12; i++ {
		reps = append(reps, Option{ID: fmt.Sprint(i + 1), Text: strings.Repeat("名", 20)})
	}
	for _, n := range []int{1, 6, 7, 9} {
		c := AlertCard(AlertCardInput{TaskID: "al-1", Items: items[:n], Reps: reps, SelectedRep: "12", Escalated: true})
		if _, err := RenderWeCom(c); err != nil {
			t.Fatalf("%d items: %v", n, err)
		}
		if len(c.Selection.Options) != WeComSelectionOptionsMax || c.Selection.SelectedID != "" {
			t.Fatalf("%d items: selection = %+v", n, c.Selection)
		}
		if n == 9 && (len(c.Fields) != WeComHorizontalMax || !strings.Contains(c.Fields[5].Value, "另有4条")) {
			t.Fatalf("fields = %+v", c.Fields)
		}
	}
}

// The same alert and digest cards render for DingTalk.
func TestAlertCardsRenderForDingTalk(t *testing.T) {
	for name, in := range alertSamples() {
		if _, err := RenderDingTalkParams(AlertCard(in)); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
	if _, err := RenderDingTalkParams(WeeklyDigest(digestSample())); err != nil {
		t.Errorf("digest: %v", err)
	}
}
