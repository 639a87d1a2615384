package recommend

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"time"

	"visitbot/config"
	"visitbot/models"
	"visitbot/ranking"
	"visitbot/ranking/backtest"
	"visitbot/ranking/tune"
	"visitbot/signals"
)

// ProposalSetting is the settings key of the pending weight proposal that
// `visitbot tune` writes and an admin applies (tune -apply). Until then it
// changes nothing: scoring reads only ranking.weights.* overrides.
const ProposalSetting = "ranking.tune.proposed"

// AuditTuneApply is the audit action of an applied proposal.
const AuditTuneApply = "ranking.weights.tune_apply"

// Proposal is a tune run's proposed weights with what they were fitted on
// and how they did on the held-out days.
type Proposal struct {
	Weights map[string]float64 `json:"weights"`
	Current map[string]float64 `json:"current"`
	tune.Periods
	ProposedAt time.Time      `json:"proposed_at"`
	HeldOut    []backtest.Row `json:"held_out"`
}

// ErrNoProposal is returned when there is no pending proposal to apply.
var ErrNoProposal = errors.New("no pending weight proposal (run visitbot tune first)")

// ErrNotAdmin is returned when someone other than an admin applies weights.
var ErrNotAdmin = errors.New("only an admin may apply weights")

// SaveProposal stores p as the pending proposal (replacing an older one).
func SaveProposal(ctx context.Context, st *models.Store, p Proposal) error {
	b, err := json.Marshal(p)
	if err != nil {
		return fmt.Errorf("proposal: %w", err)
	}
	if err := st.Settings.PutSetting(ctx, ProposalSetting, string(b), 0); err != nil {
		return fmt.Errorf("proposal: %w", err)
	}
	return nil
}

// PendingProposal reads the pending proposal (ErrNoProposal when none).
func PendingProposal(ctx context.Context, st *models.Store) (Proposal, error) {
	var p Proposal
	v, err := st.Settings.GetSetting(ctx, ProposalSetting)
	if errors.Is(err, models.ErrNotFound) {
		return p, ErrNoProposal
	}
	if err != nil {
		return p, fmt.Errorf("proposal: %w", err)
	}
	if err := json.Unmarshal([]byte(v), &p); err != nil {
		return p, fmt.Errorf("proposal: setting %s is not a proposal: %w", ProposalSetting, err)
	}
	return p, nil
}

// ApplyProposal makes the pending proposal the admins' weight overrides, in
// one transaction with its audit row (before and after), and clears it.
// Only an admin may; a weight the stored overrides (-10..10) or the scorer
// would refuse (a negative weight, where the scorer takes none) is refused
// and nothing is written.
func ApplyProposal(ctx context.Context, st *models.Store, cfg config.RankingConfig, allowRx bool, actor *models.User) (Proposal, error) {
	if actor == nil || actor.Role != models.RoleAdmin {
		return Proposal{}, ErrNotAdmin
	}
	p, err := PendingProposal(ctx, st)
	if err != nil {
		return p, err
	}
	before, err := EffectiveRanking(ctx, st, cfg)
	if err != nil {
		return p, err
	}
	after := before
	after.Weights = maps.Clone(before.Weights)
	keys := slices.Sorted(maps.Keys(p.Weights))
	for _, k := range keys {
		w := p.Weights[k]
		if _, ok := signals.Lookup(k); !ok {
			return p, fmt.Errorf("proposal: unknown signal class %q", k)
		}
		if !(w >= -10 && w <= 10) {
			return p, fmt.Errorf("proposal: weight %s = %v cannot be stored (an override is -10..10)", k, w)
		}
		after.Weights[k] = w
	}
	if _, err := ranking.NewScorer(after, allowRx); err != nil {
		return p, fmt.Errorf("proposal: the scorer refuses these weights (rerun tune with -signed \"\" to fit without a sign): %w", err)
	}
	err = st.Tx(ctx, func(ctx context.Context) error {
		for _, k := range keys {
			if err := st.Settings.PutSetting(ctx, models.WeightSettingPrefix+k, strconv.FormatFloat(p.Weights[k], 'f', -1, 64), 0); err != nil {
				return err
			}
		}
		if err := st.Settings.DeleteSetting(ctx, ProposalSetting); err != nil {
			return err
		}
		return st.Audit.Record(ctx, actor.ID, AuditTuneApply, "ranking.weights", map[string]any{
			"before": before.Weights, "after": after.Weights, "periods": p.Periods, "proposed_at": p.ProposedAt,
		})
	})
	if err != nil {
		return p, fmt.Errorf("apply proposal: %w", err)
	}
	return p, nil
}
