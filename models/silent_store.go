package models

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"
)

// SilentKOL is a KOL nobody on the team reached lately.
type SilentKOL struct {
	DoctorID     uint
	DoctorName   string
	HospitalName string
	RepName      string
	// LastDay is the day of the last checked-in or completed visit ("" = never).
	LastDay string
}

// SilentKOLs lists KOLs assigned to the reps with no checked-in/completed
// visit on or after sinceDay and no visit-class signal at or after since,
// longest silent first.
func (s *AlertStore) SilentKOLs(ctx context.Context, repIDs []uint, sinceDay string, since time.Time) ([]SilentKOL, error) {
	done := []string{VisitCheckedIn, VisitCompleted}
	return s.teamKOLs(ctx, repIDs, func(q *gorm.DB) *gorm.DB {
		return q.Where("NOT EXISTS (SELECT 1 FROM visits v WHERE v.doctor_id = d.id AND v.status IN ? AND v.day >= ?)", done, sinceDay).
			Where("NOT EXISTS (SELECT 1 FROM signals sg WHERE sg.doctor_id = d.id AND sg.class = ? AND sg.occurred_at >= ?)", ClassVisit, since.UTC())
	})
}

// TeamKOLs lists every KOL assigned to the reps, one line per doctor, with
// the covering rep and the last met visit: what the one definition of
// 沉默 (flows.SilentKOLs over alerts.SilentKOLs) reads.
func (s *AlertStore) TeamKOLs(ctx context.Context, repIDs []uint) ([]SilentKOL, error) {
	return s.teamKOLs(ctx, repIDs, func(q *gorm.DB) *gorm.DB { return q })
}

func (s *AlertStore) teamKOLs(ctx context.Context, repIDs []uint, where func(*gorm.DB) *gorm.DB) ([]SilentKOL, error) {
	var out []SilentKOL
	done := []string{VisitCheckedIn, VisitCompleted}
	q := s.db.WithContext(ctx).Table("assignments AS a").
		Select(`d.id AS doctor_id, d.name AS doctor_name, h.name AS hospital_name, u.name AS rep_name,
			COALESCE((SELECT MAX(v.day) FROM visits v WHERE v.doctor_id = d.id AND v.status IN ?), '') AS last_day`, done).
		Joins("JOIN doctors d ON d.id = a.doctor_id").
		Joins("JOIN hospitals h ON h.id = d.hospital_id").
		Joins("JOIN users u ON u.id = a.rep_id").
		Where("a.rep_id IN ? AND d.is_kol = ?", nonEmpty(repIDs), true)
	if err := where(q).Order("last_day, d.name, d.id").Scan(&out).Error; err != nil {
		return nil, fmt.Errorf("silent KOLs: %w", err)
	}
	return dedupeSilent(out), nil
}

// dedupeSilent keeps one line per doctor (a doctor may be assigned to two reps).
func dedupeSilent(in []SilentKOL) []SilentKOL {
	seen := map[uint]bool{}
	out := in[:0]
	for _, k := range in {
		if !seen[k.DoctorID] {
			seen[k.DoctorID] = true
			out = append(out, k)
		}
	}
	return out
}
