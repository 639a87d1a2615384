// Package seed builds the deterministic synthetic demo world: one city,
// hospitals, managers, reps, doctors, sessions, flow data and signals.
package seed

import (
	"context"
	"errors"
	"time"

	"visitbot/models"
)

// Options size the world. The same Options give the same world.
type Options struct {
	Reps    int
	Doctors int
	Seed    int64
	// Today is the last day of generated history, in the business time zone.
	Today time.Time
}

// DefaultOptions is the demo world: 12 reps, ~600 doctors.
func DefaultOptions() Options { return Options{Reps: 12, Doctors: 600, Seed: 20261127} }

// World fills the store. TODO(seed helper).
func World(ctx context.Context, s *models.Store, o Options) error {
	return errors.New("seed: not implemented yet")
}
