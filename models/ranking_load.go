package models

import (
	"context"
	"fmt"
)

// DoctorHospital is a doctor's id and hospital: all the nightly scoring's
// sharding needs to place a doctor no rep covers (in its hospital's city).
type DoctorHospital struct {
	ID         uint
	HospitalID uint
}

// DoctorHospitals lists every doctor's (id, hospital_id), by id: 300,000
// doctors are a few MB this way instead of full rows.
func (s *RankingStore) DoctorHospitals(ctx context.Context) ([]DoctorHospital, error) {
	var out []DoctorHospital
	if err := s.db.WithContext(ctx).Model(&Doctor{}).Select("id, hospital_id").Order("id").Scan(&out).Error; err != nil {
		return nil, fmt.Errorf("load doctor hospitals: %w", err)
	}
	return out, nil
}

// TiersBeforeOf is TiersBefore for the given doctors (a shard of the
// nightly scoring), by chunks of ids: a shard reads its doctors' history,
// not every doctor's.
func (s *RankingStore) TiersBeforeOf(ctx context.Context, day string, doctorIDs []uint) (map[uint]string, error) {
	out := make(map[uint]string, len(doctorIDs))
	err := chunked(doctorIDs, func(part []uint) error { return s.lastTiers(ctx, day, part, out) })
	if err != nil {
		return nil, fmt.Errorf("tiers before %s: %w", day, err)
	}
	return out, nil
}

// CountDoctors is the number of doctors (sizing the nightly scoring's shards).
func (s *RankingStore) CountDoctors(ctx context.Context) (int64, error) {
	var n int64
	if err := s.db.WithContext(ctx).Model(&Doctor{}).Count(&n).Error; err != nil {
		return 0, fmt.Errorf("count doctors: %w", err)
	}
	return n, nil
}

// ReplaceTierChangesOf is ReplaceTierChanges for the given doctors only:
// a shard of the nightly scoring replaces its own doctors' history of day
// and leaves the other shards' rows alone. Rows get Day set.
func (s *RankingStore) ReplaceTierChangesOf(ctx context.Context, day string, doctorIDs []uint, rows []TierChange) error {
	if doctorIDs == nil {
		return fmt.Errorf("replace tier changes of %s: no doctor list (use ReplaceTierChanges)", day)
	}
	err := chunked(doctorIDs, func(part []uint) error {
		return s.db.WithContext(ctx).Where("day = ? AND doctor_id IN ?", day, part).Delete(&TierChange{}).Error
	})
	if err != nil {
		return fmt.Errorf("clear tier changes of %s: %w", day, err)
	}
	return s.insertTierChanges(ctx, day, rows)
}

// tierChangeBatchMySQL is tierChangeBatch on MySQL, which has no
// per-variable cost: 2,000 rows are 12,000 placeholders (the limit is
// 65,535), so a first night's 20,000 changes of a shard take 10 statements
// instead of 167.
const tierChangeBatchMySQL = 2000

// insertTierChanges writes rows as day's tier changes, in batches.
func (s *RankingStore) insertTierChanges(ctx context.Context, day string, rows []TierChange) error {
	if len(rows) == 0 {
		return nil
	}
	for i := range rows {
		rows[i].ID, rows[i].Day = 0, day
	}
	batch := tierChangeBatch
	if s.db.driver == "mysql" {
		batch = tierChangeBatchMySQL
	}
	if err := translate(s.db.WithContext(ctx).CreateInBatches(rows, batch).Error); err != nil {
		return fmt.Errorf("write tier changes of %s: %w", day, err)
	}
	return nil
}
