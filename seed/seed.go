// Package seed builds the deterministic synthetic demo world of 杭州: hospitals
// at plausible GCJ-02 positions, managers, reps with territories, doctors
// with titles, departments, KOL flags, filing roles and weekly clinic
// sessions, six months of hospital × department × product flow data, and
// signals of every class the heat index reads (doctor-level prescription
// data excepted: see models.CheckSignalCompliance). A few hidden rising
// doctors and silent KOLs give the ranking and the manager alerts material.
//
// The same Options always give the same rows, byte for byte: every random
// draw comes from a PCG stream keyed by the seed and the entity index.
package seed

import (
	"context"
	"errors"
	"fmt"
	"time"

	"visitbot/clock"
	"visitbot/models"
)

// Options size the world. The same Options give the same world.
type Options struct {
	// Reps is the number of field reps (rep01…); managers are one per 10 reps, rounded up.
	Reps int
	// Doctors is the number of doctors; hospitals are one per 15 doctors (at most 3000).
	Doctors int
	// Seed selects the world; change it for a different but equally plausible one.
	Seed int64
	// Today is the day the world is seeded for, in the business time zone:
	// history (signals) ends the day before, flow data covers the six months
	// ending with Today's month, and clinic cancellations lie in the two
	// weeks from Today. Zero means the store clock's today.
	Today time.Time
}

// DefaultOptions is the demo world: 12 reps, 2 managers, 600 doctors, 40 hospitals.
func DefaultOptions() Options { return Options{Reps: 12, Doctors: 600, Seed: 20261127} }

// ErrOtherWorld means the database already holds a world seeded with other
// Options; mixing two worlds would make neither deterministic.
var ErrOtherWorld = errors.New("database already holds a different seeded world")

// markerKey is the setting that records which world a database holds.
const markerKey = "seed.world"

// String is the canonical form of o recorded in the database (setting
// "seed.world") to tell whether a database holds this world.
func (o Options) String() string {
	return fmt.Sprintf("seed=%d reps=%d doctors=%d today=%s", o.Seed, o.Reps, o.Doctors, o.Today.Format(time.DateOnly))
}

// World fills the store with the world of o. Running it again with the same
// Options is an idempotent upsert (rows are keyed by user id, external id or
// their unique keys, existing rows are left alone), so an interrupted run
// can simply be repeated; other Options on the same database fail with
// ErrOtherWorld. Each table (signals: each chunk of doctors) is written in
// its own transaction.
func World(ctx context.Context, s *models.Store, o Options) error {
	loc := s.Location()
	if o.Today.IsZero() {
		o.Today = s.Clock().Now()
	}
	today, err := clock.ParseDay(clock.Day(o.Today, loc), loc)
	if err != nil {
		return fmt.Errorf("today: %w", err)
	}
	o.Today = today
	w, err := generate(o)
	if err != nil {
		return fmt.Errorf("options: %w", err)
	}
	if err := claim(ctx, s, o); err != nil {
		return err
	}
	return w.write(ctx, s)
}

// claim records o as the world of the database, or checks it is the one recorded.
func claim(ctx context.Context, s *models.Store, o Options) error {
	have, err := s.Settings.GetSetting(ctx, markerKey)
	switch {
	case errors.Is(err, models.ErrNotFound):
		if err := s.Settings.PutSetting(ctx, markerKey, o.String(), 0); err != nil {
			return fmt.Errorf("record seeded world: %w", err)
		}
		return nil
	case err != nil:
		return fmt.Errorf("read seeded world: %w", err)
	case have != o.String():
		return fmt.Errorf("%w (%s; asked for %s): use an empty database or the same flags", ErrOtherWorld, have, o)
	}
	return nil
}
