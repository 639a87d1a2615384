package recommend

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"

	"visitbot/clock"
	"visitbot/models"
	"visitbot/ranking"
)

// ScoreResult summarises a nightly scoring run.
type ScoreResult struct {
	Day     string
	Doctors int
	// Changes are the day's tier changes (first assignments included);
	// Rising are the moves up, the "rising doctor" events for alerts.
	Changes int
	Rising  []models.TierChange
}

// ScoreAll computes every doctor's heat index as of day, re-tiers each
// territory with hysteresis, and stores Heat/Tier/HeatAt/HeatDay, the day's
// heat notes (what the morning run explains picks with) and the day's tier
// history in one transaction. Each doctor's previous tier is the
// one its history records before day, so a rerun of the same day replaces the
// day's history instead of stacking changes, and rescoring a past day
// reproduces it exactly (signals are read as of the day: see asOf). This is
// the nightly_scores job.
//
// A doctor's territory is that of the lowest-id rep covering them, else
// their hospital's city.
func (s *Service) ScoreAll(ctx context.Context, day string) (ScoreResult, error) {
	return s.ScoreShard(ctx, day, 0, 1)
}

// ScoreShard is ScoreAll for the territories of shard k of n (see
// territoryShard): the nightly_scores job's unit of work, which replicas
// share. Tiers are percentiles within a territory, so a shard holding whole
// territories tiers exactly as one run over every doctor does; it loads and
// holds only its own doctors' signals.
func (s *Service) ScoreShard(ctx context.Context, day string, k, n int) (ScoreResult, error) {
	res := ScoreResult{Day: day}
	s, err := s.effective(ctx)
	if err != nil {
		return res, fmt.Errorf("score: %w", err)
	}
	territory, ids, err := s.shardDoctors(ctx, day, k, n)
	if err != nil {
		return res, fmt.Errorf("score: %w", err)
	}
	w, err := s.shardWorld(ctx, day, ids, n)
	if err != nil {
		return res, fmt.Errorf("score: %w", err)
	}
	if ids == nil {
		err = s.loadAllSignals(ctx, w)
	} else {
		err = s.loadSignals(ctx, w, ids)
	}
	if err != nil {
		return res, fmt.Errorf("score: %w", err)
	}
	if w.calendar, err = s.shardCalendar(ctx, w.asOf, n); err != nil {
		return res, fmt.Errorf("score: %w", err)
	}
	before, err := s.tiersBefore(ctx, day, ids)
	if err != nil {
		return res, fmt.Errorf("score: %w", err)
	}
	products, err := s.store.Ranking.BestProductMatch(ctx, ids)
	if err != nil {
		return res, fmt.Errorf("score: %w", err)
	}
	inClinic, err := s.store.Ranking.DoctorsInClinic(ctx, ids, day)
	if err != nil {
		return res, fmt.Errorf("score: %w", err)
	}
	in := make([]ranking.TierInput, 0, len(w.doctors))
	notes := make([]models.HeatNote, 0, len(w.doctors))
	dayStart, _ := clock.ParseDay(day, s.loc)
	contactFrom, recentFrom := s.contactFrom(dayStart), s.recentFrom(dayStart)
	for _, d := range w.doctors {
		t, ok := territory[d.ID]
		if !ok {
			t = w.hospitals[d.HospitalID].City
		}
		prev := before[d.ID] // as of the day before: never a later night's tier
		h := s.heat(w, d)
		in = append(in, ranking.TierInput{DoctorID: d.ID, Territory: t, Heat: h.Score, Prev: prev})
		if !inClinic[d.ID] {
			continue // no clinic on the day: never a candidate of its lists
		}
		note, err := ranking.MarshalNote(h.Note())
		if err != nil {
			return res, fmt.Errorf("score: doctor %d: %w", d.ID, err)
		}
		visit, positive := recentDays(w.signals[d.ID], contactFrom, recentFrom, w.asOf, s.loc)
		n := models.HeatNote{DoctorID: d.ID, HospitalID: d.HospitalID, Note: note,
			LastVisit: visit, LastPositive: positive, ProductMatch: products[d.ID]}
		if g := h.Surge; g.Rising() {
			n.SurgeSince, n.SurgeRecent, n.SurgeP = g.Since, g.Recent, g.P
		}
		notes = append(notes, n)
	}
	slices.SortFunc(in, func(a, b ranking.TierInput) int { return cmp.Compare(a.DoctorID, b.DoctorID) })
	tiers := ranking.AssignTiers(in, s.cfg.TierPercentiles, s.cfg.TierHysteresis)
	tierOf := make(map[uint]ranking.TierResult, len(tiers))
	for _, t := range tiers {
		tierOf[t.DoctorID] = t
	}
	for i := range notes {
		t := tierOf[notes[i].DoctorID]
		notes[i].Heat, notes[i].Tier = round2(t.Heat), t.Tier
	}
	slices.SortFunc(notes, func(a, b models.HeatNote) int { return cmp.Compare(a.DoctorID, b.DoctorID) })
	scores := make([]models.DoctorScore, len(tiers))
	var changes []models.TierChange
	for i, t := range tiers {
		scores[i] = models.DoctorScore{DoctorID: t.DoctorID, Heat: round2(t.Heat), Tier: t.Tier}
		if t.Changed {
			tc := models.TierChange{DoctorID: t.DoctorID, Day: day, FromTier: t.Prev, ToTier: t.Tier, Heat: round2(t.Heat), Rising: t.Rising}
			changes = append(changes, tc)
			if t.Rising {
				res.Rising = append(res.Rising, tc)
			}
		}
	}
	err = s.store.Tx(ctx, func(ctx context.Context) error {
		if err := s.store.Ranking.UpdateDoctorScores(ctx, scores, s.clock.Now(), day); err != nil {
			return err
		}
		if err := s.keepCalendar(ctx, day, w.calendar); err != nil {
			return err
		}
		if err := s.store.Ranking.ReplaceHeatNotes(ctx, day, ids, notes); err != nil {
			return err
		}
		if ids == nil {
			return s.store.Ranking.ReplaceTierChanges(ctx, day, changes)
		}
		return s.store.Ranking.ReplaceTierChangesOf(ctx, day, ids, changes)
	})
	if err != nil {
		return res, fmt.Errorf("score: %w", err)
	}
	if k == 0 { // once per run, outside the shards' transactions
		if err := s.store.Ranking.PruneHeatNotes(ctx, clock.Day(dayStart.AddDate(0, 0, 1-models.HeatNoteKeepDays), s.loc)); err != nil {
			return res, fmt.Errorf("score: %w", err)
		}
	}
	res.Doctors, res.Changes = len(scores), len(changes)
	return res, nil
}

func round2(v float64) float64 { return math.Round(v*100) / 100 }
