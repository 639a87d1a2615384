package models

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm/clause"
)

// VisitRow is a visit with its doctor and hospital, for check-in and forms.
type VisitRow struct {
	Visit
	DoctorName    string
	Title         string
	IsKOL         bool
	Tier          string
	HospitalName  string
	HospitalLevel string
	HospitalLat   float64
	HospitalLng   float64
}

func (s *VisitStore) visitRows(ctx context.Context, where string, args ...any) ([]VisitRow, error) {
	var out []VisitRow
	err := s.db.WithContext(ctx).Table("visits AS v").
		Select(`v.*, d.name AS doctor_name, d.title AS title, d.is_kol AS is_kol, d.tier AS tier, h.name AS hospital_name,
			h.level AS hospital_level, h.lat AS hospital_lat, h.lng AS hospital_lng`).
		Joins("JOIN doctors d ON d.id = v.doctor_id").
		Joins("JOIN hospitals h ON h.id = v.hospital_id").
		Where(where, args...).Order("v.id").Scan(&out).Error
	return out, err
}

// DayVisits lists a rep's visits of a day (planned, checked in, completed, skipped).
func (s *VisitStore) DayVisits(ctx context.Context, repID uint, day string) ([]VisitRow, error) {
	return s.visitRows(ctx, "v.rep_id = ? AND v.day = ?", repID, day)
}

// VisitRowByID loads one visit with doctor and hospital.
func (s *VisitStore) VisitRowByID(ctx context.Context, id uint) (*VisitRow, error) {
	rows, err := s.visitRows(ctx, "v.id = ?", id)
	if err != nil {
		return nil, err
	}
	if len(rows) == 0 {
		return nil, ErrNotFound
	}
	return &rows[0], nil
}

// AllHospitals lists every hospital (for the nearest-hospital search).
func (s *VisitStore) AllHospitals(ctx context.Context) ([]Hospital, error) {
	var out []Hospital
	return out, s.db.WithContext(ctx).Order("id").Find(&out).Error
}

// RecordCheckIn stores a check-in and marks the given visits checked in
// with its location and verdict; verified visits close the doctor's open
// must-visits and follow-ups. Call it inside a transaction.
func (s *VisitStore) RecordCheckIn(ctx context.Context, ci *CheckIn, visitIDs []uint) error {
	if err := s.db.create(ctx, ci); err != nil {
		return fmt.Errorf("check-in: %w", err)
	}
	return s.ApplyCheckIn(ctx, ci, visitIDs)
}

// ApplyCheckIn marks visits checked in with an existing check-in's location
// and verdict (an off-plan visit chosen after the check-in).
func (s *VisitStore) ApplyCheckIn(ctx context.Context, ci *CheckIn, visitIDs []uint) error {
	if len(visitIDs) == 0 {
		return nil
	}
	at := ci.At
	upd := map[string]any{
		"status": VisitCheckedIn, "check_in_at": at, "lat": ci.Lat, "lng": ci.Lng,
		"check_in_hospital_id": ci.HospitalID, "distance_m": ci.DistanceM, "verified": ci.Verified,
	}
	// A later, better check-in may upgrade an unverified one; a completed visit keeps its status.
	if err := s.db.WithContext(ctx).Model(&Visit{}).Where("id IN ? AND status IN ?", visitIDs, []string{VisitPlanned, VisitCheckedIn}).
		Where("verified = ? OR ? = ?", false, ci.Verified, true).Updates(upd).Error; err != nil {
		return fmt.Errorf("check-in visits: %w", err)
	}
	if !ci.Verified {
		return nil
	}
	var doctorIDs []uint
	if err := s.db.WithContext(ctx).Model(&Visit{}).Where("id IN ?", visitIDs).Pluck("doctor_id", &doctorIDs).Error; err != nil {
		return err
	}
	return s.db.WithContext(ctx).Model(&MustVisit{}).
		Where("rep_id = ? AND doctor_id IN ? AND due_day <= ? AND done_at IS NULL", ci.RepID, doctorIDs, ci.Day).
		Update("done_at", at).Error
}

// EnsureVisit returns the rep's visit to doctor on day, creating an
// off-plan one (Planned=false) when there is none.
func (s *VisitStore) EnsureVisit(ctx context.Context, repID, doctorID, hospitalID uint, day string) (*Visit, error) {
	v := Visit{RepID: repID, DoctorID: doctorID, Day: day, HospitalID: hospitalID, Status: VisitPlanned}
	if err := s.db.WithContext(ctx).Clauses(clause.OnConflict{DoNothing: true}).Create(&v).Error; err != nil {
		return nil, err
	}
	return first[Visit](ctx, s.db, "rep_id = ? AND doctor_id = ? AND day = ?", repID, doctorID, day)
}

// ErrFeedbackExists is returned when a visit already has its feedback.
var ErrFeedbackExists = errors.New("visit feedback already submitted")

// SaveFeedback stores the visit's feedback (one per visit) and completes the
// visit. A second submission returns ErrFeedbackExists and changes nothing.
func (s *VisitStore) SaveFeedback(ctx context.Context, fb *VisitFeedback) error {
	err := s.db.create(ctx, fb)
	if errors.Is(err, ErrConflict) {
		return ErrFeedbackExists
	}
	if err != nil {
		return fmt.Errorf("save feedback: %w", err)
	}
	return s.db.WithContext(ctx).Model(&Visit{}).Where("id = ?", fb.VisitID).Update("status", VisitCompleted).Error
}

// FeedbackByVisit loads a visit's feedback.
func (s *VisitStore) FeedbackByVisit(ctx context.Context, visitID uint) (*VisitFeedback, error) {
	return first[VisitFeedback](ctx, s.db, "visit_id = ?", visitID)
}

// LatestFeedbackSince is the rep's newest feedback submitted at or after since
// (the one a free-text note attaches to).
func (s *VisitStore) LatestFeedbackSince(ctx context.Context, repID uint, since time.Time) (*VisitFeedback, error) {
	var fb VisitFeedback
	err := s.db.WithContext(ctx).Where("rep_id = ? AND submitted_at >= ?", repID, since.UTC()).Order("submitted_at DESC, id DESC").Take(&fb).Error
	if err != nil {
		return nil, translate(err)
	}
	return &fb, nil
}

// SetFeedbackNote attaches a note and the recomputed quality score.
func (s *VisitStore) SetFeedbackNote(ctx context.Context, id uint, note string, score float64) error {
	return s.db.WithContext(ctx).Model(&VisitFeedback{}).Where("id = ?", id).
		Updates(map[string]any{"note": note, "quality_score": score}).Error
}

// LastCommitments is the newest non-empty commitments recorded for a doctor.
func (s *VisitStore) LastCommitments(ctx context.Context, doctorID uint) (string, error) {
	var fb VisitFeedback
	err := s.db.WithContext(ctx).Where("doctor_id = ? AND commitments <> ''", doctorID).Order("submitted_at DESC, id DESC").Take(&fb).Error
	if err != nil {
		if errors.Is(translate(err), ErrNotFound) {
			return "", nil
		}
		return "", err
	}
	return fb.Commitments, nil
}

// AddFollowUp makes the doctor a due item on the rep's list from dueDay
// (idempotent per refKey).
func (s *VisitStore) AddFollowUp(ctx context.Context, repID, doctorID uint, dueDay, refKey, note string) error {
	m := MustVisit{RepID: repID, DoctorID: doctorID, DueDay: dueDay, Source: RecFollowUp, Note: note, RefKey: refKey, CreatedAt: s.db.clock.Now().UTC()}
	return s.db.WithContext(ctx).Clauses(clause.OnConflict{DoNothing: true}).Create(&m).Error
}

// AssignedDoctorsAt lists the rep's assigned doctors at a hospital, by name.
func (s *VisitStore) AssignedDoctorsAt(ctx context.Context, repID, hospitalID uint) ([]Doctor, error) {
	var out []Doctor
	err := s.db.WithContext(ctx).Table("doctors AS d").Select("d.*").
		Joins("JOIN assignments a ON a.doctor_id = d.id").
		Where("a.rep_id = ? AND d.hospital_id = ?", repID, hospitalID).Order("d.name, d.id").Scan(&out).Error
	return out, err
}

// CheckInByID loads a check-in.
func (s *VisitStore) CheckInByID(ctx context.Context, id uint) (*CheckIn, error) {
	return first[CheckIn](ctx, s.db, "id = ?", id)
}
