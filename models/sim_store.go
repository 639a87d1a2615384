package models

import (
	"context"
	"errors"
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
