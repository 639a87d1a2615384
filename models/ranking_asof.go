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
	out := map[uint]string{}
	if err := s.lastTiers(ctx, day, nil, out); err != nil {
		return nil, fmt.Errorf("tiers before %s: %w", day, err)
	}
	return out, nil
}

// lastTiers adds to out the newest change before day of each of the doctors
// (nil: all). The history grows by every night's changes, so the newest day
// per doctor is found in the (doctor_id, day) key and only that row is read:
// reading every change before day and keeping the last one read 354,000 rows
// for 300,000 doctors after ten nights, and more each night after.
func (s *RankingStore) lastTiers(ctx context.Context, day string, doctorIDs []uint, out map[uint]string) error {
	filter := ""
	if doctorIDs != nil {
		filter = " AND doctor_id IN (" + idList(doctorIDs) + ")"
	}
	rows, err := s.db.WithContext(ctx).Raw("SELECT t.doctor_id, t.to_tier FROM tier_changes t JOIN "+
		"(SELECT doctor_id, MAX(day) AS day FROM tier_changes WHERE day < ?"+filter+" GROUP BY doctor_id) m "+
		"ON t.doctor_id = m.doctor_id AND t.day = m.day", day).Rows()
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var id uint
		var tier string
		if err := rows.Scan(&id, &tier); err != nil {
			return err
		}
		out[id] = tier
	}
	return rows.Err()
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
