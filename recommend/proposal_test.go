package recommend_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"visitbot/config"
	"visitbot/models"
	"visitbot/models/modelstest"
	"visitbot/ranking"
	"visitbot/ranking/tune"
	"visitbot/recommend"
	"visitbot/signals"
)

// TestApplyProposalIsAuditedAndAdminOnly: a proposal changes nothing until an
// admin applies it; a rep is refused, a weight the overrides cannot hold is
// refused with nothing written, and the applied one is the overrides, the
// proposal is cleared and the audit row holds before and after.
func TestApplyProposalIsAuditedAndAdminOnly(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, s *models.Store) {
		ctx := context.Background()
		admin := &models.User{UserID: "admin01", Name: "运营", Role: models.RoleAdmin, Active: true}
		rep := &models.User{UserID: "rep01", Name: "代表", Role: models.RoleRep, Active: true}
		for _, u := range []*models.User{admin, rep} {
			if err := s.Users.CreateUser(ctx, u); err != nil {
				t.Fatal(err)
			}
		}
		cfg := config.Default().Ranking
		apply := func(u *models.User) (recommend.Proposal, error) {
			return recommend.ApplyProposal(ctx, s, s.Settings, s.Audit, cfg, false, u.ID, u.Role == models.RoleAdmin)
		}
		if _, err := apply(admin); !errors.Is(err, recommend.ErrNoProposal) {
			t.Fatalf("no proposal: err %v", err)
		}
		proposed := signals.Weights()
		proposed[signals.Competitor] = -0.05
		if err := recommend.SaveProposal(ctx, s.Settings, recommend.Proposal{Weights: proposed, Current: signals.Weights(), Periods: tune.Periods{FitFrom: "2026-05-01", FitTo: "2026-07-31"}}); err != nil {
			t.Fatal(err)
		}
		nothingChanged := func(stage string) {
			t.Helper()
			ov, err := s.Settings.WeightOverrides(ctx)
			if err != nil || len(ov) != 0 {
				t.Errorf("%s: overrides %v, err %v", stage, ov, err)
			}
			if entries, _ := s.Audit.Entries(ctx, 10); len(entries) != 0 {
				t.Errorf("%s: audit rows %v", stage, entries)
			}
			if _, err := recommend.PendingProposal(ctx, s.Settings); err != nil {
				t.Errorf("%s: the proposal is gone: %v", stage, err)
			}
		}
		nothingChanged("proposed")
		if _, err := apply(rep); !errors.Is(err, recommend.ErrNotAdmin) {
			t.Errorf("a rep applies: err %v", err)
		}
		nothingChanged("a rep tried")
		// A negative weight applies exactly when the scorer takes it.
		neg := cfg
		neg.Weights = proposed
		_, scorerErr := ranking.NewScorer(neg, false)
		if scorerErr != nil {
			if _, err := apply(admin); err == nil || !strings.Contains(err.Error(), "competitor") {
				t.Errorf("negative weight the scorer refuses: err %v", err)
			}
			nothingChanged("a negative weight")
		}
		proposed[signals.Competitor] = 12
		if err := recommend.SaveProposal(ctx, s.Settings, recommend.Proposal{Weights: proposed}); err != nil {
			t.Fatal(err)
		}
		if _, err := apply(admin); err == nil || !strings.Contains(err.Error(), "-10..10") {
			t.Errorf("weight 12: err %v", err)
		}
		nothingChanged("weight 12")

		proposed[signals.Competitor], proposed[signals.Digital] = 0, 0.3
		if err := recommend.SaveProposal(ctx, s.Settings, recommend.Proposal{Weights: proposed, Periods: tune.Periods{FitFrom: "2026-05-01", FitTo: "2026-07-31"}}); err != nil {
			t.Fatal(err)
		}
		if _, err := apply(admin); err != nil {
			t.Fatal(err)
		}
		ov, err := s.Settings.WeightOverrides(ctx)
		if err != nil || ov[signals.Digital] != 0.3 || ov[signals.Competitor] != 0 || len(ov) != signals.N {
			t.Errorf("overrides %v, err %v", ov, err)
		}
		if _, err := recommend.PendingProposal(ctx, s.Settings); !errors.Is(err, recommend.ErrNoProposal) {
			t.Errorf("the proposal is still pending: %v", err)
		}
		entries, err := s.Audit.Entries(ctx, 10)
		if err != nil || len(entries) != 1 {
			t.Fatalf("audit %v, err %v", entries, err)
		}
		e := entries[0]
		if e.ActorID != admin.ID || e.Action != recommend.AuditTuneApply || !strings.Contains(e.Detail, `"before"`) || !strings.Contains(e.Detail, `"digital":0.3`) {
			t.Errorf("audit row %+v", e)
		}
		eff, err := recommend.EffectiveRanking(ctx, s.Settings, cfg)
		if err != nil || eff.Weights[signals.Digital] != 0.3 || cfg.Weights[signals.Digital] == 0.3 {
			t.Errorf("effective weights %v (config %v), err %v", eff.Weights, cfg.Weights, err)
		}
	})
}
