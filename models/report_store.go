package models

import (
	"context"
	"fmt"
	"time"
)

// PlanDay is one rep-day of plan vs actual.
type PlanDay struct {
	Day string
	// Planned visits (accepted list, incl. replacements), and those verified by check-in.
	Planned, Matched int
	// OffPlan counts verified check-ins at hospitals that were not on the day's plan.
	OffPlan int
}

// PlanReport is a rep's plan vs actual over a period: the seed's
// "计划-执行" match rate, and where off-plan visits happened by hospital level
// (e.g. planned 三级甲等, checked in at 社区卫生服务中心).
type PlanReport struct {
	RepID          uint
	From, To       string
	Days           []PlanDay
	Planned        int
	Matched        int
	OffPlan        int
	MatchRate      float64 // Matched / Planned (0 when nothing was planned)
	PlannedByLevel map[string]int
	MatchedByLevel map[string]int
	OffPlanByLevel map[string]int
}

// PlanVsActual computes a rep's plan vs actual between two days (inclusive)
// from the stored visits and check-ins.
func (s *ReportStore) PlanVsActual(ctx context.Context, repID uint, from, to string) (PlanReport, error) {
	r := PlanReport{RepID: repID, From: from, To: to, PlannedByLevel: map[string]int{}, MatchedByLevel: map[string]int{}, OffPlanByLevel: map[string]int{}}
	type row struct {
		Day      string
		Level    string
		Verified bool
		N        int
	}
	var planned []row
	if err := s.db.WithContext(ctx).Table("visits AS v").Select("v.day AS day, h.level AS level, v.verified AS verified, COUNT(*) AS n").
		Joins("JOIN hospitals h ON h.id = v.hospital_id").
		Where("v.rep_id = ? AND v.day BETWEEN ? AND ? AND v.planned = ?", repID, from, to, true).
		Group("v.day, h.level, v.verified").Order("v.day").Scan(&planned).Error; err != nil {
		return r, fmt.Errorf("plan vs actual: %w", err)
	}
	var off []row
	if err := s.db.WithContext(ctx).Table("check_ins AS c").Select("c.day AS day, h.level AS level, COUNT(DISTINCT c.hospital_id) AS n").
		Joins("JOIN hospitals h ON h.id = c.hospital_id").
		Where("c.rep_id = ? AND c.day BETWEEN ? AND ? AND c.on_plan = ? AND c.verified = ?", repID, from, to, false, true).
		Group("c.day, h.level").Order("c.day").Scan(&off).Error; err != nil {
		return r, fmt.Errorf("plan vs actual: %w", err)
	}
	days := map[string]*PlanDay{}
	day := func(d string) *PlanDay {
		if days[d] == nil {
			days[d] = &PlanDay{Day: d}
		}
		return days[d]
	}
	for _, p := range planned {
		d := day(p.Day)
		d.Planned += p.N
		r.Planned += p.N
		r.PlannedByLevel[p.Level] += p.N
		if p.Verified {
			d.Matched += p.N
			r.Matched += p.N
			r.MatchedByLevel[p.Level] += p.N
		}
	}
	for _, o := range off {
		day(o.Day).OffPlan += o.N
		r.OffPlan += o.N
		r.OffPlanByLevel[o.Level] += o.N
	}
	for d := from; d <= to; d = nextDay(d) {
		if pd, ok := days[d]; ok {
			r.Days = append(r.Days, *pd)
		}
		if len(r.Days) > 400 {
			break
		}
	}
	if r.Planned > 0 {
		r.MatchRate = float64(r.Matched) / float64(r.Planned)
	}
	return r, nil
}

// nextDay advances a "2006-01-02" day by one calendar day (a bad day ends the loop).
func nextDay(d string) string {
	t, err := time.Parse(time.DateOnly, d)
	if err != nil {
		return "9999-12-31"
	}
	return t.AddDate(0, 0, 1).Format(time.DateOnly)
}
