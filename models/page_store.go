package models

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"
)

// Queries behind the dashboard and the mobile pages (package web reads the
// database through these only).

// AssignedTo lists the doctors assigned to any of the reps, by id.
func (s *DoctorStore) AssignedTo(ctx context.Context, repIDs []uint) ([]Doctor, error) {
	if len(repIDs) == 0 {
		return nil, nil
	}
	db := s.db.WithContext(ctx)
	var out []Doctor
	err := db.Where("id IN (?)", s.db.WithContext(ctx).Table("assignments").Select("doctor_id").Where("rep_id IN ?", repIDs)).
		Order("id").Find(&out).Error
	if err != nil {
		return nil, fmt.Errorf("doctors of %d reps: %w", len(repIDs), err)
	}
	return out, nil
}

// DoctorWithHospital loads a doctor and their hospital; ErrNotFound when
// either is missing.
func (s *DoctorStore) DoctorWithHospital(ctx context.Context, id uint) (*Doctor, *Hospital, error) {
	d, err := first[Doctor](ctx, s.db, "id = ?", id)
	if err != nil {
		return nil, nil, fmt.Errorf("doctor %d: %w", id, err)
	}
	h, err := first[Hospital](ctx, s.db, "id = ?", d.HospitalID)
	if err != nil {
		return nil, nil, fmt.Errorf("hospital %d of doctor %d: %w", d.HospitalID, id, err)
	}
	return d, h, nil
}

// RecommendationFor is the doctor's best-ranked recommendation on day, of
// repID (0: any rep); ErrNotFound if none.
func (s *DoctorStore) RecommendationFor(ctx context.Context, doctorID uint, day string, repID uint) (*Recommendation, error) {
	q := s.db.WithContext(ctx).Where("doctor_id = ? AND day = ?", doctorID, day)
	if repID != 0 {
		q = q.Where("rep_id = ?", repID)
	}
	var r Recommendation
	err := q.Order("`rank`").Take(&r).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("recommendation of doctor %d on %s: %w", doctorID, day, err)
	}
	return &r, nil
}

// VisitLogLine is one past visit of a doctor with its rep and feedback.
type VisitLogLine struct {
	Day, Status, Rep, Commitments, Note string
	Verified                            bool
	Score                               *float64
}

// VisitLog lists the doctor's visits that happened or were skipped (not
// only planned), newest first, with the feedback.
func (s *DoctorStore) VisitLog(ctx context.Context, doctorID uint, limit int) ([]VisitLogLine, error) {
	var out []VisitLogLine
	err := s.db.WithContext(ctx).Table("visits AS v").
		Select("v.day AS day, v.status AS status, v.verified AS verified, u.name AS rep, f.commitments AS commitments, f.note AS note, f.quality_score AS score").
		Joins("JOIN users u ON u.id = v.rep_id").Joins("LEFT JOIN visit_feedbacks f ON f.visit_id = v.id").
		Where("v.doctor_id = ? AND v.status <> ?", doctorID, VisitPlanned).Order("v.day DESC, v.id DESC").Limit(limit).Scan(&out).Error
	if err != nil {
		return nil, fmt.Errorf("visit log of doctor %d: %w", doctorID, err)
	}
	return out, nil
}

// VisibleTo reports whether the doctor is assigned to repID (managerID 0) or
// to a rep of managerID.
func (s *DoctorStore) VisibleTo(ctx context.Context, doctorID, repID, managerID uint) (bool, error) {
	q := s.db.WithContext(ctx).Table("assignments AS a").Joins("JOIN users u ON u.id = a.rep_id").Where("a.doctor_id = ?", doctorID)
	if managerID != 0 {
		q = q.Where("u.manager_id = ?", managerID)
	} else {
		q = q.Where("a.rep_id = ?", repID)
	}
	var n int64
	if err := q.Count(&n).Error; err != nil {
		return false, fmt.Errorf("doctor %d visible: %w", doctorID, err)
	}
	return n > 0, nil
}

// RouteStop is one recommendation of a rep's day with what the route page
// shows: doctor, hospital position and the visit if any.
type RouteStop struct {
	Recommendation
	Doctor, Title, Hospital string
	Lat, Lng                float64
	VisitID                 uint
	Status                  string
	Verified                bool
}

// RouteStops lists the rep's recommendations of day in rank order.
func (s *PlanStore) RouteStops(ctx context.Context, repID uint, day string) ([]RouteStop, error) {
	var out []RouteStop
	err := s.db.WithContext(ctx).Table("recommendations AS r").
		Select("r.*, d.name AS doctor, d.title AS title, h.name AS hospital, h.lat AS lat, h.lng AS lng, v.id AS visit_id, v.status AS status, v.verified AS verified").
		Joins("JOIN doctors d ON d.id = r.doctor_id").Joins("JOIN hospitals h ON h.id = d.hospital_id").
		Joins("LEFT JOIN visits v ON v.rep_id = r.rep_id AND v.doctor_id = r.doctor_id AND v.day = r.day").
		Where("r.rep_id = ? AND r.day = ?", repID, day).Order("r.`rank`").Scan(&out).Error
	if err != nil {
		return nil, fmt.Errorf("route of rep %d on %s: %w", repID, day, err)
	}
	return out, nil
}

// VisitTier is a verified visit's doctor with the doctor's current tier.
type VisitTier struct {
	DoctorID uint
	Tier     string
}

// VerifiedVisitTiers lists the reps' verified visits from..to (days,
// inclusive) with the doctors' current tiers.
func (s *ReportStore) VerifiedVisitTiers(ctx context.Context, repIDs []uint, from, to string) ([]VisitTier, error) {
	if len(repIDs) == 0 {
		return nil, nil
	}
	var out []VisitTier
	err := s.db.WithContext(ctx).Table("visits AS v").Select("v.doctor_id AS doctor_id, d.tier AS tier").
		Joins("JOIN doctors d ON d.id = v.doctor_id").
		Where("v.rep_id IN ? AND v.verified = ? AND v.day BETWEEN ? AND ?", repIDs, true, from, to).Scan(&out).Error
	if err != nil {
		return nil, fmt.Errorf("verified visits %s..%s: %w", from, to, err)
	}
	return out, nil
}

// QualityScores lists the quality scores of the reps' feedback submitted in [since, until).
func (s *ReportStore) QualityScores(ctx context.Context, repIDs []uint, since, until time.Time) ([]float64, error) {
	if len(repIDs) == 0 {
		return nil, nil
	}
	var out []float64
	err := s.db.WithContext(ctx).Model(&VisitFeedback{}).Where("rep_id IN ? AND submitted_at >= ? AND submitted_at < ?", repIDs, since.UTC(), until.UTC()).
		Pluck("quality_score", &out).Error
	if err != nil {
		return nil, fmt.Errorf("quality scores: %w", err)
	}
	return out, nil
}

// OpenAlerts lists the newest open alerts (at most limit) of managerID (0:
// every manager's and the escalated ones).
func (s *AlertStore) OpenAlerts(ctx context.Context, managerID uint, limit int) ([]Alert, error) {
	q := s.db.WithContext(ctx).Where("status = ?", AlertOpen).Order("created_at DESC, id DESC").Limit(limit)
	if managerID != 0 {
		q = q.Where("manager_id = ?", managerID)
	}
	var out []Alert
	if err := q.Find(&out).Error; err != nil {
		return nil, fmt.Errorf("open alerts: %w", err)
	}
	return out, nil
}
