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

// PlanReport is the plan vs actual of one or more reps over a period: the seed's
// "计划-执行" match rate, and where off-plan visits happened by hospital level
// (e.g. planned 三级甲等, checked in at 社区卫生服务中心).
type PlanReport struct {
	RepIDs         []uint
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

// PlannedVisit is a planned visit with the planned hospital's level and, if
// the rep checked in, the level of the hospital nearest the check-in.
type PlannedVisit struct {
	RepID        uint
	Day          string
	Verified     bool
	PlannedLevel string
	CheckInLevel string
	DoctorID     uint
	Status       string
}

// PlannedVisits lists the planned visits with from <= day <= to of the reps
// (nil: every rep): the one source of plan vs actual (PlanVsActual, the
// dashboard, the weekly digest and the plan-drift alert).
func (s *ReportStore) PlannedVisits(ctx context.Context, repIDs []uint, from, to string) ([]PlannedVisit, error) {
	var out []PlannedVisit
	if repIDs != nil && len(repIDs) == 0 {
		return nil, nil
	}
	q := s.db.WithContext(ctx).Table("visits AS v")
	if repIDs != nil {
		q = q.Where("v.rep_id IN ?", repIDs)
	}
	err := q.
		Select(`v.rep_id, v.day, v.verified, v.doctor_id, v.status, h.level AS planned_level,
			COALESCE(c.level, '') AS check_in_level`).
		Joins("JOIN hospitals h ON h.id = v.hospital_id").
		Joins("LEFT JOIN hospitals c ON c.id = v.check_in_hospital_id").
		Where("v.planned = ? AND v.day >= ? AND v.day <= ?", true, from, to).
		Order("v.rep_id, v.day, v.id").Scan(&out).Error
	if err != nil {
		return nil, fmt.Errorf("planned visits %s..%s: %w", from, to, err)
	}
	return out, nil
}

// OffPlanCheckIn is a verified check-in at a hospital that was not on the
// rep's plan that day.
type OffPlanCheckIn struct {
	RepID uint
	Day   string
	Level string
	// N counts the distinct off-plan hospitals of that rep-day at that level.
	N int
}

// PlanVsActual is the plan vs actual of the reps between two days
// (inclusive), from the stored visits and check-ins.
func (s *ReportStore) PlanVsActual(ctx context.Context, repIDs []uint, from, to string) (PlanReport, error) {
	visits, err := s.PlannedVisits(ctx, repIDs, from, to)
	if err != nil {
		return PlanReport{}, fmt.Errorf("plan vs actual: %w", err)
	}
	var off []OffPlanCheckIn
	if len(repIDs) > 0 {
		if err := s.db.WithContext(ctx).Table("check_ins AS c").
			Select("c.rep_id AS rep_id, c.day AS day, h.level AS level, COUNT(DISTINCT c.hospital_id) AS n").
			Joins("JOIN hospitals h ON h.id = c.hospital_id").
			Where("c.rep_id IN ? AND c.day BETWEEN ? AND ? AND c.on_plan = ? AND c.verified = ?", repIDs, from, to, false, true).
			Group("c.rep_id, c.day, h.level").Order("c.day").Scan(&off).Error; err != nil {
			return PlanReport{}, fmt.Errorf("plan vs actual: %w", err)
		}
	}
	return SummarizePlan(repIDs, from, to, visits, off), nil
}

// SummarizePlan is the one definition of plan vs actual: planned = visits
// on accepted lists (replacements included), matched = those verified by
// check-in, off-plan = verified check-ins at hospitals not on the day's plan.
func SummarizePlan(repIDs []uint, from, to string, visits []PlannedVisit, off []OffPlanCheckIn) PlanReport {
	r := PlanReport{RepIDs: repIDs, From: from, To: to, PlannedByLevel: map[string]int{}, MatchedByLevel: map[string]int{}, OffPlanByLevel: map[string]int{}}
	days := map[string]*PlanDay{}
	day := func(d string) *PlanDay {
		if days[d] == nil {
			days[d] = &PlanDay{Day: d}
		}
		return days[d]
	}
	for _, v := range visits {
		d := day(v.Day)
		d.Planned++
		r.Planned++
		r.PlannedByLevel[v.PlannedLevel]++
		if v.Verified {
			d.Matched++
			r.Matched++
			r.MatchedByLevel[v.PlannedLevel]++
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
	r.MatchRate = rate(r.Matched, r.Planned)
	return r
}

// Between sums the report's days from..to (inclusive): one week of a
// longer report.
func (r PlanReport) Between(from, to string) (planned, matched int) {
	for _, d := range r.Days {
		if d.Day >= from && d.Day <= to {
			planned += d.Planned
			matched += d.Matched
		}
	}
	return planned, matched
}

// rate is part/whole, 0 when whole is 0.
func rate(part, whole int) float64 {
	if whole == 0 {
		return 0
	}
	return float64(part) / float64(whole)
}

// nextDay advances a "2006-01-02" day by one calendar day (a bad day ends the loop).
func nextDay(d string) string {
	t, err := time.Parse(time.DateOnly, d)
	if err != nil {
		return "9999-12-31"
	}
	return t.AddDate(0, 0, 1).Format(time.DateOnly)
}
