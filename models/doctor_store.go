package models

import (
	"context"
	"fmt"
)

// DoctorCard is a doctor with the hospital name, for command answers.
type DoctorCard struct {
	Doctor
	HospitalName string
}

// DoctorsNamed finds doctors whose name is name, or starts with it when no
// name matches exactly; at most limit, by name then id. repIDs (non-nil)
// keeps only doctors assigned to one of those reps.
func (s *DoctorStore) DoctorsNamed(ctx context.Context, name string, repIDs []uint, limit int) ([]DoctorCard, error) {
	query := func(cond string, arg any) ([]DoctorCard, error) {
		var out []DoctorCard
		q := s.db.WithContext(ctx).Table("doctors AS d").Select("d.*, h.name AS hospital_name").
			Joins("JOIN hospitals h ON h.id = d.hospital_id").Where(cond, arg)
		if repIDs != nil {
			q = q.Where("d.id IN (?)", s.db.WithContext(ctx).Model(&Assignment{}).Select("doctor_id").Where("rep_id IN ?", nonEmpty(repIDs)))
		}
		err := q.Order("d.name, d.id").Limit(limit).Scan(&out).Error
		return out, err
	}
	out, err := query("d.name = ?", name)
	if err == nil && len(out) == 0 {
		out, err = query("d.name LIKE ? ESCAPE '!'", likePrefix(name))
	}
	if err != nil {
		return nil, fmt.Errorf("doctors named %q: %w", name, err)
	}
	return out, nil
}

func nonEmpty(ids []uint) []uint {
	if len(ids) == 0 {
		return []uint{0}
	}
	return ids
}

// likePrefix escapes LIKE wildcards in s with '!' (use ESCAPE '!', which
// SQLite and MySQL read alike) and appends %.
func likePrefix(s string) string {
	r := []rune{}
	for _, c := range s {
		if c == '%' || c == '_' || c == '!' {
			r = append(r, '!')
		}
		r = append(r, c)
	}
	return string(r) + "%"
}

// DoctorTierHistory lists a doctor's tier changes, newest first.
func (s *DoctorStore) DoctorTierHistory(ctx context.Context, doctorID uint, limit int) ([]TierChange, error) {
	var out []TierChange
	err := s.db.WithContext(ctx).Where("doctor_id = ?", doctorID).Order("day DESC").Limit(limit).Find(&out).Error
	return out, err
}

// VisitLine is a past visit with the rep's name.
type VisitLine struct {
	Visit
	RepName string
}

// DoctorRecentVisits lists the doctor's checked-in or completed visits, newest first.
func (s *DoctorStore) DoctorRecentVisits(ctx context.Context, doctorID uint, limit int) ([]VisitLine, error) {
	var out []VisitLine
	err := s.db.WithContext(ctx).Table("visits AS v").Select("v.*, u.name AS rep_name").
		Joins("JOIN users u ON u.id = v.rep_id").
		Where("v.doctor_id = ? AND v.status IN ?", doctorID, []string{VisitCheckedIn, VisitCompleted}).
		Order("v.day DESC, v.id DESC").Limit(limit).Scan(&out).Error
	return out, err
}

// DoctorFeedbacks lists the doctor's visit feedback, newest first.
func (s *DoctorStore) DoctorFeedbacks(ctx context.Context, doctorID uint, limit int) ([]VisitFeedback, error) {
	var out []VisitFeedback
	err := s.db.WithContext(ctx).Where("doctor_id = ?", doctorID).Order("submitted_at DESC, id DESC").Limit(limit).Find(&out).Error
	return out, err
}

// IsAssignedToAny reports whether the doctor is assigned to one of the reps.
func (s *DoctorStore) IsAssignedToAny(ctx context.Context, doctorID uint, repIDs []uint) (bool, error) {
	var n int64
	err := s.db.WithContext(ctx).Model(&Assignment{}).Where("doctor_id = ? AND rep_id IN ?", doctorID, nonEmpty(repIDs)).Count(&n).Error
	return n > 0, err
}

// LatestRecommendation is the doctor's newest recommendation on or before
// day (any rep), for the heat reasons of a profile; ErrNotFound if none.
func (s *DoctorStore) LatestRecommendation(ctx context.Context, doctorID uint, day string) (*Recommendation, error) {
	var out Recommendation
	err := s.db.WithContext(ctx).Where("doctor_id = ? AND day <= ?", doctorID, day).Order("day DESC, id DESC").Take(&out).Error
	return &out, translate(err)
}

// DoctorCardByID loads one doctor with the hospital name.
func (s *DoctorStore) DoctorCardByID(ctx context.Context, doctorID uint) (*DoctorCard, error) {
	var d DoctorCard
	err := s.db.WithContext(ctx).Table("doctors AS d").Select("d.*, h.name AS hospital_name").
		Joins("JOIN hospitals h ON h.id = d.hospital_id").Where("d.id = ?", doctorID).Take(&d).Error
	if err != nil {
		return nil, fmt.Errorf("doctor %d: %w", doctorID, translate(err))
	}
	return &d, nil
}
