package models

import (
	"context"
	"fmt"
	"time"
)

// EventHour is one hour in which doctors attended events of one signal kind
// under one detail (a lecture episode): the raw material of the series
// calendar that lets consecutive rules see misses nobody recorded.
type EventHour struct {
	Kind   string
	Detail string
	// Hour is Unix seconds / 3600 (UTC), so callers bucket it into their
	// business days.
	Hour int64
}

// EventHours groups the positive signals of the classes and kinds in
// [since, until] by kind, detail and hour: one row per episode and hour,
// however many doctors attended. The class filter lets the class index
// serve the scan.
func (s *RankingStore) EventHours(ctx context.Context, classes, kinds []string, since, until time.Time) ([]EventHour, error) {
	if len(kinds) == 0 {
		return nil, nil
	}
	hour := s.epochSeconds("occurred_at") + " / 3600" // SQLite: integer division
	if s.db.driver == "mysql" {
		hour = "TIMESTAMPDIFF(HOUR, '1970-01-01 00:00:00', occurred_at)"
	}
	var out []EventHour
	err := s.db.WithContext(ctx).Model(&Signal{}).
		Select("kind, COALESCE(detail, '') AS detail, "+hour+" AS hour").
		Where("class IN ? AND kind IN ? AND value > 0 AND occurred_at >= ? AND occurred_at <= ?", classes, kinds, since.UTC(), until.UTC()).
		Group("kind, COALESCE(detail, ''), " + hour).Scan(&out).Error
	if err != nil {
		return nil, fmt.Errorf("event hours: %w", err)
	}
	return out, nil
}
