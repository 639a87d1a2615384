package recommend

import (
	"fmt"
	"sync/atomic"
	"testing"

	"gorm.io/gorm"

	"visitbot/models"
	"visitbot/models/modelstest"
)

// countQueries counts the statements the store runs (reads and writes).
func countQueries(t *testing.T, s *models.Store) *atomic.Int64 {
	t.Helper()
	var n atomic.Int64
	cb := s.DB(t.Context()).Callback()
	inc := func(*gorm.DB) { n.Add(1) }
	name := fmt.Sprintf("test:count:%p", &n)
	for _, err := range []error{
		cb.Query().After("gorm:query").Register(name, inc),
		cb.Row().After("gorm:row").Register(name, inc),
		cb.Raw().After("gorm:raw").Register(name, inc),
		cb.Create().After("gorm:create").Register(name, inc),
		cb.Delete().After("gorm:delete").Register(name, inc),
	} {
		if err != nil {
			t.Fatal(err)
		}
	}
	return &n
}

// TestTopNLoadsInBulk: the number of statements of a Top-N run does not grow
// with reps or doctors (no N+1); only id lists longer than 500 split.
func TestTopNLoadsInBulk(t *testing.T) {
	run := func(reps, doctors int) int64 {
		s, _ := modelstest.Open(t, "sqlite", nil)
		w := newWorld(t, s, doctors)
		for r := 1; r < reps; r++ {
			u := w.addRep(fmt.Sprintf("rep%02d", r+1), 31.2, 121.4)
			for _, d := range w.docs {
				w.assign(u, d.ID)
			}
		}
		for i := range w.docs {
			w.heat(i, 1)
		}
		n := countQueries(t, s)
		if _, err := w.service().TopN(w.ctx, day, false); err != nil {
			t.Fatal(err)
		}
		return n.Load()
	}
	small, big := run(1, 3), run(8, 40)
	t.Logf("statements: 1 rep × 3 doctors = %d, 8 reps × 40 doctors = %d", small, big)
	// 24: the loads of the ranking v1 plus the series calendar (the nightly's
	// stored one, else the grouped query), recent moves up a tier and the
	// last listed day.
	if big != small || big > 24 {
		t.Errorf("statements grow with size: %d → %d", small, big)
	}
}

// TestShardLoadsDoNotGrowWithItsDoctors: a push shard (a subset of reps)
// reads its reps' doctors by a subquery on the assignments, so its
// statements do not grow with the doctors it covers; before, every load
// split their ids into lists of 500 (1,200 doctors: three statements each).
// Only the picks' explanations still go by id.
func TestShardLoadsDoNotGrowWithItsDoctors(t *testing.T) {
	run := func(doctors int) int64 {
		s, _ := modelstest.Open(t, "sqlite", nil)
		w := newWorld(t, s, doctors)
		other := w.addRep("rep02", 31.2, 121.4)
		w.addRep("rep03", 31.2, 121.4) // not in the shard
		for i, d := range w.docs {
			w.heat(i, 1)
			if i%2 == 0 {
				w.assign(other, d.ID)
			}
		}
		svc := w.service()
		if _, err := svc.ScoreAll(w.ctx, day); err != nil { // the night's notes, as every morning has
			t.Fatal(err)
		}
		n := countQueries(t, s)
		if _, err := svc.TopNOf(w.ctx, day, []string{w.rep.UserID, other.UserID}, false); err != nil {
			t.Fatal(err)
		}
		return n.Load()
	}
	small, big := run(30), run(1200)
	t.Logf("statements of a shard of 2 reps: 30 doctors = %d, 1,200 doctors = %d", small, big)
	if big != small {
		t.Errorf("statements grow with the shard's doctors: %d → %d", small, big)
	}
}
