package models

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/go-sql-driver/mysql"
	"gorm.io/gorm"

	"visitbot/clock"
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

// txAttempts bounds how often a transaction aborted by a lock conflict runs.
const txAttempts = 4

// lockConflict reports MySQL's deadlock (1213) and lock wait timeout (1205):
// the transaction was rolled back and may simply run again.
func lockConflict(err error) bool {
	var me *mysql.MySQLError
	return errors.As(err, &me) && (me.Number == 1213 || me.Number == 1205)
}

// retryLockConflicts runs fn again after a short, growing pause when MySQL
// aborted it for a lock conflict.
func retryLockConflicts(ctx context.Context, fn func() error) error {
	var err error
	for attempt := 1; attempt <= txAttempts; attempt++ {
		if err = fn(); err == nil || !lockConflict(err) || attempt == txAttempts {
			return err
		}
		if serr := clock.Sleep(ctx, clock.Backoff(attempt, 10*time.Millisecond, 200*time.Millisecond, 0, rand.Float64())); serr != nil {
			return err
		}
	}
	return err
}
