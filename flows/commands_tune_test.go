package flows_test

import (
	"context"
	"strconv"
	"testing"

	"visitbot/bot"
	"visitbot/config"
	"visitbot/flows"
	"visitbot/models"
	"visitbot/models/modelstest"
	"visitbot/ranking"
	"visitbot/ranking/backtest"
	"visitbot/ranking/tune"
	"visitbot/recommend"
	"visitbot/signals"
)

// TestWeightProposalCommands: 权重 建议 shows a pending tune proposal to
// managers and admins, 权重 采纳 applies it for admins only, audited, and a
// proposal the scorer cannot take is refused with nothing changed.
func TestWeightProposalCommands(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, s *models.Store) {
		ctx := context.Background()
		w := newCmdWorld(t, s)
		w.check(t, []exchange{
			{"mgr01", "权重 建议", []string{flows.MsgNoWeightProposal}, nil},
			{"admin", "权重 采纳", []string{flows.MsgNoWeightProposal}, nil},
		})
		proposed := signals.Weights()
		proposed[signals.Competitor], proposed[signals.Digital] = -0.05, 0.3
		p := recommend.Proposal{Weights: proposed, Current: signals.Weights(), Periods: tune.Periods{FitFrom: "2026-05-01", FitTo: "2026-07-31", TestFrom: "2026-08-29", TestTo: "2026-10-27"},
			HeldOut: []backtest.Row{{Method: "heat (current weights)", PrecisionAt5: 0.38}, {Method: "heat (tuned weights)", PrecisionAt5: 0.42}}}
		if err := recommend.SaveProposal(ctx, s.Settings, p); err != nil {
			t.Fatal(err)
		}
		w.check(t, []exchange{
			{"mgr01", "权重 建议", []string{"2026-05-01 至 2026-07-31", "竞品互动（competitor）：" + strconv.FormatFloat(signals.Weights()[signals.Competitor], 'f', -1, 64) + " → -0.05", "建议权重：前5命中率 0.42"}, nil},
			{"mgr01", "权重 采纳", []string{bot.MsgNoPermission}, nil},
			{"rep01", "权重 建议", []string{bot.MsgNoPermission}, nil},
		})
		neg := config.Default().Ranking
		neg.Weights = proposed
		if _, err := ranking.NewScorer(neg, false); err != nil {
			w.check(t, []exchange{{"admin", "权重 采纳", []string{"无法采纳", "未做任何修改"}, []string{"已采纳"}}})
			if ov, _ := s.Settings.WeightOverrides(ctx); len(ov) != 0 {
				t.Fatalf("a refused proposal wrote overrides %v", ov)
			}
			proposed[signals.Competitor] = 0
			if err := recommend.SaveProposal(ctx, s.Settings, p); err != nil {
				t.Fatal(err)
			}
		}
		w.check(t, []exchange{
			{"admin", "权重 采纳", []string{"已采纳权重建议（按 2026-05-01 至 2026-07-31 的历史拟合）"}, nil},
			{"mgr01", "权重", []string{"• 数字互动（digital）：0.3（已调整"}, nil},
			{"admin", "权重 采纳", []string{flows.MsgNoWeightProposal}, nil},
		})
		entries, _ := s.Audit.Entries(ctx, 10)
		found := false
		for _, e := range entries {
			found = found || e.Action == recommend.AuditTuneApply
		}
		if !found {
			t.Errorf("no %s audit row in %+v", recommend.AuditTuneApply, entries)
		}
	})
}
