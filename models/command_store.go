package models

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Queries behind the admin and manager chat commands (flows/commands.go).

// DoctorCard is a doctor with the hospital name, for command answers.
type DoctorCard struct {
	Doctor
	HospitalName string
}

// DoctorsNamed finds doctors whose name is name, or starts with it when no
// name matches exactly; at most limit, by name then id. repIDs (non-nil)
// keeps only doctors assigned to one of those reps.
func (s *Store) DoctorsNamed(ctx context.Context, name string, repIDs []uint, limit int) ([]DoctorCard, error) {
	query := func(cond string, arg any) ([]DoctorCard, error) {
		var out []DoctorCard
		q := s.db.WithContext(ctx).Table("doctors AS d").Select("d.*, h.name AS hospital_name").
			Joins("JOIN hospitals h ON h.id = d.hospital_id").Where(cond, arg)
		if repIDs != nil {
			q = q.Where("d.id IN (?)", s.db.Model(&Assignment{}).Select("doctor_id").Where("rep_id IN ?", nonEmpty(repIDs)))
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
func (s *Store) DoctorTierHistory(ctx context.Context, doctorID uint, limit int) ([]TierChange, error) {
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
func (s *Store) DoctorRecentVisits(ctx context.Context, doctorID uint, limit int) ([]VisitLine, error) {
	var out []VisitLine
	err := s.db.WithContext(ctx).Table("visits AS v").Select("v.*, u.name AS rep_name").
		Joins("JOIN users u ON u.id = v.rep_id").
		Where("v.doctor_id = ? AND v.status IN ?", doctorID, []string{VisitCheckedIn, VisitCompleted}).
		Order("v.day DESC, v.id DESC").Limit(limit).Scan(&out).Error
	return out, err
}

// DoctorFeedbacks lists the doctor's visit feedback, newest first.
func (s *Store) DoctorFeedbacks(ctx context.Context, doctorID uint, limit int) ([]VisitFeedback, error) {
	var out []VisitFeedback
	err := s.db.WithContext(ctx).Where("doctor_id = ?", doctorID).Order("submitted_at DESC, id DESC").Limit(limit).Find(&out).Error
	return out, err
}

// IsAssignedToAny reports whether the doctor is assigned to one of the reps.
func (s *Store) IsAssignedToAny(ctx context.Context, doctorID uint, repIDs []uint) (bool, error) {
	var n int64
	err := s.db.WithContext(ctx).Model(&Assignment{}).Where("doctor_id = ? AND rep_id IN ?", doctorID, nonEmpty(repIDs)).Count(&n).Error
	return n > 0, err
}

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
func (s *Store) SilentKOLs(ctx context.Context, repIDs []uint, sinceDay string, since time.Time) ([]SilentKOL, error) {
	var out []SilentKOL
	done := []string{VisitCheckedIn, VisitCompleted}
	err := s.db.WithContext(ctx).Table("assignments AS a").
		Select(`d.id AS doctor_id, d.name AS doctor_name, h.name AS hospital_name, u.name AS rep_name,
			COALESCE((SELECT MAX(v.day) FROM visits v WHERE v.doctor_id = d.id AND v.status IN ?), '') AS last_day`, done).
		Joins("JOIN doctors d ON d.id = a.doctor_id").
		Joins("JOIN hospitals h ON h.id = d.hospital_id").
		Joins("JOIN users u ON u.id = a.rep_id").
		Where("a.rep_id IN ? AND d.is_kol = ?", nonEmpty(repIDs), true).
		Where("NOT EXISTS (SELECT 1 FROM visits v WHERE v.doctor_id = d.id AND v.status IN ? AND v.day >= ?)", done, sinceDay).
		Where("NOT EXISTS (SELECT 1 FROM signals sg WHERE sg.doctor_id = d.id AND sg.class = ? AND sg.occurred_at >= ?)", ClassVisit, since.UTC()).
		Order("last_day, d.name, d.id").Scan(&out).Error
	if err != nil {
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

// TeamStats are the figures of the 统计 command.
type TeamStats struct {
	Reps            int
	AssignedDoctors int64
	KOLs            int64
	// Tiers counts assigned doctors per dynamic tier ("" = not scored yet).
	Tiers            map[string]int64
	VisitsThisWeek   int64
	PlannedThisWeek  int64
	FeedbackThisWeek int64
}

// TeamStatsFor aggregates the reps' assigned doctors, and their visits and
// feedback from weekStart (a day) through today.
func (s *Store) TeamStatsFor(ctx context.Context, repIDs []uint, weekStart string, weekStartAt time.Time) (TeamStats, error) {
	st := TeamStats{Reps: len(repIDs), Tiers: map[string]int64{}}
	ids := nonEmpty(repIDs)
	db := s.db.WithContext(ctx)
	assigned := db.Model(&Assignment{}).Select("doctor_id").Where("rep_id IN ?", ids)
	var tiers []struct {
		Tier string
		KOL  bool
		N    int64
	}
	if err := db.Model(&Doctor{}).Select("tier, is_kol AS kol, COUNT(*) AS n").Where("id IN (?)", assigned).
		Group("tier, is_kol").Scan(&tiers).Error; err != nil {
		return st, fmt.Errorf("team tiers: %w", err)
	}
	for _, t := range tiers {
		st.Tiers[t.Tier] += t.N
		st.AssignedDoctors += t.N
		if t.KOL {
			st.KOLs += t.N
		}
	}
	if err := db.Model(&Visit{}).Where("rep_id IN ? AND day >= ? AND status IN ?", ids, weekStart, []string{VisitCheckedIn, VisitCompleted}).
		Count(&st.VisitsThisWeek).Error; err != nil {
		return st, fmt.Errorf("team visits: %w", err)
	}
	if err := db.Model(&Visit{}).Where("rep_id IN ? AND day >= ? AND planned = ?", ids, weekStart, true).
		Count(&st.PlannedThisWeek).Error; err != nil {
		return st, fmt.Errorf("team planned visits: %w", err)
	}
	if err := db.Model(&VisitFeedback{}).Where("rep_id IN ? AND submitted_at >= ?", ids, weekStartAt.UTC()).
		Count(&st.FeedbackThisWeek).Error; err != nil {
		return st, fmt.Errorf("team feedback: %w", err)
	}
	return st, nil
}

// SettingsWithPrefix lists unexpired settings whose key starts with prefix.
func (s *Store) SettingsWithPrefix(ctx context.Context, prefix string) ([]Setting, error) {
	var rows []Setting
	if err := s.db.WithContext(ctx).Where("`key` LIKE ? ESCAPE '!'", likePrefix(prefix)).Order("`key`").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("settings %s*: %w", prefix, err)
	}
	out := rows[:0]
	now := s.clock.Now()
	for _, r := range rows {
		if r.ExpiresAt == nil || now.Before(*r.ExpiresAt) {
			out = append(out, r)
		}
	}
	return out, nil
}

// LatestRecommendation is the doctor's newest recommendation on or before
// day (any rep), for the heat reasons of a profile; ErrNotFound if none.
func (s *Store) LatestRecommendation(ctx context.Context, doctorID uint, day string) (*Recommendation, error) {
	var out Recommendation
	err := s.db.WithContext(ctx).Where("doctor_id = ? AND day <= ?", doctorID, day).Order("day DESC, id DESC").Take(&out).Error
	return &out, translate(err)
}

// DoctorCardByID loads one doctor with the hospital name.
func (s *Store) DoctorCardByID(ctx context.Context, doctorID uint) (*DoctorCard, error) {
	var d DoctorCard
	err := s.db.WithContext(ctx).Table("doctors AS d").Select("d.*, h.name AS hospital_name").
		Joins("JOIN hospitals h ON h.id = d.hospital_id").Where("d.id = ?", doctorID).Take(&d).Error
	if err != nil {
		return nil, fmt.Errorf("doctor %d: %w", doctorID, translate(err))
	}
	return &d, nil
}

// WeightSettingPrefix prefixes the Setting keys of ranking weight overrides
// ("ranking.weights.lecture"), written by the admin command 权重 设置.
const WeightSettingPrefix = "ranking.weights."

// signalClasses are the eight classes a weight override may name.
var signalClasses = []string{ClassFiling, ClassRxTrend, ClassMeeting, ClassLecture, ClassCompetitor, ClassTrial, ClassDigital, ClassVisit}

// WeightOverrides are the ranking weights an admin set at runtime, by signal
// class; a scoring run applies them over ranking.weights from the config. It
// lives in models so the ranking code can read it without importing flows.
// A stored value that is not a number in 0..10 for a known class is an error,
// never silently used.
func (s *Store) WeightOverrides(ctx context.Context) (map[string]float64, error) {
	rows, err := s.SettingsWithPrefix(ctx, WeightSettingPrefix)
	if err != nil {
		return nil, err
	}
	out := map[string]float64{}
	for _, r := range rows {
		class := strings.TrimPrefix(r.Key, WeightSettingPrefix)
		v, err := strconv.ParseFloat(r.Value, 64)
		if err != nil || !slices.Contains(signalClasses, class) || !(v >= 0 && v <= 10) {
			return nil, fmt.Errorf("setting %s = %q is not a valid weight override", r.Key, r.Value)
		}
		out[class] = v
	}
	return out, nil
}
