package models

import (
	"context"
	"fmt"
)

// RecentRouteKM returns, per rep, the route km of the rep's lists of the
// days from..to (inclusive), newest first: what a day's travel allowance
// averages (ranking.RouteOptions.Allowance). Each row of a list stores the
// day's route_km; the first row (`rank` 1, through the (rep_id, day, rank)
// index) is read. reps nil reads every rep; a list stored before migration
// 0012 (route_km NULL) counts as no day.
func (s *RankingStore) RecentRouteKM(ctx context.Context, reps []uint, from, to string) (map[uint][]float64, error) {
	out := map[uint][]float64{}
	err := chunked(reps, func(part []uint) error {
		q := "SELECT rep_id, route_km FROM recommendations" + s.db.indexedBy("ix_rec_rank") +
			" WHERE `rank` = 1 AND day >= ? AND day <= ? AND route_km IS NOT NULL"
		if part != nil {
			q += " AND rep_id IN (" + idList(part) + ")"
		}
		// Chunks hold disjoint reps, so each rep's days arrive together, newest first.
		rows, err := s.db.WithContext(ctx).Raw(q+" ORDER BY rep_id, day DESC", from, to).Rows()
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var rep uint
			var km float64
			if err := rows.Scan(&rep, &km); err != nil {
				return err
			}
			out[rep] = append(out[rep], km)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("route km %s..%s: %w", from, to, err)
	}
	return out, nil
}

// indexedBy names the index a query on a table must use (after the table
// name): SQLite's INDEXED BY, MySQL's and TiDB's USE INDEX. SQLite plans
// without statistics and takes the first index that matches the leading
// columns. MariaDB's statistics chose the same wrong one for RecentRouteKM:
// (rep_id, day, doctor_id), checking `rank` in each row of the window
// rather than in the (rep_id, day, rank) index, about 3× the server's CPU
// for a push shard (BENCHMARKS.md, "Eighth pass").
func (h *Handle) indexedBy(index string) string {
	if h.driver != "sqlite" {
		return " USE INDEX (`" + index + "`)"
	}
	return " INDEXED BY `" + index + "`"
}
