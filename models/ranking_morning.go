package models

import (
	"fmt"
	"time"
)

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
