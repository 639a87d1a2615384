package recommend

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"visitbot/models"
	"visitbot/ranking"
)

// DayResult summarises a Top-N run over all reps.
type DayResult struct {
	Day string
	// Reps is the number of active reps; Written got a (new) list, Kept already
	// had one and were left alone (not forced), Empty had no doctor available.
	Reps, Written, Kept, Empty int
	// Rows is the number of recommendations stored.
	Rows int
}

// TopN computes and stores the day's Top-N of every active rep in one bulk
// load and one transaction. Reps that already have a list for day keep it
// unless force. This is what the morning_push job runs.
func (s *Service) TopN(ctx context.Context, day string, force bool) (DayResult, error) {
	return s.TopNOf(ctx, day, nil, force)
}

// TopNOf is TopN for the active reps among userIDs (nil: every rep): a
// shard of the morning push, or the reps of an admin's 推送, loads and
// ranks only their doctors.
func (s *Service) TopNOf(ctx context.Context, day string, userIDs []string, force bool) (DayResult, error) {
	res := DayResult{Day: day}
	users, err := s.store.Users.UsersByUserIDs(ctx, models.RoleRep, userIDs) // a shard's or named reps; nil: all
	if err != nil {
		return res, fmt.Errorf("top-n: %w", err)
	}
	repIDs := repIDsOf(users, userIDs != nil)
	var have map[uint]bool
	if !force {
		if have, err = s.store.Ranking.RecommendedReps(ctx, repIDs, day); err != nil {
			return res, fmt.Errorf("top-n: %w", err)
		}
	}
	var reps []models.User
	for _, u := range users {
		if !u.Active {
			continue
		}
		res.Reps++
		if have[u.ID] {
			res.Kept++
			continue
		}
		reps = append(reps, u)
	}
	if len(reps) == 0 {
		return res, nil
	}
	lists, err := s.compute(ctx, day, reps, userIDs == nil)
	if err != nil {
		return res, fmt.Errorf("top-n: %w", err)
	}
	for _, l := range lists {
		if len(l) == 0 {
			res.Empty++
		}
		res.Rows += len(l)
	}
	start := time.Now()
	written, err := s.store.Ranking.SaveRecommendations(ctx, day, lists, force)
	if err != nil {
		return res, fmt.Errorf("top-n: %w", err)
	}
	s.observe("save", time.Since(start))
	res.Written = len(written)
	if !force {
		res.Kept += len(lists) - len(written) - res.Empty // stored meanwhile by a concurrent run
	}
	return res, nil
}

// ForRep returns the rep's stored list for day, computing and storing it
// first when there is none or force is set. Recomputing without force is a
// no-op that returns the stored list, so cards, feedback and plan-vs-actual
// all refer to the same ranks.
func (s *Service) ForRep(ctx context.Context, repID uint, day string, force bool) ([]models.Recommendation, error) {
	if _, err := s.asOf(day); err != nil {
		return nil, err
	}
	if !force {
		have, err := s.store.Ranking.Recommendations(ctx, repID, day)
		if err != nil || len(have) > 0 {
			return have, err
		}
	}
	rep, err := s.store.Users.UserByID(ctx, repID)
	if err != nil {
		return nil, fmt.Errorf("rep %d: %w", repID, err)
	}
	if rep.Role != models.RoleRep {
		return nil, fmt.Errorf("user %s is a %s, not a rep", rep.UserID, rep.Role)
	}
	lists, err := s.compute(ctx, day, []models.User{*rep}, false)
	if err != nil {
		return nil, err
	}
	if _, err := s.store.Ranking.SaveRecommendations(ctx, day, lists, force); err != nil && !(errors.Is(err, models.ErrConflict) && !force) {
		return nil, err // a conflict without force: a concurrent run stored the list first
	}
	return s.store.Ranking.Recommendations(ctx, repID, day)
}

func toRecommendation(repID uint, day string, p ranking.Pick) (models.Recommendation, error) {
	reasons, err := json.Marshal(p.Reasons)
	if err != nil {
		return models.Recommendation{}, fmt.Errorf("reasons of doctor %d: %w", p.DoctorID, err)
	}
	breakdown, err := marshalBreakdown(p.Breakdown) // keys sorted: stable JSON
	if err != nil {
		return models.Recommendation{}, fmt.Errorf("breakdown of doctor %d: %w", p.DoctorID, err)
	}
	r := models.Recommendation{
		RepID: repID, Day: day, DoctorID: p.DoctorID, Rank: p.Rank, Kind: p.Kind, Score: p.Score, Heat: p.Heat,
		Period: p.Period, DistanceM: p.DistanceM, Reasons: string(reasons), Breakdown: string(breakdown),
	}
	if km, ok := p.Breakdown["route_km"]; ok {
		r.RouteKM = &km
	}
	return r, nil
}

// Reasons decodes a stored recommendation's reasons (nil when empty); a
// malformed column is an error naming the row, for the caller to log and
// show, never a silently empty list.
func Reasons(r models.Recommendation) ([]string, error) {
	var out []string
	if r.Reasons == "" {
		return nil, nil
	}
	if err := json.Unmarshal([]byte(r.Reasons), &out); err != nil {
		return nil, fmt.Errorf("reasons of recommendation %d: %w", r.ID, err)
	}
	return out, nil
}

// Breakdown decodes a stored recommendation's numeric breakdown (empty
// when the column is); a malformed column is an error naming the row.
func Breakdown(r models.Recommendation) (map[string]float64, error) {
	out := map[string]float64{}
	if r.Breakdown == "" {
		return out, nil
	}
	if err := json.Unmarshal([]byte(r.Breakdown), &out); err != nil {
		return nil, fmt.Errorf("breakdown of recommendation %d: %w", r.ID, err)
	}
	return out, nil
}
