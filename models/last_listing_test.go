package models_test

import (
	"context"
	"fmt"
	"io/fs"
	"maps"
	"math/rand/v2"
	"strings"
	"testing"

	"visitbot/models"
	"visitbot/models/modelstest"
)

// listOf is a rep's list of the doctors, in rank order.
func listOf(ids ...uint) []models.Recommendation {
	out := make([]models.Recommendation, len(ids))
	for i, id := range ids {
		out[i] = models.Recommendation{DoctorID: id, Rank: i + 1, Kind: models.RecRanked, Reasons: `["周三上午门诊"]`, Breakdown: `{}`}
	}
	return out
}

// TestLastListedKeepsUpWithTheLists saves random lists of random days, in
// any order, with forced reruns that drop doctors, and after each save
// compares LastListed with the answer of the lists themselves over random
// windows, for one rep, two and all.
func TestLastListedKeepsUpWithTheLists(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, s *models.Store) {
		ctx := context.Background()
		rng := rand.New(rand.NewPCG(18, 14))
		day := func(n int) string { return fmt.Sprintf("2026-11-%02d", n) }
		for step := range 60 {
			d := day(1 + rng.IntN(20))
			byRep := map[uint][]models.Recommendation{}
			for rep := uint(1); rep <= 3; rep++ {
				if rng.IntN(3) == 0 {
					continue
				}
				var ids []uint
				for doc := uint(1); doc <= 6; doc++ {
					if rng.IntN(2) == 0 {
						ids = append(ids, doc)
					}
				}
				byRep[rep] = listOf(ids...)
			}
			if _, err := s.Ranking.SaveRecommendations(ctx, d, byRep, rng.IntN(2) == 0); err != nil {
				t.Fatalf("step %d: save %s: %v", step, d, err)
			}
			for range 4 {
				from, to := 1+rng.IntN(21), 1+rng.IntN(21)
				if from > to {
					from, to = to, from
				}
				for _, reps := range [][]uint{{1}, {2, 3}, nil} {
					got, err := s.Ranking.LastListed(ctx, reps, day(from), day(to))
					if err != nil {
						t.Fatal(err)
					}
					want, err := s.Ranking.LastListedFromLists(ctx, reps, day(from), day(to))
					if err != nil {
						t.Fatal(err)
					}
					if !maps.Equal(got, want) {
						t.Fatalf("step %d (saved %s), reps %v, %s..%s: got %v, the lists say %v", step, d, reps, day(from), day(to), got, want)
					}
				}
			}
		}
	})
}

// TestRerunOfADayKeepsTheDayBefore: a forced rerun of a day with the lists
// unchanged leaves the last listings as they were, one that drops a doctor
// gives that doctor back the day before, and a doctor on no list has no row.
func TestRerunOfADayKeepsTheDayBefore(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, s *models.Store) {
		ctx := context.Background()
		save := func(day string, ids ...uint) {
			t.Helper()
			if _, err := s.Ranking.SaveRecommendations(ctx, day, map[uint][]models.Recommendation{1: listOf(ids...)}, true); err != nil {
				t.Fatal(err)
			}
		}
		save("2026-11-02", 10, 11)
		save("2026-11-03", 10, 11)
		save("2026-11-03", 10, 11)
		var rows []models.LastListing
		s.DB(ctx).Order("doctor_id").Find(&rows)
		if len(rows) != 2 || rows[0] != (models.LastListing{RepID: 1, DoctorID: 10, LastDay: "2026-11-03", PrevDay: "2026-11-02"}) {
			t.Fatalf("listings %+v", rows)
		}
		save("2026-11-03", 10)
		got, err := s.Ranking.LastListed(ctx, nil, "2026-10-01", "2026-11-30")
		if err != nil || got[10] != "2026-11-03" || got[11] != "2026-11-02" {
			t.Fatalf("after dropping 11 from 11-03: %v %v", got, err)
		}
		save("2026-11-02", 10)
		if got, _ := s.Ranking.LastListed(ctx, nil, "2026-10-01", "2026-11-30"); len(got) != 1 {
			t.Fatalf("11 is on no list, yet listed: %v", got)
		}
		var n int64
		s.DB(ctx).Model(&models.LastListing{}).Where("doctor_id = 11").Count(&n)
		if n != 0 {
			t.Errorf("a doctor on no list keeps %d listing rows", n)
		}
	})
}

// TestMigrationFoldsTheStoredLists: a database at 0010 with weeks of lists
// migrated to 0011 answers LastListed from its new table as its lists do.
func TestMigrationFoldsTheStoredLists(t *testing.T) {
	modelstest.EachDriver(t, func(t *testing.T, driver string) {
		ctx := context.Background()
		s := openBare(t, driver, modelstest.NewDSN(t, driver))
		var ids []string
		for _, id := range knownMigrations(t) {
			if id >= "0011" {
				break
			}
			body, err := fs.ReadFile(models.MigrationFiles(), "migrations/"+id+"."+driver+".sql")
			if err != nil {
				t.Fatal(err)
			}
			for _, stmt := range models.SplitStatements(string(body)) {
				if err := s.DB(ctx).Exec(stmt).Error; err != nil {
					t.Fatalf("%s: %v", id, err)
				}
			}
			ids = append(ids, "('"+id+"')")
		}
		for _, stmt := range []string{
			"CREATE TABLE schema_migrations (id varchar(64), PRIMARY KEY (id))",
			"INSERT INTO schema_migrations (id) VALUES " + strings.Join(ids, ","),
			"INSERT INTO recommendations (rep_id, day, doctor_id, `rank`, kind, score, heat) VALUES " +
				"(1,'2026-11-02',10,1,'ranked',0,0),(1,'2026-11-05',10,1,'ranked',0,0),(1,'2026-11-09',10,1,'ranked',0,0)," +
				"(1,'2026-11-05',11,2,'ranked',0,0),(2,'2026-11-06',10,1,'ranked',0,0)",
		} {
			if err := s.DB(ctx).Exec(stmt).Error; err != nil {
				t.Fatal(err)
			}
		}
		if err := s.Migrate(ctx); err != nil {
			t.Fatalf("migrate 0010 → now: %v", err)
		}
		var rows []models.LastListing
		s.DB(ctx).Order("rep_id, doctor_id").Find(&rows)
		want := []models.LastListing{
			{RepID: 1, DoctorID: 10, LastDay: "2026-11-09", PrevDay: "2026-11-05"},
			{RepID: 1, DoctorID: 11, LastDay: "2026-11-05"},
			{RepID: 2, DoctorID: 10, LastDay: "2026-11-06"},
		}
		if fmt.Sprint(rows) != fmt.Sprint(want) {
			t.Fatalf("listings after the migration %+v, want %+v", rows, want)
		}
		for _, to := range []string{"2026-11-04", "2026-11-08", "2026-11-30"} {
			got, _ := s.Ranking.LastListed(ctx, []uint{1}, "2026-10-01", to)
			want, _ := s.Ranking.LastListedFromLists(ctx, []uint{1}, "2026-10-01", to)
			if !maps.Equal(got, want) {
				t.Errorf("up to %s: %v, the lists say %v", to, got, want)
			}
		}
	})
}
