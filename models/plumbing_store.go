package models

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm/clause"
)

// RecordDelivery stores a platform delivery key. It returns ErrConflict when
// the same delivery was already accepted: call it inside the transaction that
// applies the delivery's effect, so effect and key commit together.
func (s *Store) RecordDelivery(ctx context.Context, platform, key, kind string) error {
	d := InboundDelivery{Key: platform + ":" + key, Platform: platform, Kind: kind, ReceivedAt: s.clock.Now().UTC()}
	if len(d.Key) > 191 {
		return fmt.Errorf("delivery key too long (%d bytes)", len(d.Key))
	}
	return s.create(ctx, &d)
}

// StoreRawEvent keeps an unhandled inbound event for diagnosis.
func (s *Store) StoreRawEvent(ctx context.Context, platform, typ, body string) error {
	if len(body) > 16<<10 {
		body = body[:16<<10]
	}
	return s.create(ctx, &RawEvent{Platform: platform, Type: typ, Body: body, ReceivedAt: s.clock.Now().UTC()})
}

// Audit appends to the audit log. detail is marshalled as JSON.
func (s *Store) Audit(ctx context.Context, actorID uint, action, target string, detail any) error {
	b, err := json.Marshal(detail)
	if err != nil {
		return fmt.Errorf("audit detail: %w", err)
	}
	return s.create(ctx, &AuditLog{ActorID: actorID, Action: action, Target: target, Detail: string(b), At: s.clock.Now().UTC()})
}

// AuditEntries lists the newest audit rows, newest first.
func (s *Store) AuditEntries(ctx context.Context, limit int) ([]AuditLog, error) {
	var out []AuditLog
	return out, s.db.WithContext(ctx).Order("id DESC").Limit(limit).Find(&out).Error
}

// GetSetting returns a setting's value; expired or missing → ErrNotFound.
func (s *Store) GetSetting(ctx context.Context, key string) (string, error) {
	st, err := first[Setting](ctx, s.db, "`key` = ?", key)
	if err != nil {
		return "", err
	}
	if st.ExpiresAt != nil && !s.clock.Now().Before(*st.ExpiresAt) {
		return "", ErrNotFound
	}
	return st.Value, nil
}

// PutSetting upserts a setting; ttl 0 = no expiry.
func (s *Store) PutSetting(ctx context.Context, key, value string, ttl time.Duration) error {
	st := Setting{Key: key, Value: value, UpdatedAt: s.clock.Now().UTC()}
	if ttl > 0 {
		exp := s.clock.Now().Add(ttl).UTC()
		st.ExpiresAt = &exp
	}
	return s.db.WithContext(ctx).Clauses(clause.OnConflict{
		Columns:   []clause.Column{{Name: "key"}},
		DoUpdates: clause.AssignmentColumns([]string{"value", "expires_at", "updated_at"}),
	}).Create(&st).Error
}

// DeleteSetting removes a setting (missing is fine).
func (s *Store) DeleteSetting(ctx context.Context, key string) error {
	return s.db.WithContext(ctx).Where("`key` = ?", key).Delete(&Setting{}).Error
}

// HasConsent reports whether the user already saw the notice of kind.
func (s *Store) HasConsent(ctx context.Context, userID uint, kind string) (bool, error) {
	_, err := first[Consent](ctx, s.db, "user_id = ? AND kind = ?", userID, kind)
	if errors.Is(err, ErrNotFound) {
		return false, nil
	}
	return err == nil, err
}

// RecordConsent stores that the user saw the notice (idempotent).
func (s *Store) RecordConsent(ctx context.Context, userID uint, kind string) error {
	err := s.create(ctx, &Consent{UserID: userID, Kind: kind, At: s.clock.Now().UTC()})
	if errors.Is(err, ErrConflict) {
		return nil
	}
	return err
}
