package recommend

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"visitbot/clock"
	"visitbot/models"
	"visitbot/ranking"
)

// calendarSetting prefixes the setting that keeps the series calendar the
// nightly scoring inferred for a day, so the morning runs of that day read
// one small row instead of grouping every attendance again; it expires
// after calendarKeep.
const (
	calendarSetting = "ranking_calendar:"
	calendarKeep    = 72 * time.Hour
)

// queryCalendar infers the series calendar of the consecutive rules' kinds
// from everyone's signals up to asOf (one grouped query): a day is an
// episode of a series when someone attended it that day.
func (s *Service) queryCalendar(ctx context.Context, asOf time.Time) (*ranking.Calendar, error) {
	classes, kinds := s.scorer.SeriesKinds()
	if len(kinds) == 0 {
		return nil, nil
	}
	start := time.Now()
	rows, err := s.store.Ranking.EventHours(ctx, classes, kinds, asOf.AddDate(0, 0, -s.scorer.CalendarDays()), asOf)
	s.observe("calendar", time.Since(start))
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

// storedCalendar is the calendar the nightly scoring kept for day, else
// one inferred now.
func (s *Service) storedCalendar(ctx context.Context, day string, asOf time.Time) (*ranking.Calendar, error) {
	if _, kinds := s.scorer.SeriesKinds(); len(kinds) == 0 {
		return nil, nil
	}
	c, err := s.readCalendar(ctx, calendarSetting+day)
	if err != nil || c != nil {
		return c, err
	}
	return s.queryCalendar(ctx, asOf)
}

// keepCalendar stores day's calendar for the day's later runs.
func (s *Service) keepCalendar(ctx context.Context, day string, c *ranking.Calendar) error {
	return s.writeCalendar(ctx, calendarSetting+day, c, calendarKeep)
}

// readCalendar is the calendar kept in setting key, nil when there is none
// or it cannot be read (the caller infers it again).
func (s *Service) readCalendar(ctx context.Context, key string) (*ranking.Calendar, error) {
	v, err := s.store.Settings.GetSetting(ctx, key)
	switch {
	case errors.Is(err, models.ErrNotFound):
		return nil, nil
	case err != nil:
		return nil, fmt.Errorf("calendar %s: %w", key, err)
	}
	var series map[string][][]string
	if json.Unmarshal([]byte(v), &series) != nil {
		return nil, nil
	}
	return ranking.CalendarOf(series, s.loc), nil
}

// writeCalendar keeps c (nothing for none) in setting key for ttl.
func (s *Service) writeCalendar(ctx context.Context, key string, c *ranking.Calendar, ttl time.Duration) error {
	if c == nil {
		return nil
	}
	b, err := json.Marshal(c.Series())
	if err != nil {
		return fmt.Errorf("calendar %s: %w", key, err)
	}
	return s.store.Settings.PutSetting(ctx, key, string(b), ttl)
}
