package flows_test

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"

	"visitbot/flows"
	"visitbot/models"
	"visitbot/models/modelstest"

	"gorm.io/gorm"
)

// TestMorningPushGoesOnPastAFailingRep: a rep whose message cannot be
// queued is reported to the admins and in the job's detail; the other reps
// get theirs.
func TestMorningPushGoesOnPastAFailingRep(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, s *models.Store) {
		w := newPlanWorld(t, s)
		ctx := context.Background()
		admin, err := s.Users.UserByUserID(ctx, "admin")
		must(t, err)
		modelstest.RejectOutboxFor(t, s, w.rep.ID)
		res, err := w.flows.MorningPush(ctx, testDay, nil)
		if err == nil || !strings.Contains(err.Error(), "1 of 2 reps failed") {
			t.Fatalf("err = %v, want the failure counted", err)
		}
		if len(res.Failed) != 1 || res.Failed[0].UserID != "rep01" || res.Queued != 1 || res.NoList != 1 {
			t.Fatalf("result = %+v", res)
		}
		if d := res.String(); !strings.Contains(d, "1 failed (rep01: ") || !strings.Contains(d, "rejected by test") {
			t.Fatalf("job detail %q does not name the failure", d)
		}
		w.drain(t)
		if _, texts := w.inbox(t, w.rep2); len(texts) != 1 || texts[0] != flows.MsgNoRecommendation {
			t.Fatalf("rep02 texts = %q", texts)
		}
		_, texts := w.inbox(t, admin)
		if len(texts) != 1 || !strings.Contains(texts[0], "1位代表的名单未能生成：rep01") {
			t.Fatalf("admin texts = %q", texts)
		}

		// Fixed: a rerun sends rep01 the card and nothing twice to rep02.
		must(t, s.DB(ctx).Exec(fmt.Sprintf("DROP TRIGGER reject_rep_%d", w.rep.ID)).Error)
		res, err = w.flows.MorningPush(ctx, testDay, nil)
		must(t, err)
		if res.Queued != 1 || res.Already != 1 || len(res.Failed) != 0 {
			t.Fatalf("rerun = %+v", res)
		}
	})
}

// TestMorningPushLoadsPlanItemsOnce: the push reads the day's plan items in
// one query for all reps, not one per rep.
func TestMorningPushLoadsPlanItemsOnce(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, s *models.Store) {
		w := newPlanWorld(t, s)
		var n atomic.Int32
		count := func(db *gorm.DB) {
			if strings.Contains(db.Statement.SQL.String(), "recommendations AS r") {
				n.Add(1)
			}
		}
		cb := s.DB(context.Background()).Callback()
		must(t, cb.Query().After("gorm:query").Register("test:count_plan_items", count))
		must(t, cb.Row().After("gorm:row").Register("test:count_plan_items", count))
		res, err := w.flows.MorningPush(context.Background(), testDay, nil)
		must(t, err)
		if res.Reps != 2 || n.Load() != 1 {
			t.Fatalf("%d reps, %d plan item queries, want 1", res.Reps, n.Load())
		}
	})
}
