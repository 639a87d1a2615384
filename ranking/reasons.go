package ranking

import (
	"cmp"
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

// phrases explains a heat index, what tells the doctor apart first: trial
// rules, then the other rules (a real consecutive run), then a known
// department trend, then the classes that contribute most, each as a short
// Chinese phrase. Classes without anything worth saying are skipped.
func phrases(d Doctor, h Heat) []string {
	var out []string
	ruleClasses := map[string]bool{}
	rules := slices.Clone(h.Rules)
	slices.SortStableFunc(rules, func(a, b RuleHit) int {
		return cmp.Compare(boolRank(a.Class != ClassTrial), boolRank(b.Class != ClassTrial))
	})
	for _, r := range rules {
		if r.Reason != "" {
			out = append(out, r.Reason)
			ruleClasses[r.Class] = true
		}
	}
	if p := classPhrase(d, h, h.Class(ClassRxTrend)); p != "" && !ruleClasses[ClassRxTrend] {
		out = append(out, p)
		ruleClasses[ClassRxTrend] = true
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

func boolRank(b bool) int {
	if b {
		return 1
	}
	return 0
}

// reasonsFor are a pick's reasons, what distinguishes the doctor today
// first: a must-visit, the day's engagement surge, due by the call target,
// a rising tier, then the heat
// phrases (trial, a real run, a known trend, …), the session and distance.
func reasonsFor(sc *scored, date time.Time) []string {
	c := sc.c
	var out []string
	switch sc.kind {
	case KindMustVisit:
		out = append(out, "经理指派")
	case KindFollowUp:
		out = append(out, "今日跟进")
	}
	if sc.surging {
		out = append(out, SurgePhrase(c.Heat.Surge))
	}
	if p := duePhrase(sc.due, c.LastVisit, date); p != "" {
		out = append(out, p)
	}
	if c.RoseFrom != "" && tierRank(c.Tier) > tierRank(c.RoseFrom) {
		out = append(out, fmt.Sprintf("层级由%s升至%s", c.RoseFrom, c.Tier))
	}
	out = append(out, c.Heat.Phrases[:min(2, len(c.Heat.Phrases))]...)
	out = append(out, SessionPhrase(date, sc.periods))
	if sc.distM > 0 {
		out = append(out, DistancePhrase(sc.distM))
	}
	if r := c.Responses; r.Attempts >= 3 && float64(r.Met+1)/float64(r.Attempts+2) >= 0.6 {
		out = append(out, fmt.Sprintf("历史响应率%.0f%%", 100*float64(r.Met)/float64(r.Attempts)))
	}
	if c.ProductMatch >= 0.8 {
		out = append(out, "产品匹配度高")
	}
	return out[:min(MaxReasons, len(out))]
}

// duePhrase says why a due doctor is due: "S级客户，已15天未拜访（目标每7天）",
// "S级客户，尚无拜访记录", "C级客户有新互动"; "" when not due.
func duePhrase(d Due, lastVisit string, date time.Time) string {
	switch {
	case !d.Due || d.Tier == "":
		return ""
	case d.TargetDays == 0:
		return d.Tier + "级客户有新互动"
	}
	if days := daysBefore(lastVisit, date); days > 0 {
		return fmt.Sprintf("%s级客户，已%d天未拜访（目标每%d天）", d.Tier, days, d.TargetDays)
	}
	return d.Tier + "级客户，尚无拜访记录"
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
