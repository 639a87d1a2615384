package models

import (
	"context"
	"fmt"
	"time"
)

// TeamStats are the figures of the 统计 command.
type TeamStats struct {
	Reps            int
	AssignedDoctors int64
	KOLs            int64
	// Tiers counts assigned doctors per dynamic tier ("" = not scored yet).
	Tiers            map[string]int64
	VisitsThisWeek   int64
	PlannedThisWeek  int64
	FeedbackThisWeek int64
}

// TeamStatsFor aggregates the reps' assigned doctors, and their visits and
// feedback from weekStart (a day) through today.
func (s *ReportStore) TeamStatsFor(ctx context.Context, repIDs []uint, weekStart string, weekStartAt time.Time) (TeamStats, error) {
	st := TeamStats{Reps: len(repIDs), Tiers: map[string]int64{}}
	ids := nonEmpty(repIDs)
	db := s.db.WithContext(ctx)
	assigned := db.Model(&Assignment{}).Select("doctor_id").Where("rep_id IN ?", ids)
	var tiers []struct {
		Tier string
		KOL  bool
		N    int64
	}
	if err := db.Model(&Doctor{}).Select("tier, is_kol AS kol, COUNT(*) AS n").Where("id IN (?)", assigned).
		Group("tier, is_kol").Scan(&tiers).Error; err != nil {
		return st, fmt.Errorf("team tiers: %w", err)
	}
	for _, t := range tiers {
		st.Tiers[t.Tier] += t.N
		st.AssignedDoctors += t.N
		if t.KOL {
			st.KOLs += t.N
		}
	}
	if err := db.Model(&Visit{}).Where("rep_id IN ? AND day >= ? AND status IN ?", ids, weekStart, []string{VisitCheckedIn, VisitCompleted}).
		Count(&st.VisitsThisWeek).Error; err != nil {
		return st, fmt.Errorf("team visits: %w", err)
	}
	if err := db.Model(&Visit{}).Where("rep_id IN ? AND day >= ? AND planned = ?", ids, weekStart, true).
		Count(&st.PlannedThisWeek).Error; err != nil {
		return st, fmt.Errorf("team planned visits: %w", err)
	}
	if err := db.Model(&VisitFeedback{}).Where("rep_id IN ? AND submitted_at >= ?", ids, weekStartAt.UTC()).
		Count(&st.FeedbackThisWeek).Error; err != nil {
		return st, fmt.Errorf("team feedback: %w", err)
	}
	return st, nil
}
