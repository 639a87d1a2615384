package flows

import (
	"context"
	"fmt"
	"strings"
	"time"

	"visitbot/alerts"
	"visitbot/bot"
	"visitbot/cards"
	"visitbot/clock"
	"visitbot/models"
	"visitbot/outbox"
)

const purposeDigest = "weekly_digest"

// DigestResult summarises one weekly_digest run.
type DigestResult struct {
	Day string
	// Managers with a team; Queued got a new digest, Already had this week's.
	Managers, Queued, Already int
	NoPlatform                []string
}

func (r DigestResult) String() string {
	return fmt.Sprintf("day %s: %d managers, %d digests queued, %d already queued, %d without a platform id",
		r.Day, r.Managers, r.Queued, r.Already, len(r.NoPlatform))
}

// WeeklyDigest is the Monday weekly_digest job: for every manager with a
// team, last week's (the seven days before day) plan vs actual, S/A
// coverage, silent KOLs, tier movements, new alerts and two 标杆反馈 as one
// text_notice, queued once per manager and day.
func (f *Flows) WeeklyDigest(ctx context.Context, day string) (DigestResult, error) {
	res := DigestResult{Day: day}
	loc := f.d.Config.Location
	start, err := clock.ParseDay(day, loc)
	if err != nil {
		return res, fmt.Errorf("weekly digest: bad day %q: %w", day, err)
	}
	from, to := start.AddDate(0, 0, -7), start.AddDate(0, 0, -1)
	managers, err := f.d.Users.Users(ctx, models.RoleManager)
	if err != nil {
		return res, fmt.Errorf("weekly digest: %w", err)
	}
	for i := range managers {
		m := &managers[i]
		if !m.Active {
			continue
		}
		team, err := f.d.Users.TeamOf(ctx, m.ID)
		if err != nil {
			return res, fmt.Errorf("weekly digest: %w", err)
		}
		if len(team) == 0 {
			continue
		}
		res.Managers++
		platform, to2, ok := f.d.Platforms.RecipientFor(m)
		if !ok {
			res.NoPlatform = append(res.NoPlatform, m.UserID)
			continue
		}
		in, err := f.digestInput(ctx, m, team, from, to)
		if err != nil {
			return res, fmt.Errorf("weekly digest for %s: %w", m.UserID, err)
		}
		card := cards.WeeklyDigest(in)
		if _, err := cards.RenderWeCom(card); err != nil {
			return res, fmt.Errorf("weekly digest for %s: %w", m.UserID, err)
		}
		row, err := outbox.NewMessage(outbox.Envelope{Platform: platform, To: to2, Purpose: purposeDigest, Day: day}, bot.Message{Card: &card})
		if err != nil {
			return res, err
		}
		if err := f.d.Outbox.Enqueue(ctx, row); err != nil {
			return res, fmt.Errorf("weekly digest for %s: %w", m.UserID, err)
		}
		if row.ID != 0 {
			res.Queued++
		} else {
			res.Already++
		}
	}
	return res, nil
}

// digestInput gathers one manager's week.
func (f *Flows) digestInput(ctx context.Context, m *models.User, team []models.User, from, to time.Time) (cards.DigestInput, error) {
	loc := f.d.Config.Location
	fromDay, toDay := clock.Day(from, loc), clock.Day(to, loc)
	in := cards.DigestInput{From: from, To: to, Manager: m.Name, Reps: len(team), SilentDays: f.d.Config.Alerts.SilentKOLDays,
		URL: strings.TrimSuffix(f.d.Config.PublicURL, "/") + "/dashboard"}
	repIDs := make([]uint, len(team))
	for i, r := range team {
		repIDs[i] = r.ID
	}
	plan, err := f.d.Reports.PlanVsActual(ctx, repIDs, fromDay, toDay)
	if err != nil {
		return in, err
	}
	in.Planned, in.Verified = plan.Planned, plan.Matched
	assigns, err := f.d.Ranking.RankingAssignments(ctx, repIDs)
	if err != nil {
		return in, err
	}
	var doctorIDs []uint
	for _, a := range assigns {
		doctorIDs = append(doctorIDs, a.DoctorID)
	}
	doctorIDs = uniqueIDs(doctorIDs)
	docs, err := f.d.Ranking.RankingDoctors(ctx, doctorIDs)
	if err != nil {
		return in, err
	}
	stats, err := f.d.Ranking.VisitStats(ctx, doctorIDs, fromDay, toDay)
	if err != nil {
		return in, err
	}
	var kols []alerts.Doctor
	var kolIDs []uint
	tiers := make(map[uint]string, len(docs))
	for _, d := range docs {
		tiers[d.ID] = d.Tier
		if d.Tier == "S" || d.Tier == "A" {
			in.SATotal++
			if stats[d.ID].LastMet != "" {
				in.SACovered++
			}
		}
		if d.IsKOL {
			kols = append(kols, alerts.Doctor{ID: d.ID, Name: d.Name, KOL: true, Department: d.Department})
			kolIDs = append(kolIDs, d.ID)
		}
	}
	contacts, err := f.d.Alerts.LastContacts(ctx, kolIDs, toDay)
	if err != nil {
		return in, err
	}
	silent, err := alerts.SilentKOLs(alerts.SilentInput{Today: clock.Day(to.AddDate(0, 0, 1), loc), Now: to.AddDate(0, 0, 1), Loc: loc,
		Doctors: kols, LastContact: contacts}, f.thresholds())
	if err != nil {
		return in, err
	}
	in.SilentKOLs = len(silent)
	att, err := f.TargetAttainment(ctx, tiers, toDay)
	if err != nil {
		return in, err
	}
	for _, a := range att {
		in.Attainment = append(in.Attainment, cards.TierRate{Tier: a.Tier, Met: a.Met, Total: a.Total})
	}
	moves, err := f.d.Alerts.TierChangesBetween(ctx, doctorIDs, fromDay, toDay)
	if err != nil {
		return in, err
	}
	for _, mv := range moves {
		if mv.Rising {
			in.TierUp++
		} else {
			in.TierDown++
		}
	}
	if in.NewAlerts, err = countInt(f.d.Alerts.AlertsCreatedBetween(ctx, m.ID, from, to.AddDate(0, 0, 1))); err != nil {
		return in, err
	}
	best, err := f.d.Alerts.BestFeedback(ctx, repIDs, from, to.AddDate(0, 0, 1), 2)
	if err != nil {
		return in, err
	}
	for _, b := range best {
		in.Exemplars = append(in.Exemplars, cards.Exemplar{Rep: b.RepName, Doctor: cards.Address(b.DoctorName, b.DoctorTitle),
			Hospital: b.HospitalName, Commitments: splitOptions(b.Commitments), Concerns: splitOptions(b.Concerns)})
	}
	return in, nil
}

func countInt(n int64, err error) (int, error) { return int(n), err }

// splitOptions reads a "|"-separated feedback answer.
func splitOptions(s string) []string {
	var out []string
	for _, p := range strings.Split(s, "|") {
		if p = strings.TrimSpace(p); p != "" && p != "无" {
			out = append(out, p)
		}
	}
	return out
}
