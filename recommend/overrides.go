package recommend

import (
	"context"
	"fmt"
	"maps"

	"visitbot/ranking"
)

// effective returns s with the admins' weight overrides (权重 设置, stored as
// settings) applied, so a change takes effect on the next scoring or ranking
// run without a restart. Without overrides it returns s itself.
func (s *Service) effective(ctx context.Context) (*Service, error) {
	ov, err := s.store.Settings.WeightOverrides(ctx)
	if err != nil {
		return nil, fmt.Errorf("weight overrides: %w", err)
	}
	if len(ov) == 0 {
		return s, nil
	}
	cfg := s.cfg
	cfg.Weights = maps.Clone(s.cfg.Weights)
	maps.Copy(cfg.Weights, ov)
	sc, err := ranking.NewScorer(cfg, s.allowRx)
	if err != nil {
		return nil, fmt.Errorf("weight overrides: %w", err)
	}
	out := *s
	out.cfg, out.scorer = cfg, sc
	return &out, nil
}
