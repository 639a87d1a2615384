package models

import (
	"context"
	"fmt"
	"time"
)

// sessionOnDay selects the clinic sessions that can fall on a day: the
// weekly ones of its weekday (first argument, see sessionWeekday) and the
// ones dated the day (second).
const sessionOnDay = "(day = '' AND weekday = ?) OR day = ?"

// sessionWeekday is day's weekday as clinic sessions store it (1=Mon … 7=Sun).
func sessionWeekday(day string) (int, error) {
	t, err := time.Parse("2006-01-02", day)
	if err != nil {
		return 0, fmt.Errorf("sessions on %q: %w", day, err)
	}
	wd := int(t.Weekday())
	if wd == 0 {
		wd = 7
	}
	return wd, nil
}

// DoctorsInClinic is the set of the doctors (nil = all) with a clinic
// session that can fall on day: the nightly scoring writes notes for them
// alone, and needs neither the sessions nor the day's 停诊 (SessionsOn).
func (s *RankingStore) DoctorsInClinic(ctx context.Context, doctorIDs []uint, day string) (map[uint]bool, error) {
	wd, err := sessionWeekday(day)
	if err != nil {
		return nil, err
	}
	out := map[uint]bool{}
	err = chunked(doctorIDs, func(part []uint) error {
		var ids []uint
		err := whereIn(s.db.WithContext(ctx).Model(&ClinicSession{}), "doctor_id", part).
			Where(sessionOnDay, wd, day).Distinct().Pluck("doctor_id", &ids).Error
		for _, id := range ids {
			out[id] = true
		}
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("doctors in clinic on %s: %w", day, err)
	}
	return out, nil
}
