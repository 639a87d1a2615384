package models

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// LastListing is, for one rep and one doctor, the two newest days the doctor
// was on the rep's list. SaveRecommendations keeps it in the transaction that
// writes the lists, so the morning run reads one row per pair for the
// call-target clock (LastListed) instead of the weeks of lists the contact
// window spans (issue 18: at 600 reps, 60 days of lists are 180,000 rows).
// Two days, not one: a forced rerun of a day must see the day before it.
type LastListing struct {
	RepID    uint   `gorm:"primaryKey;autoIncrement:false"`
	DoctorID uint   `gorm:"primaryKey;autoIncrement:false"`
	LastDay  string `gorm:"size:10;not null"`
	PrevDay  string `gorm:"size:10;not null;default:''"` // "" when listed on one day only
}

// listingPair names a rep's doctor.
type listingPair struct{ rep, doctor uint }

// add records day as a day the doctor was listed.
func (l *LastListing) add(day string) {
	switch {
	case day == l.LastDay || day == l.PrevDay:
	case day > l.LastDay:
		l.PrevDay, l.LastDay = l.LastDay, day
	case day > l.PrevDay:
		l.PrevDay = day
	}
}

// newestUpTo returns the newest listed day ≤ to ("" none), and false when
// the two days kept cannot tell: both are after to and an older day may
// exist (a replay of a past day), which only the lists answer.
func (l LastListing) newestUpTo(to string) (string, bool) {
	switch {
	case l.LastDay <= to:
		return l.LastDay, true
	case l.PrevDay == "":
		return "", true
	case l.PrevDay <= to:
		return l.PrevDay, true
	}
	return "", false
}

// listingsPerStatement bounds the pairs one statement of relist names
// (spelled as integer literals, grouped by rep).
const listingsPerStatement = 500

// pairsWhere is a condition matching exactly pairs: "(rep_id = r AND
// doctor_id IN (…)) OR …", with the ids as literals (they are integers). Every
// dialect serves it from an index led by rep_id (the key of last_listings,
// ux_rec of recommendations), and it is spelled the same on SQLite, MySQL
// and TiDB, which a row-value IN list is not. No pairs match nothing.
func pairsWhere(pairs []listingPair) string {
	if len(pairs) == 0 {
		return "1 = 0"
	}
	sorted := slices.Clone(pairs)
	slices.SortFunc(sorted, func(a, b listingPair) int {
		return cmp.Or(cmp.Compare(a.rep, b.rep), cmp.Compare(a.doctor, b.doctor))
	})
	var terms []string
	for i := 0; i < len(sorted); {
		rep, doctors := sorted[i].rep, []uint{}
		for ; i < len(sorted) && sorted[i].rep == rep; i++ {
			doctors = append(doctors, sorted[i].doctor)
		}
		terms = append(terms, "(rep_id = "+strconv.FormatUint(uint64(rep), 10)+" AND doctor_id IN ("+idList(doctors)+"))")
	}
	return strings.Join(terms, " OR ")
}

// listingCols are the columns of last_listings.
var listingCols = []string{"rep_id", "doctor_id", "last_day", "prev_day"}

// listingMerge is the upsert clause per dialect that folds a new listed day
// (the inserted last_day) into a stored listing as LastListing.add does, so
// a new day's lists cost one statement per batch and no read. prev_day is
// assigned first: MySQL assigns left to right, each after the one before,
// and prev_day needs the old last_day (SQLite reads old values throughout).
var listingMerge = map[string]string{
	"sqlite": " ON CONFLICT (`rep_id`, `doctor_id`) DO UPDATE SET " +
		"`prev_day` = CASE WHEN excluded.`last_day` > `last_day` THEN `last_day` " +
		"WHEN excluded.`last_day` < `last_day` AND excluded.`last_day` > `prev_day` THEN excluded.`last_day` ELSE `prev_day` END, " +
		"`last_day` = MAX(`last_day`, excluded.`last_day`)",
	"mysql": " ON DUPLICATE KEY UPDATE " +
		"`prev_day` = CASE WHEN VALUES(`last_day`) > `last_day` THEN `last_day` " +
		"WHEN VALUES(`last_day`) < `last_day` AND VALUES(`last_day`) > `prev_day` THEN VALUES(`last_day`) ELSE `prev_day` END, " +
		"`last_day` = GREATEST(`last_day`, VALUES(`last_day`))",
}

// updateListings brings the last listings of the pairs added to day's
// lists and of those removed from them (a forced rerun; the two are
// disjoint) up to date, inside the caller's transaction: an added pair
// gains day in the database itself (listingMerge); a removed one is read
// again from the lists (relist).
func (s *RankingStore) updateListings(ctx context.Context, day string, added, removed []listingPair) error {
	if err := s.relist(ctx, removed); err != nil {
		return err
	}
	err := insertRowsThen(ctx, s.db, "last_listings", listingCols, listingMerge, len(added), func(i int, dst []any) []any {
		return append(dst, added[i].rep, added[i].doctor, day, "")
	})
	if err != nil {
		return fmt.Errorf("last listings of %s: %w", day, err)
	}
	return nil
}

// relist rewrites the last listings of the pairs from the lists as they now
// stand: a pair on no list loses its row.
func (s *RankingStore) relist(ctx context.Context, pairs []listingPair) error {
	for part := range slices.Chunk(pairs, listingsPerStatement) {
		where := pairsWhere(part)
		var rows []Recommendation
		if err := s.db.WithContext(ctx).Select("rep_id, doctor_id, day").Where(where).Find(&rows).Error; err != nil {
			return fmt.Errorf("relist removed doctors: %w", err)
		}
		next := map[listingPair]*LastListing{}
		var write []*LastListing
		for _, r := range rows {
			p := listingPair{r.RepID, r.DoctorID}
			l := next[p]
			if l == nil {
				l = &LastListing{RepID: p.rep, DoctorID: p.doctor}
				next[p] = l
				write = append(write, l)
			}
			l.add(r.Day)
		}
		if err := s.db.WithContext(ctx).Where(where).Delete(&LastListing{}).Error; err != nil {
			return fmt.Errorf("relist removed doctors: %w", err)
		}
		err := insertRows(ctx, s.db, "last_listings", listingCols, len(write), func(i int, dst []any) []any {
			return append(dst, write[i].RepID, write[i].DoctorID, write[i].LastDay, write[i].PrevDay)
		})
		if err != nil {
			return fmt.Errorf("relist removed doctors: %w", err)
		}
	}
	return nil
}

// eachListing calls fn with each last listing of the reps (nil: all).
func (s *RankingStore) eachListing(ctx context.Context, reps []uint, fn func(LastListing)) error {
	q := "SELECT rep_id, doctor_id, last_day, prev_day FROM last_listings"
	if reps != nil {
		q += " WHERE rep_id IN (" + idList(reps) + ")"
	}
	rows, err := s.db.WithContext(ctx).Raw(q).Rows()
	if err != nil {
		return err
	}
	defer rows.Close()
	var l LastListing
	for rows.Next() {
		if err := rows.Scan(&l.RepID, &l.DoctorID, &l.LastDay, &l.PrevDay); err != nil {
			return err
		}
		fn(l)
	}
	return rows.Err()
}

// idList spells ids as a literal list, "1,2,3" (an empty list matches
// nothing: "NULL"): the pure-Go SQLite driver binds variables in time
// quadratic in their number, and integers need no quoting.
func idList(ids []uint) string {
	if len(ids) == 0 {
		return "NULL"
	}
	b := make([]byte, 0, 8*len(ids))
	for i, id := range ids {
		if i > 0 {
			b = append(b, ',')
		}
		b = strconv.AppendUint(b, uint64(id), 10)
	}
	return string(b)
}

// LastListed returns, per doctor, the newest day in [from, to] the doctor
// was on a list of one of the reps (nil = every rep with a list): what makes
// a doctor recommended but not visited wait, and restarts the call-target
// clock. It reads the last listings, one row per rep and doctor; when a pair's
// two days are both after to (a replay of a past day) it reads the lists.
func (s *RankingStore) LastListed(ctx context.Context, repIDs []uint, from, to string) (map[uint]string, error) {
	out := map[uint]string{}
	exact := false
	err := chunked(repIDs, func(part []uint) error {
		return s.eachListing(ctx, part, func(l LastListing) {
			day, ok := l.newestUpTo(to)
			switch {
			case !ok:
				exact = true
			case day != "" && day >= from:
				out[l.DoctorID] = max(out[l.DoctorID], day)
			}
		})
	})
	if err != nil {
		return nil, fmt.Errorf("last listed %s..%s: %w", from, to, err)
	}
	if exact {
		return s.lastListedFromLists(ctx, repIDs, from, to)
	}
	return out, nil
}

// lastListedFromLists is LastListed read from the lists themselves.
func (s *RankingStore) lastListedFromLists(ctx context.Context, repIDs []uint, from, to string) (map[uint]string, error) {
	out := map[uint]string{}
	type row struct {
		DoctorID uint
		Day      string
	}
	err := chunked(repIDs, func(part []uint) error {
		var rows []row
		q := whereIn(s.db.WithContext(ctx).Model(&Recommendation{}), "rep_id", part).
			Select("doctor_id, MAX(day) AS day").Where("day >= ? AND day <= ?", from, to).Group("doctor_id")
		if err := q.Scan(&rows).Error; err != nil {
			return err
		}
		for _, r := range rows {
			out[r.DoctorID] = max(out[r.DoctorID], r.Day)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("last listed %s..%s from the lists: %w", from, to, err)
	}
	return out, nil
}
