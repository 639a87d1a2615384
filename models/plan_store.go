package models

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// PlanItem is one recommendation of a rep's day with what a card shows.
type PlanItem struct {
	Recommendation
	DoctorName   string
	Title        string
	Department   string
	IsKOL        bool
	HospitalID   uint
	HospitalName string
	HospitalLat  float64
	HospitalLng  float64
	// VisitStatus is the status of the rep's visit to this doctor that day ("" if none).
	VisitStatus string
	// VisitVerified says the visit's check-in was inside the geofence (未核验 otherwise).
	VisitVerified bool
}

// PlanItems lists a rep's recommendations for day by rank, with doctor,
// hospital and visit status.
func (s *PlanStore) PlanItems(ctx context.Context, repID uint, day string) ([]PlanItem, error) {
	out, err := scanPlanItems(s.planItems(ctx).Where("r.rep_id = ? AND r.day = ?", repID, day).Order("r.`rank`"))
	if err != nil {
		return nil, fmt.Errorf("plan items of rep %d on %s: %w", repID, day, err)
	}
	return out, nil
}

// PlanItemsOfDay lists the recommendations of day for every rep in repIDs
// (nil = every rep), by rep and rank, in one query per planItemsChunk reps
// (a bounded IN list): the morning push loads its whole day with it instead
// of one query per rep.
func (s *PlanStore) PlanItemsOfDay(ctx context.Context, day string, repIDs []uint) (map[uint][]PlanItem, error) {
	out := map[uint][]PlanItem{}
	load := func(ids []uint) error {
		q := s.planItems(ctx).Where("r.day = ?", day)
		if ids != nil {
			q = q.Where("r.rep_id IN ?", ids)
		}
		rows, err := scanPlanItems(q.Order("r.rep_id, r.`rank`"))
		if err != nil {
			return fmt.Errorf("plan items on %s: %w", day, err)
		}
		for _, it := range rows {
			out[it.RepID] = append(out[it.RepID], it)
		}
		return nil
	}
	if repIDs == nil {
		return out, load(nil)
	}
	for len(repIDs) > 0 {
		n := min(len(repIDs), planItemsChunk)
		if err := load(repIDs[:n]); err != nil {
			return nil, err
		}
		repIDs = repIDs[n:]
	}
	return out, nil
}

// planItemsChunk bounds the IN list of PlanItemsOfDay (well under SQLite's
// and MySQL's placeholder limits).
const planItemsChunk = 1000

// planItems is the plan-item query: its columns are those scanPlanItems
// reads, in its order.
func (s *PlanStore) planItems(ctx context.Context) *gorm.DB {
	return s.db.WithContext(ctx).Table("recommendations AS r").
		Select("r.id, r.rep_id, r.day, r.doctor_id, r.`rank`, r.kind, r.score, r.heat, COALESCE(r.period, ''), COALESCE(r.distance_m, 0)," +
			" COALESCE(r.reasons, ''), COALESCE(r.breakdown, ''), r.created_at, d.name, d.title, d.department, d.is_kol, h.id, h.name," +
			" h.lat, h.lng, COALESCE(v.status, ''), COALESCE(v.verified, false)").
		Joins("JOIN doctors d ON d.id = r.doctor_id").
		Joins("JOIN hospitals h ON h.id = d.hospital_id").
		Joins("LEFT JOIN visits v ON v.rep_id = r.rep_id AND v.doctor_id = r.doctor_id AND v.day = r.day")
}

// PlanAccepted reports whether the rep accepted the day's list.
func (s *PlanStore) PlanAccepted(ctx context.Context, repID uint, day string) (bool, error) {
	_, err := first[DailyPlan](ctx, s.db, "rep_id = ? AND day = ?", repID, day)
	if errors.Is(err, ErrNotFound) {
		return false, nil
	}
	return err == nil, err
}

// AcceptPlan records the accepted list as the day's plan: a DailyPlan row
// and a planned Visit per doctor not skipped. Accepting twice changes
// nothing and returns created=false. Call it inside a transaction.
func (s *PlanStore) AcceptPlan(ctx context.Context, repID uint, day string, items []PlanItem) (created bool, err error) {
	err = s.db.create(ctx, &DailyPlan{RepID: repID, Day: day, AcceptedAt: s.db.clock.Now().UTC()})
	if errors.Is(err, ErrConflict) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("accept plan: %w", err)
	}
	for _, it := range items {
		if it.VisitStatus == VisitSkipped {
			continue
		}
		v := Visit{RepID: repID, DoctorID: it.DoctorID, Day: day, HospitalID: it.HospitalID, Status: VisitPlanned, Planned: true}
		err := s.db.WithContext(ctx).Clauses(clause.OnConflict{
			Columns:   []clause.Column{{Name: "rep_id"}, {Name: "doctor_id"}, {Name: "day"}},
			DoUpdates: clause.Assignments(map[string]any{"planned": true}),
		}).Create(&v).Error
		if err != nil {
			return false, fmt.Errorf("plan visit to doctor %d: %w", it.DoctorID, err)
		}
	}
	return true, nil
}

// SkipVisit marks the rep's visit to doctor on day as skipped with reason.
// A visit already checked in or completed cannot be skipped.
func (s *PlanStore) SkipVisit(ctx context.Context, repID, doctorID, hospitalID uint, day, reason string) error {
	existing, err := first[Visit](ctx, s.db, "rep_id = ? AND doctor_id = ? AND day = ?", repID, doctorID, day)
	switch {
	case errors.Is(err, ErrNotFound):
		return s.db.create(ctx, &Visit{RepID: repID, DoctorID: doctorID, Day: day, HospitalID: hospitalID, Status: VisitSkipped, SkipReason: reason})
	case err != nil:
		return err
	case existing.Status == VisitCheckedIn || existing.Status == VisitCompleted:
		return fmt.Errorf("visit %d is already %s: %w", existing.ID, existing.Status, ErrConflict)
	}
	return s.db.WithContext(ctx).Model(existing).Updates(map[string]any{"status": VisitSkipped, "skip_reason": reason}).Error
}

// AddRecommendation appends one recommendation (e.g. the replacement for a
// skipped doctor) after the day's last rank.
func (s *PlanStore) AddRecommendation(ctx context.Context, r *Recommendation) error {
	var maxRank int
	if err := s.db.WithContext(ctx).Model(&Recommendation{}).Where("rep_id = ? AND day = ?", r.RepID, r.Day).
		Select("COALESCE(MAX(`rank`), 0)").Scan(&maxRank).Error; err != nil {
		return err
	}
	r.Rank = maxRank + 1
	return s.db.create(ctx, r)
}

// AcceptPlanItem adds one planned visit to an already accepted plan (the
// replacement for a skipped doctor).
func (s *PlanStore) AcceptPlanItem(ctx context.Context, repID uint, day string, it PlanItem) (bool, error) {
	v := Visit{RepID: repID, DoctorID: it.DoctorID, Day: day, HospitalID: it.HospitalID, Status: VisitPlanned, Planned: true}
	res := s.db.WithContext(ctx).Clauses(clause.OnConflict{
		Columns:   []clause.Column{{Name: "rep_id"}, {Name: "doctor_id"}, {Name: "day"}},
		DoUpdates: clause.Assignments(map[string]any{"planned": true}),
	}).Create(&v)
	return res.RowsAffected > 0, res.Error
}

// scanPlanItems runs q (planItems with its conditions) and scans each row
// by position: the morning push reads a shard's 2,500 items at once, and
// GORM's reflection per field was a tenth of its CPU at national scale.
func scanPlanItems(q *gorm.DB) ([]PlanItem, error) {
	rows, err := q.Rows()
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []PlanItem
	var it PlanItem
	var created sql.NullTime
	r := &it.Recommendation
	dst := []any{uintCol{&r.ID}, uintCol{&r.RepID}, &r.Day, uintCol{&r.DoctorID}, &r.Rank, &r.Kind, &r.Score, &r.Heat, &r.Period, &r.DistanceM,
		&r.Reasons, &r.Breakdown, &created, &it.DoctorName, &it.Title, &it.Department, &it.IsKOL, uintCol{&it.HospitalID}, &it.HospitalName,
		&it.HospitalLat, &it.HospitalLng, &it.VisitStatus, &it.VisitVerified}
	for rows.Next() {
		if err := rows.Scan(dst...); err != nil {
			return nil, err
		}
		r.CreatedAt = created.Time
		out = append(out, it)
	}
	return out, rows.Err()
}
