// Package simulate plays field days through the real bot: every rep gets the
// morning card, accepts (or not), checks in inside or outside the geofence
// or at an off-plan hospital, and fills the feedback form — all as console
// events through the same bot.Event path WeCom and DingTalk use. It gives
// the demo world a history (plan vs actual, feedback, follow-ups) and
// reproducible figures.
package simulate

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"time"

	"visitbot/bot"
	"visitbot/bot/console"
	"visitbot/cards"
	"visitbot/clock"
	"visitbot/config"
	"visitbot/flows"
	"visitbot/models"
	"visitbot/outbox"
	"visitbot/recommend"
)

// Options shape the simulated behaviour. Probabilities are per rep-day
// (accept) or per hospital stop (the rest).
type Options struct {
	From       string // first day, YYYY-MM-DD
	Days       int    // calendar days; weekends are skipped
	Seed       uint64
	Accept     float64 // the rep accepts the morning list
	InFence    float64 // a stop is checked in inside the geofence
	Far        float64 // a stop is checked in from too far away (else: off-plan at a community clinic)
	Feedback   float64 // a checked-in visit gets its two-step form filled
	Commitment float64 // the form records a commitment other than 无
}

// DefaultOptions behave like a team in its first weeks with visitbot.
func DefaultOptions() Options {
	return Options{Days: 14, Seed: 7, Accept: 0.92, InFence: 0.82, Far: 0.5, Feedback: 0.9, Commitment: 0.6}
}

// Env is the running system the simulation drives.
type Env struct {
	Store      *models.Store
	Clock      *clock.Fake
	Flows      *flows.Flows
	Recommend  *recommend.Service
	Console    *console.Console
	Dispatcher *outbox.Dispatcher
	Location   *time.Location
	// Jobs runs the app's scheduled jobs in simulated time (nil: none, the
	// days are only the reps' field work).
	Jobs Jobs
}

// Jobs is the app's scheduler as a simulation needs it: when a configured
// job fires next, and one firing run through the real job body, recorded in
// job_runs like any scheduled run.
type Jobs interface {
	// Next is the job's first firing after t (zero when it is disabled).
	Next(name string, after time.Time) time.Time
	// Fire runs the job's slot at t and returns its detail line.
	Fire(ctx context.Context, name string, at time.Time) (string, error)
}

// DailyJobs are the scheduled jobs a simulated day runs at their configured
// times (config jobs.*): the nightly scores (tier moves), the alert scan and
// the Monday digest — the alerts a manager finds in the demo's history.
// morning_push is the day's own first step; housekeeping would purge by
// simulated time and is left to the real one.
var DailyJobs = []string{"nightly_scores", "alert_scan", "weekly_digest"}

// ConsoleConfig is cfg with every user reached on the console: a
// simulation never sends to a real platform.
func ConsoleConfig(cfg config.Config) config.Config {
	cfg.WeCom.Enabled, cfg.DingTalk.Enabled, cfg.Console.Enabled = false, false, true
	return cfg
}

// Summary counts what happened.
type Summary struct {
	Days, Pushes, Accepted, CheckIns, Feedback int
	// JobRuns counts the scheduled jobs fired (DailyJobs); Alerts the alerts
	// they raised and AlertCards the alert cards queued to the managers.
	JobRuns, Alerts, AlertCards int
}

// Run simulates opts.Days days from opts.From.
func Run(ctx context.Context, env Env, opts Options) (Summary, error) {
	var sum Summary
	rng := rand.New(rand.NewPCG(opts.Seed, opts.Seed^0x5eed))
	start, err := clock.ParseDay(opts.From, env.Location)
	if err != nil {
		return sum, fmt.Errorf("simulate: -from: %w", err)
	}
	reps, err := env.Store.Users.Users(ctx, models.RoleRep)
	if err != nil {
		return sum, err
	}
	hospitals, err := env.Store.Visits.AllHospitals(ctx)
	if err != nil {
		return sum, err
	}
	var community []models.Hospital
	for _, h := range hospitals {
		if h.Level == models.LevelCommunity {
			community = append(community, h)
		}
	}
	alertsBefore, err := countAlerts(ctx, env)
	if err != nil {
		return sum, err
	}
	cardsBefore, err := env.Store.Cards.CountCardTasks(ctx, alertTaskKind)
	if err != nil {
		return sum, err
	}
	for i := 0; i < opts.Days; i++ {
		date := start.AddDate(0, 0, i)
		// The scheduler runs every calendar day, weekends too.
		if err := runJobs(ctx, env, date, &sum); err != nil {
			return sum, err
		}
		if wd := date.Weekday(); wd == time.Saturday || wd == time.Sunday {
			if err := release(ctx, env, date.AddDate(0, 0, 1)); err != nil {
				return sum, err
			}
			continue
		}
		day := clock.Day(date, env.Location)
		sum.Days++
		env.Clock.Set(date.Add(7*time.Hour + 25*time.Minute))
		res, err := env.Flows.MorningPush(ctx, day, nil)
		if err != nil {
			return sum, err
		}
		sum.Pushes += res.Cards
		if err := env.Dispatcher.Drain(ctx); err != nil {
			return sum, err
		}
		for _, rep := range reps {
			if !rep.Active {
				continue
			}
			if err := runRepDay(ctx, env, rng, opts, &rep, day, date, community, &sum); err != nil {
				return sum, fmt.Errorf("simulate %s on %s: %w", rep.UserID, day, err)
			}
		}
		if err := env.Dispatcher.Drain(ctx); err != nil {
			return sum, err
		}
		if err := release(ctx, env, date.AddDate(0, 0, 1)); err != nil {
			return sum, err
		}
	}
	alertsAfter, err := countAlerts(ctx, env)
	if err != nil {
		return sum, err
	}
	cardsAfter, err := env.Store.Cards.CountCardTasks(ctx, alertTaskKind)
	if err != nil {
		return sum, err
	}
	sum.Alerts, sum.AlertCards = int(alertsAfter-alertsBefore), int(cardsAfter-cardsBefore)
	return sum, nil
}

// alertTaskKind is the card task kind of an alert card (flows).
const alertTaskKind = "alert"

func countAlerts(ctx context.Context, env Env) (int64, error) {
	n, err := env.Store.Alerts.CountAlerts(ctx)
	if err != nil {
		return 0, fmt.Errorf("simulate: count alerts: %w", err)
	}
	return n, nil
}

// release delivers the rows held back (quiet hours) that fall due before
// until, each at its own due time: the clock moves forward to it, never back.
func release(ctx context.Context, env Env, until time.Time) error {
	for {
		next, ok, err := env.Store.Outbox.NextPendingOutbox(ctx, env.Clock.Now(), until)
		if err != nil {
			return fmt.Errorf("simulate: held messages: %w", err)
		}
		if !ok {
			return nil
		}
		env.Clock.Set(next)
		if err := env.Dispatcher.Drain(ctx); err != nil {
			return err
		}
	}
}

// runJobs fires the DailyJobs due on date's calendar day in time order, the
// clock set to each firing, and delivers what is due then: an alert raised in
// quiet hours waits in the outbox until they end in simulated time.
func runJobs(ctx context.Context, env Env, date time.Time, sum *Summary) error {
	if env.Jobs == nil {
		return nil
	}
	type firing struct {
		at   time.Time
		name string
	}
	var due []firing
	end := date.AddDate(0, 0, 1)
	for _, name := range DailyJobs {
		for at := env.Jobs.Next(name, date.Add(-time.Nanosecond)); !at.IsZero() && at.Before(end); at = env.Jobs.Next(name, at) {
			due = append(due, firing{at, name})
		}
	}
	slices.SortStableFunc(due, func(a, b firing) int { return a.at.Compare(b.at) })
	for _, f := range due {
		env.Clock.Set(f.at)
		if _, err := env.Jobs.Fire(ctx, f.name, f.at); err != nil {
			return fmt.Errorf("simulate: job %s at %s: %w", f.name, f.at.Format(time.DateTime), err)
		}
		sum.JobRuns++
		if err := env.Dispatcher.Drain(ctx); err != nil {
			return err
		}
	}
	return nil
}

func runRepDay(ctx context.Context, env Env, rng *rand.Rand, opts Options, rep *models.User, day string, date time.Time, community []models.Hospital, sum *Summary) error {
	task, err := env.Store.Cards.CardTaskFor(ctx, rep.ID, "visit_list", day)
	if err != nil || task == nil {
		return err
	}
	post := func(ev bot.Event) (bot.Reply, error) { return env.Console.Post(ctx, rep.UserID, "", ev) }
	env.Clock.Set(date.Add(8 * time.Hour))
	if rng.Float64() >= opts.Accept {
		return nil
	}
	if _, err := post(bot.Event{Kind: bot.EventCardAction, Action: &bot.CardAction{TaskID: task.TaskID, Key: cards.ActionPlanAccept}}); err != nil {
		return err
	}
	sum.Accepted++
	visits, err := env.Store.Visits.DayVisits(ctx, rep.ID, day)
	if err != nil {
		return err
	}
	seen := map[uint]bool{}
	hour := 9.0
	for _, v := range visits {
		if v.Status != models.VisitPlanned || seen[v.HospitalID] {
			continue
		}
		seen[v.HospitalID] = true
		env.Clock.Set(date.Add(time.Duration(hour * float64(time.Hour))))
		hour += 1.5
		lat, lng := v.HospitalLat, v.HospitalLng
		switch r := rng.Float64(); {
		case r < opts.InFence:
			lat, lng = jitter(rng, lat, lng, 200)
		case r < opts.InFence+(1-opts.InFence)*opts.Far || len(community) == 0:
			lat += 0.012 + rng.Float64()*0.01 // 1.3–2.4 km north: outside the fence
		default:
			h := community[rng.IntN(len(community))]
			lat, lng = jitter(rng, h.Lat, h.Lng, 150)
		}
		if _, err := post(bot.Event{Kind: bot.EventText, Text: "签到"}); err != nil {
			return err
		}
		reply, err := post(bot.Event{Kind: bot.EventLocation, Location: &bot.Location{Lat: lat, Lng: lng}})
		if err != nil {
			return err
		}
		sum.CheckIns++
		for _, c := range reply.Cards {
			if err := fill(ctx, env, rng, opts, rep, c, sum); err != nil {
				return err
			}
		}
	}
	return nil
}

// fill answers a feedback form (or picks the first doctor of an off-plan pick card).
func fill(ctx context.Context, env Env, rng *rand.Rand, opts Options, rep *models.User, c cards.Card, sum *Summary) error {
	post := func(ev bot.Event) (bot.Reply, error) { return env.Console.Post(ctx, rep.UserID, "", ev) }
	switch c.Kind {
	case "checkin_pick":
		r, err := post(bot.Event{Kind: bot.EventCardAction, Action: &bot.CardAction{TaskID: c.TaskID, Key: c.Buttons[0].Key,
			Selected: []bot.Selection{{QuestionKey: c.Selection.QuestionKey, OptionIDs: []string{c.Selection.Options[0].ID}}}}})
		if err != nil {
			return err
		}
		for _, next := range r.Cards {
			if err := fill(ctx, env, rng, opts, rep, next, sum); err != nil {
				return err
			}
		}
		return nil
	case "feedback_step1":
		if rng.Float64() >= opts.Feedback {
			return nil
		}
		var sel []bot.Selection
		for _, s := range c.Selects {
			sel = append(sel, bot.Selection{QuestionKey: s.QuestionKey, OptionIDs: []string{s.Options[rng.IntN(len(s.Options))].ID}})
		}
		r, err := post(bot.Event{Kind: bot.EventCardAction, Action: &bot.CardAction{TaskID: c.TaskID, Key: c.Submit.Key, Selected: sel}})
		if err != nil || len(r.Cards) == 0 {
			return err
		}
		step2 := r.Cards[0]
		opts2 := step2.Checkbox.Options
		ids := []string{opts2[len(opts2)-1].ID} // 无
		if rng.Float64() < opts.Commitment {
			ids = []string{opts2[rng.IntN(len(opts2)-1)].ID}
		}
		if _, err := post(bot.Event{Kind: bot.EventCardAction, Action: &bot.CardAction{TaskID: step2.TaskID, Key: step2.Submit.Key,
			Selected: []bot.Selection{{QuestionKey: step2.Checkbox.QuestionKey, OptionIDs: ids}}}}); err != nil {
			return err
		}
		sum.Feedback++
	}
	return nil
}

// jitter moves a point by up to maxM metres in a random direction.
func jitter(rng *rand.Rand, lat, lng, maxM float64) (float64, float64) {
	d := rng.Float64() * maxM
	a := rng.Float64() * 2 * math.Pi
	return lat + d*math.Cos(a)/111320, lng + d*math.Sin(a)/(111320*math.Cos(lat*math.Pi/180))
}
