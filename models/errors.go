package models

import (
	"errors"
	"fmt"

	"gorm.io/gorm"
)

// ErrNotFound is returned when a looked-up row does not exist.
var ErrNotFound = errors.New("not found")

// ErrConflict is returned when a write would break a unique key: a duplicate
// delivery, a second claim of a job slot, an already-queued message.
var ErrConflict = errors.New("conflict: duplicate key")

// translate maps driver errors to the store's typed errors, keeping the cause.
func translate(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, gorm.ErrDuplicatedKey):
		return fmt.Errorf("%w: %w", ErrConflict, err)
	case errors.Is(err, gorm.ErrRecordNotFound):
		return fmt.Errorf("%w: %w", ErrNotFound, err)
	}
	return err
}
