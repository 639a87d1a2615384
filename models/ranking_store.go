package models

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"time"

	"gorm.io/gorm"
)

// inChunk bounds the ids of one IN (...) list. The pure-Go SQLite driver
// matches every bound variable against every argument (a statement costs
// O(variables²), see BENCHMARKS.md "Seeding"), so lists stay at a few hundred.
const inChunk = 500

// Rows per multi-row INSERT of tier changes (6 columns), keeping each
// statement under ~800 variables for the same reason.
const tierChangeBatch = 120

// chunked runs fn over ids in slices of at most inChunk. nil ids means "no
// filter": fn runs once with nil.
func chunked(ids []uint, fn func(part []uint) error) error {
	if ids == nil {
		return fn(nil)
	}
	for part := range slices.Chunk(ids, inChunk) {
		if err := fn(part); err != nil {
			return err
		}
	}
	return nil
}

// whereIn adds "col IN part" unless part is nil (no filter).
func whereIn(q *gorm.DB, col string, part []uint) *gorm.DB {
	if part == nil {
		return q
	}
	return q.Where(col+" IN ?", part)
}

// RankingAssignments lists the assignments of the given reps (nil = every rep),
// ordered by rep and doctor.
func (s *RankingStore) RankingAssignments(ctx context.Context, repIDs []uint) ([]Assignment, error) {
	var out []Assignment
	err := chunked(repIDs, func(part []uint) error {
		rows, err := whereIn(s.db.WithContext(ctx).Model(&Assignment{}), "rep_id", part).Select("rep_id, doctor_id").Order("rep_id, doctor_id").Rows()
		if err != nil {
			return err
		}
		defer rows.Close()
		// One row's scan targets for the whole scan: 30,000 rows would
		// otherwise allocate 30,000 of each.
		var a Assignment
		dst := []any{uintCol{&a.RepID}, uintCol{&a.DoctorID}}
		for rows.Next() {
			if err := rows.Scan(dst...); err != nil {
				return err
			}
			out = append(out, a)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("load assignments: %w", err)
	}
	return out, nil
}

// rankingDoctorColumns are the Doctor columns ranking and its views read
// (not the bookkeeping timestamps: 30,000 rows × 2 parsed times add up).
const rankingDoctorColumns = "id, external_id, name, hospital_id, department, title, is_kol, roles, legacy_tier, tier, heat, heat_at, heat_day"

// RankingDoctors loads doctors by id (nil = all doctors), without CreatedAt/UpdatedAt.
func (s *RankingStore) RankingDoctors(ctx context.Context, ids []uint) ([]Doctor, error) {
	var out []Doctor
	err := chunked(ids, func(part []uint) error {
		var rows []Doctor
		err := whereIn(s.db.WithContext(ctx), "id", part).Select(rankingDoctorColumns).Order("id").Find(&rows).Error
		out = append(out, rows...)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("load doctors: %w", err)
	}
	return out, nil
}

// RankingHospitals loads every hospital (a city has hundreds, not millions),
// without the bookkeeping timestamps, scanned without reflection: every
// morning run and nightly shard reads them all.
func (s *RankingStore) RankingHospitals(ctx context.Context) ([]Hospital, error) {
	rows, err := s.db.WithContext(ctx).Model(&Hospital{}).Select("id, external_id, name, level, city, lat, lng").Order("id").Rows()
	if err != nil {
		return nil, fmt.Errorf("load hospitals: %w", err)
	}
	defer rows.Close()
	var out []Hospital
	for rows.Next() {
		var h Hospital
		var city sql.NullString
		var lat, lng sql.NullFloat64
		if err := rows.Scan(uintCol{&h.ID}, &h.ExternalID, &h.Name, &h.Level, &city, &lat, &lng); err != nil {
			return nil, fmt.Errorf("load hospitals: %w", err)
		}
		h.City, h.Lat, h.Lng = city.String, lat.Float64, lng.Float64
		out = append(out, h)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("load hospitals: %w", err)
	}
	return out, nil
}

// SessionsOn loads the clinic sessions that can fall on day (the weekly ones
// of its weekday, 1=Mon … 7=Sun, and the ones dated day) for the doctors
// without their ids, and the day's cancellations (停诊).
func (s *RankingStore) SessionsOn(ctx context.Context, doctors DoctorSet, day string) ([]ClinicSession, []ClinicCancellation, error) {
	wd, err := sessionWeekday(day)
	if err != nil {
		return nil, nil, err
	}
	var sessions []ClinicSession
	var cancels []ClinicCancellation
	err = doctors.each(func(where func(*gorm.DB, string) *gorm.DB) error {
		rows, err := where(s.db.WithContext(ctx).Model(&ClinicSession{}), "doctor_id").
			Where(sessionOnDay, wd, day).Select("doctor_id, weekday, day, period").Rows()
		if err != nil {
			return err
		}
		defer rows.Close()
		var ss []ClinicSession
		var c ClinicSession
		dst := []any{uintCol{&c.DoctorID}, &c.Weekday, &c.Day, &c.Period} // reused by every row
		for rows.Next() {
			if err := rows.Scan(dst...); err != nil {
				return err
			}
			ss = append(ss, c)
		}
		if err := rows.Err(); err != nil {
			return err
		}
		var cs []ClinicCancellation
		if err := where(s.db.WithContext(ctx), "doctor_id").Where("day = ?", day).Find(&cs).Error; err != nil {
			return err
		}
		sessions, cancels = append(sessions, ss...), append(cancels, cs...)
		return nil
	})
	if err != nil {
		return nil, nil, fmt.Errorf("load sessions on %s: %w", day, err)
	}
	return sessions, cancels, nil
}

// SignalsSince loads the signals of the doctors (nil = all) of the given
// classes (nil = all) that occurred in [since, until], with only the columns
// ranking reads, scanned row by row: the biggest load of a ranking run.
func (s *RankingStore) SignalsSince(ctx context.Context, doctorIDs []uint, classes []string, since, until time.Time) ([]Signal, error) {
	var out []Signal
	err := s.EachSignal(ctx, doctorIDs, classes, since, until, func(r SignalRow) {
		out = append(out, Signal{DoctorID: r.DoctorID, Class: r.Class, Kind: r.Kind, Value: r.Value, OccurredAt: r.At})
	})
	return out, err
}

// SignalRow is one signal as ranking reads it.
type SignalRow struct {
	DoctorID    uint
	Class, Kind string
	Value       float64
	At          time.Time
}

// EachSignal streams what SignalsSince returns to fn, row by row, without
// holding the rows: the nightly scoring keeps only its own compact copy of
// a shard's signals (hundreds of thousands). Class and kind strings are
// shared between rows (a handful of distinct values).
func (s *RankingStore) EachSignal(ctx context.Context, doctorIDs []uint, classes []string, since, until time.Time, fn func(SignalRow)) error {
	names := map[string]string{}
	intern := func(b sql.RawBytes) string {
		if v, ok := names[string(b)]; ok {
			return v
		}
		v := string(b)
		names[v] = v
		return v
	}
	err := chunked(doctorIDs, func(part []uint) error {
		q := whereIn(s.db.WithContext(ctx).Model(&Signal{}), "doctor_id", part).
			Select("doctor_id, class, kind, value, "+s.epochSeconds("occurred_at")).
			Where("occurred_at >= ? AND occurred_at <= ?", since.UTC(), until.UTC())
		if classes != nil {
			q = q.Where("class IN ?", classes)
		}
		rows, err := q.Rows()
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var r SignalRow
			var class, kind sql.RawBytes
			var sec int64
			if err := rows.Scan(uintCol{&r.DoctorID}, &class, &kind, &r.Value, &sec); err != nil {
				return err
			}
			r.Class, r.Kind, r.At = intern(class), intern(kind), time.Unix(sec, 0).UTC()
			fn(r)
		}
		return rows.Err()
	})
	if err != nil {
		return fmt.Errorf("load signals: %w", err)
	}
	return nil
}

// epochSeconds is the SQL for a DATETIME column as Unix seconds (UTC):
// scanning integers is several times cheaper than parsing time strings, and
// signal decay needs no sub-second precision. Instants are stored in UTC, so
// MySQL's TIMESTAMPDIFF from the epoch needs no session time zone.
func (s *RankingStore) epochSeconds(col string) string {
	if s.db.driver == "mysql" {
		return "TIMESTAMPDIFF(SECOND, '1970-01-01 00:00:00', " + col + ")"
	}
	return "CAST(strftime('%s', " + col + ") AS INTEGER)"
}

// FlowByDepartment loads monthly flow quantities from month fromMonth
// ("2026-05") on, summed over products per hospital department (ProductID 0):
// the grain of the prescription trend.
func (s *RankingStore) FlowByDepartment(ctx context.Context, fromMonth string) ([]FlowRecord, error) {
	var out []FlowRecord
	err := s.db.WithContext(ctx).Model(&FlowRecord{}).
		Select("hospital_id, department, month, SUM(quantity) AS quantity").
		Where("month >= ?", fromMonth).Group("hospital_id, department, month").Scan(&out).Error
	if err != nil {
		return nil, fmt.Errorf("load flow data: %w", err)
	}
	return out, nil
}

// SignalStat counts one doctor's signals of a class in a window: all of
// them, and those with a positive value.
type SignalStat struct {
	DoctorID uint
	Positive int
	Total    int
}

// SignalStats aggregates the signals of class in [since, until] per doctor (nil = all).
func (s *RankingStore) SignalStats(ctx context.Context, doctorIDs []uint, class string, since, until time.Time) (map[uint]SignalStat, error) {
	out := map[uint]SignalStat{}
	err := chunked(doctorIDs, func(part []uint) error {
		var rows []SignalStat
		q := whereIn(s.db.WithContext(ctx).Model(&Signal{}), "doctor_id", part).
			Select("doctor_id, SUM(CASE WHEN value > 0 THEN 1 ELSE 0 END) AS positive, COUNT(*) AS total").
			Where("class = ? AND occurred_at >= ? AND occurred_at <= ?", class, since.UTC(), until.UTC()).Group("doctor_id")
		if err := q.Scan(&rows).Error; err != nil {
			return err
		}
		for _, r := range rows {
			out[r.DoctorID] = r
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("signal stats: %w", err)
	}
	return out, nil
}

// VisitStat sums one doctor's visits (by any rep) in a window: the newest day
// met (checked in or completed), how many were met and how many were tried
// (met or skipped).
type VisitStat struct {
	DoctorID uint
	LastMet  string
	Met      int
	Attempts int
}

// VisitStats aggregates visits with from <= day <= to for the doctors (nil = all).
func (s *RankingStore) VisitStats(ctx context.Context, doctorIDs []uint, from, to string) (map[uint]VisitStat, error) {
	return s.VisitStatsOf(ctx, DoctorsByID(doctorIDs), from, to)
}

// VisitStatsOf is VisitStats for a set of doctors.
func (s *RankingStore) VisitStatsOf(ctx context.Context, doctors DoctorSet, from, to string) (map[uint]VisitStat, error) {
	out := map[uint]VisitStat{}
	err := doctors.each(func(where func(*gorm.DB, string) *gorm.DB) error {
		var rows []VisitStat
		q := where(s.db.WithContext(ctx).Model(&Visit{}), "doctor_id").
			Select(`doctor_id,
				COALESCE(MAX(CASE WHEN status IN ? THEN day END), '') AS last_met,
				SUM(CASE WHEN status IN ? THEN 1 ELSE 0 END) AS met,
				SUM(CASE WHEN status IN ? THEN 1 ELSE 0 END) AS attempts`,
				[]string{VisitCheckedIn, VisitCompleted}, []string{VisitCheckedIn, VisitCompleted},
				[]string{VisitCheckedIn, VisitCompleted, VisitSkipped}).
			Where("day >= ? AND day <= ?", from, to).Group("doctor_id")
		if err := q.Scan(&rows).Error; err != nil {
			return err
		}
		for _, r := range rows {
			out[r.DoctorID] = r
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("visit stats: %w", err)
	}
	return out, nil
}

// OpenMustVisits lists the must-visits and follow-ups of the reps (nil = all)
// due on or before day and not done, oldest due first.
func (s *RankingStore) OpenMustVisits(ctx context.Context, repIDs []uint, day string) ([]MustVisit, error) {
	var out []MustVisit
	err := chunked(repIDs, func(part []uint) error {
		var rows []MustVisit
		err := whereIn(s.db.WithContext(ctx), "rep_id", part).
			Where("due_day <= ? AND done_at IS NULL", day).Order("due_day, id").Find(&rows).Error
		out = append(out, rows...)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("load must-visits: %w", err)
	}
	return out, nil
}

// BestProductMatch is, per doctor (nil = all), the best DoctorProduct.Match.
func (s *RankingStore) BestProductMatch(ctx context.Context, doctorIDs []uint) (map[uint]float64, error) {
	out := map[uint]float64{}
	err := chunked(doctorIDs, func(part []uint) error {
		var rows []struct {
			DoctorID uint
			Best     float64
		}
		q := whereIn(s.db.WithContext(ctx).Model(&DoctorProduct{}), "doctor_id", part).
			Select("doctor_id, MAX(`match`) AS best").Group("doctor_id")
		if err := q.Scan(&rows).Error; err != nil {
			return err
		}
		for _, r := range rows {
			out[r.DoctorID] = r.Best
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("load product match: %w", err)
	}
	return out, nil
}

// Recommendations lists a rep's recommendations for day by rank.
func (s *RankingStore) Recommendations(ctx context.Context, repID uint, day string) ([]Recommendation, error) {
	var out []Recommendation
	if err := s.db.WithContext(ctx).Where("rep_id = ? AND day = ?", repID, day).Order("`rank`, id").Find(&out).Error; err != nil {
		return nil, fmt.Errorf("recommendations of rep %d on %s: %w", repID, day, err)
	}
	return out, nil
}

// RecommendedReps is the set of reps (among repIDs; nil = all) that already
// have recommendations for day.
func (s *RankingStore) RecommendedReps(ctx context.Context, repIDs []uint, day string) (map[uint]bool, error) {
	out := map[uint]bool{}
	err := chunked(repIDs, func(part []uint) error {
		var ids []uint
		err := whereIn(s.db.WithContext(ctx).Model(&Recommendation{}), "rep_id", part).
			Where("day = ?", day).Distinct("rep_id").Pluck("rep_id", &ids).Error
		for _, id := range ids {
			out[id] = true
		}
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("recommended reps on %s: %w", day, err)
	}
	return out, nil
}

// SaveRecommendations stores the day's list of each rep in byRep in one
// transaction. A rep that already has a list for day keeps it unless force,
// in which case the old list is replaced; either way nothing is half-written.
// It returns the reps whose list was written (an empty list is written only
// when it replaces a stored one). Rows get RepID and Day set.
func (s *RankingStore) SaveRecommendations(ctx context.Context, day string, byRep map[uint][]Recommendation, force bool) ([]uint, error) {
	reps := make([]uint, 0, len(byRep))
	for id := range byRep {
		reps = append(reps, id)
	}
	slices.Sort(reps)
	var written []uint
	err := s.db.Tx(ctx, func(ctx context.Context) error {
		have, err := s.RecommendedReps(ctx, reps, day)
		if err != nil {
			return err
		}
		var drop []uint
		var rows []Recommendation
		for _, id := range reps {
			switch {
			case have[id] && !force:
				continue
			case have[id]:
				drop = append(drop, id) // forced: replaced, even by an empty list
			case len(byRep[id]) == 0:
				continue // nothing to store
			}
			for _, r := range byRep[id] {
				r.ID, r.RepID, r.Day = 0, id, day
				rows = append(rows, r)
			}
			written = append(written, id)
		}
		removed, err := s.replaceLists(ctx, day, drop, rows)
		if err != nil {
			return err
		}
		if err := s.insertRecommendations(ctx, rows); err != nil {
			return err
		}
		added := make([]listingPair, len(rows))
		for i, r := range rows {
			added[i] = listingPair{r.RepID, r.DoctorID}
		}
		return s.updateListings(ctx, day, added, removed)
	})
	if err != nil {
		return nil, fmt.Errorf("save recommendations for %s: %w", day, err)
	}
	return written, nil
}

// replaceLists deletes the day's lists of the reps in drop (a forced rerun)
// and returns the doctors they held that rows do not list again, whose last
// listings must be read anew.
func (s *RankingStore) replaceLists(ctx context.Context, day string, drop []uint, rows []Recommendation) ([]listingPair, error) {
	if len(drop) == 0 {
		return nil, nil
	}
	kept := make(map[listingPair]bool, len(rows))
	for _, r := range rows {
		kept[listingPair{r.RepID, r.DoctorID}] = true
	}
	var removed []listingPair
	err := chunked(drop, func(part []uint) error {
		held, err := s.db.WithContext(ctx).Raw("SELECT rep_id, doctor_id FROM recommendations WHERE rep_id IN ("+idList(part)+") AND day = ?", day).Rows()
		if err != nil {
			return err
		}
		defer held.Close()
		for held.Next() {
			var p listingPair
			if err := held.Scan(&p.rep, &p.doctor); err != nil {
				return err
			}
			if !kept[p] {
				removed = append(removed, p)
			}
		}
		if err := held.Err(); err != nil {
			return err
		}
		return s.db.WithContext(ctx).Where("day = ? AND rep_id IN ?", day, part).Delete(&Recommendation{}).Error
	})
	if err != nil {
		return nil, fmt.Errorf("replace recommendations: %w", err)
	}
	return removed, nil
}

// recommendationCols are the columns insertRecommendations writes.
var recommendationCols = []string{"rep_id", "day", "doctor_id", "rank", "kind", "score", "heat", "period", "distance_m", "route_km", "reasons", "breakdown", "created_at"}

// insertRecommendations writes rows without reading the ids back (GORM's
// batch create asks for them, a query per batch and its scanning): no
// caller needs them.
func (s *RankingStore) insertRecommendations(ctx context.Context, rows []Recommendation) error {
	now := s.db.clock.Now().UTC()
	return insertRows(ctx, s.db, "recommendations", recommendationCols, len(rows), func(i int, dst []any) []any {
		r := rows[i]
		var km any // NULL, or a float64 the SQLite literal writer spells (it sends a *float64 down the slow bound path)
		if r.RouteKM != nil {
			km = *r.RouteKM
		}
		return append(dst, r.RepID, r.Day, r.DoctorID, r.Rank, r.Kind, r.Score, r.Heat, r.Period, r.DistanceM, km, r.Reasons, r.Breakdown, now)
	})
}

// DoctorScore is one doctor's nightly heat and dynamic tier.
type DoctorScore struct {
	DoctorID uint
	Heat     float64
	Tier     string
}

// scoreBatch is how many doctors one UPDATE … CASE statement rewrites
// (5 variables each: under ~800 per statement, see inChunk).
const scoreBatch = 150

// UpdateDoctorScores writes Heat, Tier, HeatAt=at and HeatDay=day (the
// business day the scores are for) for every score in batched CASE updates
// inside one transaction, so 30,000 doctors take 200 statements and a reader
// never sees half a night's scores. A doctor already scored for a later day
// keeps that newer snapshot: rescoring a past day rewrites its history only.
func (s *RankingStore) UpdateDoctorScores(ctx context.Context, scores []DoctorScore, at time.Time, day string) error {
	err := s.db.Tx(ctx, func(ctx context.Context) error {
		for part := range slices.Chunk(scores, scoreBatch) {
			var heat, tier strings.Builder
			args := make([]any, 0, 4*len(part)+4)
			ids := make([]uint, len(part))
			heat.WriteString("CASE id")
			for i, sc := range part {
				heat.WriteString(" WHEN ? THEN ?")
				args = append(args, sc.DoctorID, sc.Heat)
				ids[i] = sc.DoctorID
			}
			heat.WriteString(" END")
			tier.WriteString("CASE id")
			for _, sc := range part {
				tier.WriteString(" WHEN ? THEN ?")
				args = append(args, sc.DoctorID, sc.Tier)
			}
			tier.WriteString(" END")
			args = append(args, at.UTC(), day, ids, day)
			sql := "UPDATE doctors SET heat = " + heat.String() + ", tier = " + tier.String() + ", heat_at = ?, heat_day = ?" +
				" WHERE id IN ? AND (heat_day IS NULL OR heat_day <= ?)"
			if err := s.db.WithContext(ctx).Exec(sql, args...).Error; err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("update doctor scores: %w", err)
	}
	return nil
}

// TierChangesOn lists the tier changes recorded on day.
func (s *RankingStore) TierChangesOn(ctx context.Context, day string) ([]TierChange, error) {
	var out []TierChange
	if err := s.db.WithContext(ctx).Where("day = ?", day).Order("doctor_id").Find(&out).Error; err != nil {
		return nil, fmt.Errorf("tier changes on %s: %w", day, err)
	}
	return out, nil
}

// RisingDoctors lists the rising-doctor events (moves up a tier) recorded
// from day since on, newest first: the feed of "rising doctor" alerts.
func (s *RankingStore) RisingDoctors(ctx context.Context, since string) ([]TierChange, error) {
	return s.RisingDoctorsOf(ctx, since, AllDoctors())
}

// RisingDoctorsOf is RisingDoctors for the given doctors only, newest
// first, by doctor on the same day. A push shard asks for its own ≈ 7,500
// doctors (DoctorsOfReps) instead of reading the whole country's moves once
// per shard (40 times a morning at national scale); the database picks the
// index by the history's size (BENCHMARKS.md, "Eighth pass").
func (s *RankingStore) RisingDoctorsOf(ctx context.Context, since string, doctors DoctorSet) ([]TierChange, error) {
	var out []TierChange
	err := doctors.each(func(where func(*gorm.DB, string) *gorm.DB) error {
		var rows []TierChange
		if err := where(s.db.WithContext(ctx).Where("rising = ? AND day >= ?", true, since), "doctor_id").
			Order("day DESC, doctor_id").Find(&rows).Error; err != nil {
			return err
		}
		out = append(out, rows...)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("rising doctors since %s: %w", since, err)
	}
	if !doctors.All() {
		slices.SortStableFunc(out, func(a, b TierChange) int {
			return cmp.Or(cmp.Compare(b.Day, a.Day), cmp.Compare(a.DoctorID, b.DoctorID))
		})
	}
	return out, nil
}

// ReplaceTierChanges makes rows the tier history of day: earlier rows of day
// (from a previous run of the same night) are deleted first. Call it in the
// transaction that updates the doctors.
func (s *RankingStore) ReplaceTierChanges(ctx context.Context, day string, rows []TierChange) error {
	if err := s.db.WithContext(ctx).Where("day = ?", day).Delete(&TierChange{}).Error; err != nil {
		return fmt.Errorf("clear tier changes of %s: %w", day, err)
	}
	return s.insertTierChanges(ctx, day, rows)
}
