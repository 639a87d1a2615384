package cards

import (
	"fmt"
	"net/url"
	"strings"
	"time"
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
	// Accepted freezes the card with "已接受今日计划".
	Accepted bool
	// RouteKM and RouteMinutes are the planned day's driving (0 = unknown).
	RouteKM, RouteMinutes float64
}

// Text on the visit-list card.
const (
	TextAcceptPlan = "接受今日计划"
	TextSkipOne    = "跳过某位并说明原因"
	TextRoute      = "查看路线"
	TextAccepted   = "已接受今日计划"
	TextFollowUp   = "今日跟进"
	TextMustVisit  = "经理指派"
)

// VisitList builds the morning card: up to five rows "1 张主任 | 热度86·上午门诊·1.2km",
// the top reasons, and the buttons 接受今日计划 / 跳过某位并说明原因 / 查看路线.
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
	var reasons []string
	for i, it := range in.Items {
		if i >= 6 {
			break
		}
		c.Fields = append(c.Fields, Field{Key: fmt.Sprint(it.Rank), Value: Truncate(RowText(it), 30)})
		if it.Reason != "" {
			reasons = append(reasons, fmt.Sprintf("%d %s：%s", it.Rank, Address(it.DoctorName, it.Title), it.Reason))
		}
	}
	c.Subtitle = Truncate(strings.Join(reasons, "\n"), 160)
	route := RouteURL(in.StartLat, in.StartLng, in.Items)
	c.Buttons = []Button{
		{Key: ActionPlanAccept, Text: TextAcceptPlan, Style: 1},
		{Key: ActionPlanSkip, Text: TextSkipOne, Style: 2},
	}
	if route != "" {
		c.Buttons = append(c.Buttons, Button{Text: TextRoute, URL: route, Style: 3})
		c.URL = route
	}
	if in.Accepted {
		c.ReplaceText = TextAccepted
	}
	return c
}

// RowText is "张主任 | 热度86·上午门诊·1.2km"; follow-ups and manager
// assignments say so instead of the heat.
func RowText(it VisitItem) string {
	parts := []string{}
	switch it.Kind {
	case "follow_up":
		parts = append(parts, TextFollowUp)
	case "must_visit":
		parts = append(parts, TextMustVisit)
	default:
		parts = append(parts, fmt.Sprintf("热度%d", int(it.Heat+0.5)))
	}
	if p := PeriodName(it.Period); p != "" {
		parts = append(parts, p+"门诊")
	}
	if it.DistanceM > 0 {
		parts = append(parts, Km(it.DistanceM))
	}
	return Address(it.DoctorName, it.Title) + " | " + strings.Join(parts, "·")
}

// RouteURL is an AMap (高德) navigation link from the start point through the
// visits in order; coordinates are GCJ-02, which AMap expects.
func RouteURL(startLat, startLng float64, items []VisitItem) string {
	var stops []VisitItem
	for _, it := range items {
		if it.Lat != 0 || it.Lng != 0 {
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
// multiple_interaction with two selects).
func SkipForm(taskID string, items []VisitItem) Card {
	doctor := Select{QuestionKey: QuestionSkipDoctor, Title: "跳过哪位"}
	for _, it := range items {
		if len(doctor.Options) >= 10 {
			break
		}
		doctor.Options = append(doctor.Options, Option{ID: fmt.Sprint(it.DoctorID), Text: Truncate(fmt.Sprintf("%d %s", it.Rank, Address(it.DoctorName, it.Title)), 16)})
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
