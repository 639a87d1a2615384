package alerts

import (
	"fmt"
	"math"
	"sort"
)

// PlannedVisit is one planned visit of a rep in the drift window (models.Visit
// with Planned set, joined with the hospital levels).
type PlannedVisit struct {
	RepID uint
	Day   string
	// Verified: checked in inside the geofence of the planned hospital.
	Verified bool
	// PlannedLevel is the level of the planned hospital; CheckInLevel the
	// level of the hospital nearest the check-in ("" = no check-in).
	PlannedLevel string
	CheckInLevel string
}

// Rep is a rep as the drift detector names them.
type Rep struct {
	ID   uint
	Name string
}

// levelRank orders hospital levels (models.Level*): higher is bigger.
var levelRank = map[string]int{"三级甲等": 4, "三级": 3, "二级": 2, "社区卫生服务中心": 1}

// PlanDrift reports reps whose week diverges from the plan: a match rate
// (verified planned visits / planned visits) under t.PlanMatchMin with at
// least t.PlanMinPlanned planned, or at least t.PlanOffLevelPct percent of
// check-ins at a lower hospital level than planned ("planned tertiary,
// checked in at community clinics"). It is coaching information, and the
// card says so.
func PlanDrift(visits []PlannedVisit, reps map[uint]Rep, t Thresholds) []Candidate {
	type acc struct{ planned, verified, checkedIn, lower int }
	byRep := map[uint]*acc{}
	for _, v := range visits {
		a := byRep[v.RepID]
		if a == nil {
			a = &acc{}
			byRep[v.RepID] = a
		}
		a.planned++
		if v.Verified {
			a.verified++
		}
		if v.CheckInLevel != "" {
			a.checkedIn++
			p, c := levelRank[v.PlannedLevel], levelRank[v.CheckInLevel]
			if p > 0 && c > 0 && c < p {
				a.lower++
			}
		}
	}
	var out []Candidate
	for id, a := range byRep {
		rep, ok := reps[id]
		if !ok {
			continue
		}
		rate := float64(a.verified) / float64(a.planned)
		lowMatch := a.planned >= t.PlanMinPlanned && rate < t.PlanMatchMin
		offLevel := a.checkedIn > 0 && float64(a.lower)/float64(a.checkedIn)*100 >= t.PlanOffLevelPct
		if !lowMatch && !offLevel {
			continue
		}
		c := Candidate{
			Kind: KindPlanDrift, SubjectKey: fmt.Sprintf("rep:%d", id), RepID: id, Severity: SeverityNormal,
			Title:         "计划执行偏差：" + rep.Name,
			EmphasisTitle: fmt.Sprintf("%d%%", int(math.Round(rate*100))), EmphasisDesc: "本周计划匹配率",
			Reasons: []string{fmt.Sprintf("近7天计划拜访%d次，签到核实%d次（目标≥%d%%）", a.planned, a.verified, int(math.Round(t.PlanMatchMin*100)))},
		}
		if offLevel {
			c.Reasons = append(c.Reasons, fmt.Sprintf("%d次签到所在医院等级低于计划（如计划三甲、签到在社区）", a.lower))
			if !lowMatch {
				c.EmphasisTitle, c.EmphasisDesc = fmt.Sprintf("%d次", a.lower), "签到低于计划等级"
			}
		}
		c.Reasons = append(c.Reasons, "辅导提示：请与代表一起复盘本周路线，不作考核依据")
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].RepID < out[j].RepID })
	return out
}
