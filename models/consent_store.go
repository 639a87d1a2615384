package models

import (
	"context"
	"errors"
)

// HasConsent reports whether the user already saw the notice of kind.
func (s *UserStore) HasConsent(ctx context.Context, userID uint, kind string) (bool, error) {
	_, err := first[Consent](ctx, s.db, "user_id = ? AND kind = ?", userID, kind)
	if errors.Is(err, ErrNotFound) {
		return false, nil
	}
	return err == nil, err
}

// RecordConsent stores that the user saw the notice (idempotent).
func (s *UserStore) RecordConsent(ctx context.Context, userID uint, kind string) error {
	err := s.db.create(ctx, &Consent{UserID: userID, Kind: kind, At: s.db.clock.Now().UTC()})
	if errors.Is(err, ErrConflict) {
		return nil
	}
	return err
}
