package recommend

import (
	"context"
	"fmt"
	"slices"

	"visitbot/models"
)

// NextBest returns the best-scoring recommendation for rep on day whose
// doctor is not in exclude (the doctors already on the list), or nil when
// no other doctor is available that day. It ranks the rep's doctors with a
// wider Top-N; nothing is stored — the caller appends the result to the day.
// It runs read-only queries, so it is safe to call inside a caller's
// transaction on another connection.
func (s *Service) NextBest(ctx context.Context, repID uint, day string, exclude []uint) (*models.Recommendation, error) {
	rep, err := s.store.Users.UserByID(ctx, repID)
	if err != nil {
		return nil, fmt.Errorf("rep %d: %w", repID, err)
	}
	wide := *s
	wide.cfg.TopN = s.cfg.TopN + len(exclude) + 1
	lists, err := wide.compute(ctx, day, []models.User{*rep}, false)
	if err != nil {
		return nil, err
	}
	var best *models.Recommendation
	for _, r := range lists[repID] {
		if slices.Contains(exclude, r.DoctorID) {
			continue
		}
		if best == nil || r.Score > best.Score || (r.Score == best.Score && r.DoctorID < best.DoctorID) {
			best = &r
		}
	}
	if best != nil {
		best.ID, best.Rank = 0, 0
		if best.Kind == "" {
			best.Kind = models.RecRanked
		}
	}
	return best, nil
}
