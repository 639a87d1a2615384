package models

import (
	"context"
	"fmt"
)

// TiersBefore returns each doctor's dynamic tier as of the end of the day
// before day, from the tier history (the last change dated before day): what
// a scoring or a Top-N for day may know of tiers, whatever later nights wrote
// into doctors.tier. Doctors without history before day are absent.
func (s *RankingStore) TiersBefore(ctx context.Context, day string) (map[uint]string, error) {
	var rows []TierChange
	err := s.db.WithContext(ctx).Select("doctor_id, day, to_tier").Where("day < ?", day).Order("day, doctor_id").Find(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("tiers before %s: %w", day, err)
	}
	out := make(map[uint]string, len(rows))
	for _, r := range rows {
		out[r.DoctorID] = r.ToTier
	}
	return out, nil
}

// RecommendationsOn lists every rep's stored list for day, by rep and rank
// (recommend -all -json).
func (s *RankingStore) RecommendationsOn(ctx context.Context, day string) ([]Recommendation, error) {
	var out []Recommendation
	if err := s.db.WithContext(ctx).Where("day = ?", day).Order("rep_id, `rank`").Find(&out).Error; err != nil {
		return nil, fmt.Errorf("recommendations on %s: %w", day, err)
	}
	return out, nil
}

// TieredBy reports whether any tier was assigned on or before day: whether a
// nightly scoring ran for day or a day before it. Without one, a list for
// day has no tiers and the call targets wait (the CLI says so).
func (s *RankingStore) TieredBy(ctx context.Context, day string) (bool, error) {
	var ids []uint
	if err := s.db.WithContext(ctx).Model(&TierChange{}).Where("day <= ?", day).Limit(1).Pluck("id", &ids).Error; err != nil {
		return false, fmt.Errorf("tiers by %s: %w", day, err)
	}
	return len(ids) > 0, nil
}
