package models

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"
)

// CountAlerts is the number of alerts ever raised: `simulate` reports the
// ones its days raised as the difference.
func (s *AlertStore) CountAlerts(ctx context.Context) (int64, error) {
	var n int64
	err := s.db.WithContext(ctx).Model(&Alert{}).Count(&n).Error
	return n, err
}

// CountCardTasks is the number of card tasks of kind (e.g. "alert"): the
// cards `simulate` queued, as a difference.
func (s *CardStore) CountCardTasks(ctx context.Context, kind string) (int64, error) {
	var n int64
	err := s.db.WithContext(ctx).Model(&CardTask{}).Where("kind = ?", kind).Count(&n).Error
	return n, err
}

// NextPendingOutbox is the earliest due time of a pending outbox row in
// (after, until] (ok=false: none): `simulate` moves its clock there so a
// card held for quiet hours is shown when they end in simulated time, as the
// running dispatcher would.
func (s *OutboxStore) NextPendingOutbox(ctx context.Context, after, until time.Time) (next time.Time, ok bool, err error) {
	var m OutboxMessage
	err = s.db.WithContext(ctx).Where("status = ? AND next_attempt_at > ? AND next_attempt_at <= ?", OutboxPending, after.UTC(), until.UTC()).
		Order("next_attempt_at").Take(&m).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return time.Time{}, false, nil
	}
	if err != nil {
		return time.Time{}, false, err
	}
	return m.NextAttemptAt, true, nil
}

// LatestVisitDay is the last day on or before until with a visit of one of
// the reps ("" when none): the dashboard opens on that day's week when the
// current one has no data yet (a demo whose history ends last week, a Monday
// morning).
func (s *ReportStore) LatestVisitDay(ctx context.Context, repIDs []uint, until string) (string, error) {
	latest := ""
	err := chunked(repIDs, func(part []uint) error {
		var day *string
		err := whereIn(s.db.WithContext(ctx).Model(&Visit{}), "rep_id", part).Where("day <= ?", until).Select("MAX(day)").Scan(&day).Error
		if err == nil && day != nil && *day > latest {
			latest = *day
		}
		return err
	})
	if err != nil {
		return "", fmt.Errorf("latest visit day: %w", err)
	}
	return latest, nil
}

// FirstTiersBetween counts the doctors graded for the first time (a tier
// change from no tier) on days from..to: the dashboard says so beside the
// week's tier moves (TierChangesBetween), so a week of first gradings does
// not read as a week without any.
func (s *AlertStore) FirstTiersBetween(ctx context.Context, doctorIDs []uint, from, to string) (int, error) {
	total := 0
	err := chunked(doctorIDs, func(part []uint) error {
		var n int64
		err := whereIn(s.db.WithContext(ctx).Model(&TierChange{}), "doctor_id", part).
			Where("day >= ? AND day <= ? AND from_tier = ''", from, to).Count(&n).Error
		total += int(n)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("first tiers %s..%s: %w", from, to, err)
	}
	return total, nil
}
