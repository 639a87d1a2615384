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

// ProposalSettings is what proposals read and write of the settings store:
// models.SettingStore, or the flows' narrower view of it.
type ProposalSettings interface {
	GetSetting(ctx context.Context, key string) (string, error)
	PutSetting(ctx context.Context, key, value string, ttl time.Duration) error
	DeleteSetting(ctx context.Context, key string) error
	WeightOverrides(ctx context.Context) (map[string]float64, error)
}

// ProposalAudit records an applied proposal (models.AuditStore).
type ProposalAudit interface {
	Record(ctx context.Context, actorID uint, action, target string, detail any) error
}

// ProposalDB runs an apply in one transaction (models.Store).
type ProposalDB interface {
	Tx(ctx context.Context, fn func(ctx context.Context) error) error
}

// SaveProposal stores p as the pending proposal (replacing an older one).
func SaveProposal(ctx context.Context, st ProposalSettings, p Proposal) error {
	b, err := json.Marshal(p)
	if err != nil {
		return fmt.Errorf("proposal: %w", err)
	}
	if err := st.PutSetting(ctx, ProposalSetting, string(b), 0); err != nil {
		return fmt.Errorf("proposal: %w", err)
	}
	return nil
}

// PendingProposal reads the pending proposal (ErrNoProposal when none).
func PendingProposal(ctx context.Context, st ProposalSettings) (Proposal, error) {
	var p Proposal
	v, err := st.GetSetting(ctx, ProposalSetting)
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
// one transaction with its audit row (before and after, by actorID), and
// clears it. Only an admin may (admin is the caller's check of the actor's
// role); a weight the stored overrides (-10..10) or the scorer
// would refuse (a negative weight, where the scorer takes none) is refused
// and nothing is written.
func ApplyProposal(ctx context.Context, db ProposalDB, settings ProposalSettings, audit ProposalAudit, cfg config.RankingConfig,
	allowRx bool, actorID uint, admin bool) (Proposal, error) {
	if !admin {
		return Proposal{}, ErrNotAdmin
	}
	p, err := PendingProposal(ctx, settings)
	if err != nil {
		return p, err
	}
	before, err := EffectiveRanking(ctx, settings, cfg)
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
	err = db.Tx(ctx, func(ctx context.Context) error {
		for _, k := range keys {
			if err := settings.PutSetting(ctx, models.WeightSettingPrefix+k, strconv.FormatFloat(p.Weights[k], 'f', -1, 64), 0); err != nil {
				return err
			}
		}
		if err := settings.DeleteSetting(ctx, ProposalSetting); err != nil {
			return err
		}
		return audit.Record(ctx, actorID, AuditTuneApply, "ranking.weights", map[string]any{
			"before": before.Weights, "after": after.Weights, "periods": p.Periods, "proposed_at": p.ProposedAt,
		})
	})
	if err != nil {
		return p, fmt.Errorf("apply proposal: %w", err)
	}
	return p, nil
}
