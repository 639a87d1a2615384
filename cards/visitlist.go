package cards

import (
	"fmt"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"
)

// Visit-list card action keys. The part after ":" is the action.
const (
	ActionPlanAccept = "plan:accept"
	ActionPlanSkip   = "plan:skip"
	ActionSkipSubmit = "skip:submit"
	// Skip card question keys.
	QuestionSkipDoctor = "skip_doctor"
	QuestionSkipReason = "skip_reason"
)

// SkipReasons are the reasons a rep may give for skipping a recommended doctor.
var SkipReasons = []Option{{ID: "cancelled", Text: "停诊"}, {ID: "visited", Text: "已拜访"}, {ID: "unreachable", Text: "无法到访"}, {ID: "other", Text: "其他"}}

// VisitItem is one recommended doctor on the morning card.
type VisitItem struct {
	Rank       int
	DoctorID   uint
	DoctorName string
	Title      string // chief | associate | attending | resident
	Hospital   string
	Department string
	Heat       float64
	Period     string // AM | PM | ""
	DistanceM  float64
	Reason     string // the top reason, Chinese
	Kind       string // ranked | must_visit | follow_up
	Lat, Lng   float64
}

// VisitListInput is what the visit-list card is built from.
type VisitListInput struct {
	TaskID   string
	Day      time.Time // in the business zone
	RepName  string
	Items    []VisitItem
	StartLat float64
	StartLng float64
	// Accepted says the plan is accepted: the card keeps 跳过 and 查看路线
	// (the plan can still change) and its description says so.
	Accepted bool
	// RouteKM and RouteMinutes are the planned day's driving (0 = unknown).
	RouteKM, RouteMinutes float64
}

// Text on the visit-list card.
const (
	TextAcceptPlan = TermAcceptPlan
	TextSkipOne    = "跳过某位并说明原因"
	TextRoute      = "查看路线"
	TextAccepted   = "已接受今日计划"
	TextFollowUp   = "今日跟进"
	TextMustVisit  = "经理指派"
	// VisitRowMax is a row's length: WeCom's horizontal_content_list value limit.
	VisitRowMax = WeComHorizontalValueMax
)

// VisitList builds the morning card: up to six rows "1 张主任 · 浙大一院 | 热度86·上午门诊·1.2km",
// the top reasons, and the buttons 接受今日计划 / 跳过某位并说明原因 / 查看路线.
// Once accepted, 接受今日计划 gives way and the other two stay.
func VisitList(in VisitListInput) Card {
	c := Card{
		Layout: ButtonInteraction,
		Kind:   "visit_list",
		TaskID: in.TaskID,
		Source: "拜访助手",
		Title:  Truncate(fmt.Sprintf("今日拜访推荐 %d月%d日%s", int(in.Day.Month()), in.Day.Day(), WeekdayName(int(in.Day.Weekday()))), 36),
		Desc:   Truncate(fmt.Sprintf("%s，按热度、门诊与距离为您排好了路线", in.RepName), 44),
	}
	if in.RouteKM > 0 { // the day's route, the one line the planner adds
		c.Desc = Truncate(fmt.Sprintf("%s，今日路线约%.1f公里，驾车约%d分钟", in.RepName, in.RouteKM, int(in.RouteMinutes+0.5)), 44)
	}
	if in.Accepted {
		c.Desc = Truncate(fmt.Sprintf("%s，%s（%d位）；如需调整可跳过某位", in.RepName, TextAccepted, len(in.Items)), 44)
	}
	items := in.Items
	if len(items) > 6 {
		items = items[:6]
	}
	labels := RowLabels(items)
	var reasons []string
	for i, it := range items {
		c.Fields = append(c.Fields, Field{Key: fmt.Sprint(it.Rank), Value: RowText(labels[i], it)})
		if it.Reason != "" {
			reasons = append(reasons, fmt.Sprintf("%d %s：%s", it.Rank, Address(it.DoctorName, it.Title), it.Reason))
		}
	}
	c.Subtitle = Truncate(strings.Join(reasons, "\n"), 160)
	route := RouteURL(in.StartLat, in.StartLng, in.Items)
	if !in.Accepted {
		c.Buttons = append(c.Buttons, Button{Key: ActionPlanAccept, Text: TextAcceptPlan, Style: 1})
	}
	c.Buttons = append(c.Buttons, Button{Key: ActionPlanSkip, Text: TextSkipOne, Style: 2})
	if route != "" {
		c.Buttons = append(c.Buttons, Button{Text: TextRoute, URL: route, Style: 3})
		c.URL = route
	}
	return c
}

// RowLabels names each row's doctor so that no two rows read the same:
// "冯医生 · 市一医院", with the department when two doctors share title,
// surname and hospital ("王医生 · 市一医院心内科"), and the full name when
// even that repeats.
func RowLabels(items []VisitItem) []string {
	label := func(it VisitItem, level int) string {
		who, place := Address(it.DoctorName, it.Title), it.Hospital
		if level >= 1 {
			place += it.Department
		}
		if level >= 2 && it.DoctorName != "" {
			who = it.DoctorName
		}
		if place == "" {
			return who
		}
		return who + " · " + place
	}
	out := make([]string, len(items))
	levels := make([]int, len(items))
	for level := 0; level <= 2; level++ {
		count := map[string]int{}
		for i, it := range items {
			out[i] = label(it, levels[i])
			count[out[i]]++
		}
		for i := range items {
			if count[out[i]] > 1 {
				levels[i] = level + 1
			}
		}
	}
	return out
}

// rowFacts is what a row says after the doctor: 热度 (or why the visit is
// on the list), the clinic half-day and the distance.
func rowFacts(it VisitItem) []string {
	var parts []string
	switch it.Kind {
	case "follow_up":
		parts = append(parts, TextFollowUp)
	case "must_visit":
		parts = append(parts, TextMustVisit)
	default:
		parts = append(parts, fmt.Sprintf("%s%d", TermHeat, int(it.Heat+0.5)))
	}
	if p := PeriodName(it.Period); p != "" {
		parts = append(parts, p+"门诊")
	}
	if it.DistanceM > 0 {
		parts = append(parts, Km(it.DistanceM))
	}
	return parts
}

// RowText is one visit-card row, "张主任 · 浙大一院 | 热度86·上午门诊·1.2km",
// within VisitRowMax: a long hospital name is shortened first, so the facts
// stay whole. label is the row's entry of RowLabels.
func RowText(label string, it VisitItem) string {
	facts := " | " + strings.Join(rowFacts(it), "·")
	room := VisitRowMax - utf8.RuneCountInString(facts)
	if room < 4 {
		return Truncate(label+facts, VisitRowMax)
	}
	return Truncate(label, room) + facts
}

// RowProse is a row as chat prose, without a pipe: "张主任（浙大一院，热度86·上午门诊·1.2km）".
func RowProse(it VisitItem) string {
	inner := strings.Join(rowFacts(it), "·")
	if it.Hospital != "" {
		inner = it.Hospital + "，" + inner
	}
	return Address(it.DoctorName, it.Title) + "（" + inner + "）"
}

// RouteURL is an AMap (高德) navigation link from the start point through the
// visits in order; coordinates are GCJ-02, which AMap expects. Several
// doctors at one hospital make one stop: no waypoint is named twice.
func RouteURL(startLat, startLng float64, items []VisitItem) string {
	var stops []VisitItem
	seen := map[[2]float64]bool{}
	for _, it := range items {
		at := [2]float64{it.Lat, it.Lng}
		if (it.Lat != 0 || it.Lng != 0) && !seen[at] {
			seen[at] = true
			stops = append(stops, it)
		}
	}
	if len(stops) == 0 {
		return ""
	}
	pt := func(lat, lng float64, name string) string { return fmt.Sprintf("%.6f,%.6f,%s", lng, lat, name) }
	q := url.Values{}
	if startLat != 0 || startLng != 0 {
		q.Set("from", pt(startLat, startLng, "出发点"))
	}
	last := stops[len(stops)-1]
	q.Set("to", pt(last.Lat, last.Lng, last.Hospital))
	var via []string
	for _, s := range stops[:len(stops)-1] {
		via = append(via, pt(s.Lat, s.Lng, s.Hospital))
	}
	if len(via) > 0 {
		q.Set("via", strings.Join(via, ";"))
	}
	q.Set("mode", "car")
	q.Set("coordinate", "gaode")
	q.Set("callnative", "1")
	return "https://uri.amap.com/navigation?" + q.Encode()
}

// SkipForm is the card that asks which doctor to skip and why (a
// multiple_interaction with two selects); options name the hospital too.
func SkipForm(taskID string, items []VisitItem) Card {
	doctor := Select{QuestionKey: QuestionSkipDoctor, Title: "跳过哪位"}
	if len(items) > WeComSelectOptionsMax {
		items = items[:WeComSelectOptionsMax]
	}
	for i, label := range RowLabels(items) {
		doctor.Options = append(doctor.Options, Option{ID: fmt.Sprint(items[i].DoctorID), Text: Truncate(fmt.Sprintf("%d %s", items[i].Rank, label), WeComSelectOptionMax)})
	}
	return Card{
		Layout:  MultipleInteraction,
		Kind:    "skip_form",
		TaskID:  taskID,
		Source:  "拜访助手",
		Title:   "跳过一位医生",
		Desc:    "选择医生和原因，我们会为您补上下一位",
		Selects: []Select{doctor, {QuestionKey: QuestionSkipReason, Title: "原因", Options: SkipReasons}},
		Submit:  &Button{Key: ActionSkipSubmit, Text: "确认跳过"},
	}
}

// SkipFormDone is the skip form after its submit: the chosen doctor and
// reason shown, inputs disabled, and status (已跳过张主任) on the grey button.
func SkipFormDone(taskID string, items []VisitItem, doctorID, reasonID, status string) Card {
	c := SkipForm(taskID, items)
	for i, chosen := range []string{doctorID, reasonID} {
		c.Selects[i].SelectedID, c.Selects[i].Disabled = chosen, true
	}
	c.ReplaceText = Truncate(status, WeComReplaceTextMax)
	return c
}
