package ranking

import (
	"fmt"
	"slices"
	"time"
)

// MaxReasons caps the phrases of one recommendation: a card line, not an essay.
const MaxReasons = 5

// weekdayNames are Chinese weekday names indexed by time.Weekday.
var weekdayNames = [...]string{"周日", "周一", "周二", "周三", "周四", "周五", "周六"}

var periodNames = map[string]string{PeriodAM: "上午", PeriodPM: "下午"}

var titleNames = map[string]string{TitleChief: "主任医师", TitleAssociate: "副主任医师"}

// phrases explains a heat index: rule reasons first, then the classes that
// contribute most, each as a short Chinese phrase. Classes without anything
// worth saying are skipped.
func phrases(d Doctor, h Heat) []string {
	var out []string
	ruleClasses := map[string]bool{}
	for _, r := range h.Rules {
		if r.Reason != "" {
			out = append(out, r.Reason)
			ruleClasses[r.Class] = true
		}
	}
	order := make([]ClassScore, 0, len(h.Classes))
	for _, c := range h.Classes {
		if c.Points > 0 {
			order = append(order, c)
		}
	}
	slices.SortStableFunc(order, func(a, b ClassScore) int {
		switch {
		case a.Points > b.Points:
			return -1
		case a.Points < b.Points:
			return 1
		}
		return 0
	})
	for _, c := range order {
		if ruleClasses[c.Class] {
			continue // the rule's reason already speaks for the class
		}
		if p := classPhrase(d, h, c); p != "" {
			out = append(out, p)
		}
	}
	return out
}

func classPhrase(d Doctor, h Heat, c ClassScore) string {
	switch c.Class {
	case ClassFiling:
		for _, r := range d.Roles {
			switch r {
			case RoleFormulary:
				return "药事会成员"
			case RoleInsuranceAdvocate:
				return "医保目录推动者"
			}
		}
		if d.KOL {
			return "KOL专家"
		}
		return titleNames[d.Title]
	case ClassRxTrend:
		switch t := h.Trend; {
		case !t.Known: // the earlier window is missing: no trend to tell
		case t.FromZero:
			return "科室开始使用我司产品"
		case t.Growth >= 0.05:
			return fmt.Sprintf("科室用药上升%.0f%%", 100*min(t.Growth, 9.99))
		}
	case ClassMeeting:
		if c.Recent > 0 {
			return fmt.Sprintf("近3月参加学术会议%d次", c.Recent)
		}
	case ClassLecture:
		if c.Recent > 0 {
			return fmt.Sprintf("近3月参加线上讲座%d次", c.Recent)
		}
	case ClassCompetitor:
		if c.Recent >= 2 {
			return "竞品互动频繁"
		}
	case ClassTrial:
		if c.Recent > 0 {
			return "参与临床试验"
		}
	case ClassDigital:
		if c.Recent > 0 {
			return fmt.Sprintf("近期查看产品资料%d次", c.Recent)
		}
	case ClassVisit:
		if c.Sub >= 0.5 {
			return "近期拜访反馈积极"
		}
	}
	return ""
}

// SessionPhrase says when the doctor sits in clinic on day: "周三上午门诊".
func SessionPhrase(day time.Time, periods []string) string {
	s := weekdayNames[day.Weekday()]
	for i, p := range periods {
		if i > 0 {
			s += "、"
		}
		s += periodNames[p]
	}
	return s + "门诊"
}

// DistancePhrase says how far the doctor's hospital is: "距您1.2公里", "距您800米".
func DistancePhrase(meters float64) string {
	if meters < 1000 {
		return fmt.Sprintf("距您%d米", int(meters/10+0.5)*10)
	}
	return fmt.Sprintf("距您%.1f公里", meters/1000)
}
