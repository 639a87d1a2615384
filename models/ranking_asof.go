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
