package clock

import (
	"fmt"

	"github.com/robfig/cron/v3"
)

// cronParser reads the specs of jobs.<name>.schedule: five fields (minute
// hour day-of-month month day-of-week) or a descriptor (@daily).
var cronParser = cron.NewParser(cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow | cron.Descriptor)

// ParseSchedule is the one cron parser of visitbot (configuration
// validation and the scheduler both use it, so they never disagree). The
// schedule's hours are wall-clock hours of whatever zone Next is given.
func ParseSchedule(spec string) (cron.Schedule, error) {
	s, err := cronParser.Parse(spec)
	if err != nil {
		return nil, fmt.Errorf("invalid cron spec %q: %w", spec, err)
	}
	return s, nil
}
