package models

import (
	"context"
	"errors"
	"fmt"
	"time"

	"visitbot/clock"
)

// AlertDoctor is a doctor with their hospital, as the alert detectors and
// cards name them.
type AlertDoctor struct {
	ID            uint
	Name          string
	Title         string
	IsKOL         bool
	Department    string
	HospitalID    uint
	HospitalName  string
	HospitalLevel string
}

// AlertDoctors loads doctors (nil = all) with their hospital's name and level.
func (s *AlertStore) AlertDoctors(ctx context.Context, ids []uint) ([]AlertDoctor, error) {
	var out []AlertDoctor
	err := chunked(ids, func(part []uint) error {
		var rows []AlertDoctor
		q := whereIn(s.db.WithContext(ctx).Table("doctors AS d"), "d.id", part).
			Select(`d.id, d.name, d.title, d.is_kol, d.department, d.hospital_id, h.name AS hospital_name, h.level AS hospital_level`).
			Joins("JOIN hospitals h ON h.id = d.hospital_id").Order("d.id")
		err := q.Scan(&rows).Error
		out = append(out, rows...)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("load alert doctors: %w", err)
	}
	return out, nil
}

// SignalVisitNoShow is the visit-class signal kind of an attempt that did
// not meet the doctor: not a contact, whatever its value (Signal.Value has a
// GORM default of 1, so a stored 0 cannot be relied on).
const SignalVisitNoShow = "visit_no_show"

// LastContacts is each doctor's (nil = all) newest contact day up to until:
// a visit that met the doctor (checked in or completed) or a visit-class
// signal other than a no-show with a positive value (visit history imported
// from a CRM). Doctors never contacted are missing from the map.
func (s *AlertStore) LastContacts(ctx context.Context, doctorIDs []uint, until string) (map[uint]string, error) {
	out := map[uint]string{}
	end, err := clock.ParseDay(until, s.db.loc)
	if err != nil {
		return nil, fmt.Errorf("last contacts: bad day %q: %w", until, err)
	}
	err = chunked(doctorIDs, func(part []uint) error {
		var visits []struct {
			DoctorID uint
			Last     string
		}
		if err := whereIn(s.db.WithContext(ctx).Model(&Visit{}), "doctor_id", part).
			Select("doctor_id, MAX(day) AS last").Where("status IN ? AND day <= ?", []string{VisitCheckedIn, VisitCompleted}, until).
			Group("doctor_id").Scan(&visits).Error; err != nil {
			return err
		}
		for _, v := range visits {
			if v.Last > out[v.DoctorID] {
				out[v.DoctorID] = v.Last
			}
		}
		// Per doctor, the newest positive visit signal; scanned as rows so the
		// instant is read the same way on both drivers.
		rows, err := whereIn(s.db.WithContext(ctx).Model(&Signal{}), "doctor_id", part).
			Select("doctor_id, occurred_at").Where("class = ? AND kind <> ? AND value > 0 AND occurred_at < ?",
			ClassVisit, SignalVisitNoShow, end.AddDate(0, 0, 1).UTC()).Rows()
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var id uint
			var at time.Time
			if err := rows.Scan(&id, &at); err != nil {
				return err
			}
			if day := clock.Day(at, s.db.loc); day > out[id] {
				out[id] = day
			}
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("last contacts: %w", err)
	}
	return out, nil
}

// SignalsOfClass loads the signals of one class for the doctors (nil = all)
// that occurred in [since, until], with their detail for reason lines.
func (s *AlertStore) SignalsOfClass(ctx context.Context, doctorIDs []uint, class string, since, until time.Time) ([]Signal, error) {
	var out []Signal
	err := chunked(doctorIDs, func(part []uint) error {
		var rows []Signal
		err := whereIn(s.db.WithContext(ctx), "doctor_id", part).
			Where("class = ? AND occurred_at >= ? AND occurred_at <= ?", class, since.UTC(), until.UTC()).
			Order("occurred_at, id").Find(&rows).Error
		out = append(out, rows...)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("load %s signals: %w", class, err)
	}
	return out, nil
}

// LastAlert is the newest alert of kind about subject, or ErrNotFound.
func (s *AlertStore) LastAlert(ctx context.Context, kind, subject string) (*Alert, error) {
	var a Alert
	err := s.db.WithContext(ctx).Where("kind = ? AND subject_key = ?", kind, subject).Order("created_at DESC, id DESC").Limit(1).Find(&a).Error
	if err != nil {
		return nil, fmt.Errorf("last alert %s %s: %w", kind, subject, err)
	}
	if a.ID == 0 {
		return nil, ErrNotFound
	}
	return &a, nil
}

// CreateAlert inserts an alert.
func (s *AlertStore) CreateAlert(ctx context.Context, a *Alert) error {
	if len(a.Kind) > 32 || len(a.SubjectKey) > 64 || a.Kind == "" || a.SubjectKey == "" {
		return fmt.Errorf("create alert: kind (1-32 bytes) and subject (1-64 bytes) required, got %q %q", a.Kind, a.SubjectKey)
	}
	if err := s.db.create(ctx, a); err != nil {
		return fmt.Errorf("create alert %s %s: %w", a.Kind, a.SubjectKey, err)
	}
	return nil
}

// AlertsByIDs loads alerts by id, in id order.
func (s *AlertStore) AlertsByIDs(ctx context.Context, ids []uint) ([]Alert, error) {
	var out []Alert
	if len(ids) == 0 {
		return nil, nil
	}
	if err := s.db.WithContext(ctx).Where("id IN ?", ids).Order("id").Find(&out).Error; err != nil {
		return nil, fmt.Errorf("load alerts: %w", err)
	}
	return out, nil
}

// SetAlertStatus moves alerts to status; snoozeUntil is kept only for
// snoozed alerts, repID (if not nil) records the rep an alert was assigned to.
func (s *AlertStore) SetAlertStatus(ctx context.Context, ids []uint, status string, snoozeUntil *time.Time, repID *uint) error {
	if len(ids) == 0 {
		return nil
	}
	upd := map[string]any{"status": status, "snooze_until": nil, "updated_at": s.db.clock.Now().UTC()}
	if snoozeUntil != nil {
		upd["snooze_until"] = snoozeUntil.UTC()
	}
	if repID != nil {
		upd["rep_id"] = *repID
	}
	if err := s.db.WithContext(ctx).Model(&Alert{}).Where("id IN ?", ids).Updates(upd).Error; err != nil {
		return fmt.Errorf("set alerts %v %s: %w", ids, status, err)
	}
	return nil
}

// DueSnoozedAlerts lists the snoozed alerts whose 一周后提醒 time has come.
func (s *AlertStore) DueSnoozedAlerts(ctx context.Context, now time.Time) ([]Alert, error) {
	var out []Alert
	if err := s.db.WithContext(ctx).Where("status = ? AND snooze_until <= ?", AlertSnoozed, now.UTC()).Order("id").Find(&out).Error; err != nil {
		return nil, fmt.Errorf("due snoozed alerts: %w", err)
	}
	return out, nil
}

// AddMustVisit inserts a must-visit; one with the same RefKey (e.g. the
// same alert assigned twice) is left alone and created=false.
func (s *AlertStore) AddMustVisit(ctx context.Context, m *MustVisit) (created bool, err error) {
	err = s.db.create(ctx, m)
	if errors.Is(err, ErrConflict) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("add must-visit %s: %w", m.RefKey, err)
	}
	return true, nil
}

// PendingOutbox is the outbox row with dedupeKey if it has not been claimed
// yet (so its payload may still change), else ErrNotFound.
func (s *AlertStore) PendingOutbox(ctx context.Context, dedupeKey string) (*OutboxMessage, error) {
	return first[OutboxMessage](ctx, s.db, "dedupe_key = ? AND status = ? AND attempts = ?", dedupeKey, OutboxPending, 0)
}

// RewritePendingOutbox replaces the payload of a row that is still pending
// and never tried; ok=false when a dispatcher claimed it meanwhile (the
// caller then sends a new message instead).
func (s *AlertStore) RewritePendingOutbox(ctx context.Context, id uint, payload string) (ok bool, err error) {
	res := s.db.WithContext(ctx).Model(&OutboxMessage{}).Where("id = ? AND status = ? AND attempts = ?", id, OutboxPending, 0).
		Updates(map[string]any{"payload": payload, "updated_at": s.db.clock.Now().UTC()})
	if res.Error != nil {
		return false, fmt.Errorf("rewrite outbox %d: %w", id, res.Error)
	}
	return res.RowsAffected == 1, nil
}

// SetCardTaskData saves a card task's rendered card and data (e.g. the
// alert ids of a merged alert card).
func (s *AlertStore) SetCardTaskData(ctx context.Context, taskID, card, data string) error {
	return s.db.WithContext(ctx).Model(&CardTask{}).Where("task_id = ?", taskID).
		Updates(map[string]any{"card": card, "data": data, "updated_at": s.db.clock.Now().UTC()}).Error
}

// RepsOfDoctors maps each doctor (nil = all) to the active reps assigned to
// them, lowest user id first: the first is the one whose manager is alerted.
func (s *AlertStore) RepsOfDoctors(ctx context.Context, doctorIDs []uint) (map[uint][]uint, error) {
	out := map[uint][]uint{}
	err := chunked(doctorIDs, func(part []uint) error {
		var rows []struct{ DoctorID, RepID uint }
		err := whereIn(s.db.WithContext(ctx).Table("assignments AS a"), "a.doctor_id", part).
			Select("a.doctor_id, a.rep_id").Joins("JOIN users u ON u.id = a.rep_id").
			Where("u.active = ? AND u.role = ?", true, RoleRep).Order("a.doctor_id, a.rep_id").Scan(&rows).Error
		for _, r := range rows {
			out[r.DoctorID] = append(out[r.DoctorID], r.RepID)
		}
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("reps of doctors: %w", err)
	}
	return out, nil
}

// TierChangesBetween lists the tier moves recorded with from <= day <= to
// for the doctors (nil = all), leaving out first classifications (no
// previous tier): the weekly digest's tier movements.
func (s *AlertStore) TierChangesBetween(ctx context.Context, doctorIDs []uint, from, to string) ([]TierChange, error) {
	var out []TierChange
	err := chunked(doctorIDs, func(part []uint) error {
		var rows []TierChange
		err := whereIn(s.db.WithContext(ctx), "doctor_id", part).
			Where("day >= ? AND day <= ? AND from_tier <> '' AND from_tier <> to_tier", from, to).Order("day, doctor_id").Find(&rows).Error
		out = append(out, rows...)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("tier changes %s..%s: %w", from, to, err)
	}
	return out, nil
}

// ExemplaryFeedback is a visit feedback with names, for the digest's 标杆反馈.
type ExemplaryFeedback struct {
	VisitFeedback
	RepName      string
	DoctorName   string
	DoctorTitle  string
	HospitalName string
}

// BestFeedback lists the n best feedback records of the reps submitted in
// [since, until) that obtained a commitment (not empty, not 无), by quality
// score: talk-track examples for the team.
func (s *AlertStore) BestFeedback(ctx context.Context, repIDs []uint, since, until time.Time, n int) ([]ExemplaryFeedback, error) {
	var out []ExemplaryFeedback
	if len(repIDs) == 0 || n <= 0 {
		return nil, nil
	}
	err := s.db.WithContext(ctx).Table("visit_feedbacks AS f").
		Select(`f.*, u.name AS rep_name, d.name AS doctor_name, d.title AS doctor_title, h.name AS hospital_name`).
		Joins("JOIN users u ON u.id = f.rep_id").
		Joins("JOIN doctors d ON d.id = f.doctor_id").
		Joins("JOIN hospitals h ON h.id = d.hospital_id").
		Where("f.rep_id IN ? AND f.submitted_at >= ? AND f.submitted_at < ? AND f.commitments <> '' AND f.commitments <> ?",
			repIDs, since.UTC(), until.UTC(), "无").
		Order("f.quality_score DESC, f.submitted_at DESC, f.id").Limit(n).Scan(&out).Error
	if err != nil {
		return nil, fmt.Errorf("best feedback: %w", err)
	}
	return out, nil
}

// AlertsCreatedBetween counts the alerts per manager created in [since, until).
func (s *AlertStore) AlertsCreatedBetween(ctx context.Context, managerID uint, since, until time.Time) (int64, error) {
	var n int64
	err := s.db.WithContext(ctx).Model(&Alert{}).Where("manager_id = ? AND created_at >= ? AND created_at < ?", managerID, since.UTC(), until.UTC()).Count(&n).Error
	if err != nil {
		return 0, fmt.Errorf("count alerts: %w", err)
	}
	return n, nil
}
