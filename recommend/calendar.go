package recommend

import (
	"context"
	"time"

	"visitbot/clock"
	"visitbot/ranking"
)

// loadCalendar infers the series calendar of the consecutive rules' kinds
// from everyone's signals up to asOf (one grouped query): a day is an
// episode of a series when someone attended it that day.
func (s *Service) loadCalendar(ctx context.Context, asOf time.Time) (*ranking.Calendar, error) {
	classes, kinds := s.scorer.SeriesKinds()
	if len(kinds) == 0 {
		return nil, nil
	}
	rows, err := s.store.Ranking.EventHours(ctx, classes, kinds, asOf.AddDate(0, 0, -s.scorer.CalendarDays()), asOf)
	if err != nil {
		return nil, err
	}
	events := make([]ranking.Event, len(rows))
	for i, r := range rows {
		day := clock.Day(time.Unix(r.Hour*3600, 0), s.loc)
		events[i] = ranking.Event{Kind: r.Kind, Series: ranking.SeriesName(r.Detail), Day: day}
	}
	return ranking.NewCalendar(events, s.loc), nil
}
