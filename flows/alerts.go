package flows

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"visitbot/alerts"
	"visitbot/clock"
	"visitbot/models"
)

// AlertResult summarises one alert scan or one batch of real-time signals.
type AlertResult struct {
	Day string
	// Detected counts the detectors' candidates by kind; Created the new
	// alerts (the rest were inside their cooldown, or events already raised).
	Detected map[string]int
	Created  map[string]int
	// Resurfaced counts snoozed alerts whose 一周后提醒 came.
	Resurfaced int
	// Cards is the number of alert cards queued; Merged the alerts added to
	// a card still waiting in the outbox (same manager, same merge window).
	Cards, Merged int
	// Escalated counts alerts sent to the admins because no manager is known;
	// NoPlatform the recipients that could not be reached.
	Escalated, NoPlatform int
}

func newAlertResult(day string) AlertResult {
	return AlertResult{Day: day, Detected: map[string]int{}, Created: map[string]int{}}
}

// String is one line per kind: "silent_kol: 12 detected, 3 new".
func (r AlertResult) String() string {
	kinds := make([]string, 0, len(r.Detected))
	for k := range r.Detected {
		kinds = append(kinds, k)
	}
	sort.Strings(kinds)
	var b strings.Builder
	fmt.Fprintf(&b, "day %s: %d new alerts, %d cards queued, %d merged into pending cards, %d resurfaced, %d escalated to admins, %d recipients unreachable",
		r.Day, r.Total(), r.Cards, r.Merged, r.Resurfaced, r.Escalated, r.NoPlatform)
	for _, k := range kinds {
		fmt.Fprintf(&b, "\n  %-20s %4d detected, %4d new", k, r.Detected[k], r.Created[k])
	}
	return b.String()
}

// Total is the number of new alerts.
func (r AlertResult) Total() int {
	n := 0
	for _, v := range r.Created {
		n += v
	}
	return n
}

// thresholds are the detectors' limits from config alerts.*.
func (f *Flows) thresholds() alerts.Thresholds {
	a := f.d.Config.Alerts
	return alerts.Thresholds{
		SilentKOLDays: a.SilentKOLDays, FlowDropPct: a.FlowDropPct, FlowMinBase: a.FlowMinBase,
		PlanMatchMin: a.PlanMatchMin, PlanMinPlanned: a.PlanMinPlanned, PlanOffLevelPct: a.PlanOffLevelPct,
	}
}

// AlertScan is the daily alert_scan job: silent KOLs, rising doctors, trial
// signals the real-time path may have missed, flow drops and last week's plan
// drift, plus snoozed alerts that are due again. Running it twice on a day
// raises nothing twice (cooldown per kind and subject, events once).
func (f *Flows) AlertScan(ctx context.Context, day string) (AlertResult, error) {
	res := newAlertResult(day)
	loc := f.d.Config.Location
	start, err := clock.ParseDay(day, loc)
	if err != nil {
		return res, fmt.Errorf("alert scan: bad day %q: %w", day, err)
	}
	now := f.d.Clock.Now()
	docRows, err := f.d.Alerts.AlertDoctors(ctx, nil)
	if err != nil {
		return res, fmt.Errorf("alert scan: %w", err)
	}
	docs, kols := doctorsByID(docRows)
	var cands []alerts.Candidate
	th := f.thresholds()

	// Silent KOLs.
	contacts, err := f.d.Alerts.LastContacts(ctx, kols, day)
	if err != nil {
		return res, fmt.Errorf("alert scan: %w", err)
	}
	digital, err := f.d.Alerts.SignalsOfClass(ctx, kols, models.ClassDigital, now.Add(-alerts.FreshDays*24*time.Hour), now)
	if err != nil {
		return res, fmt.Errorf("alert scan: %w", err)
	}
	silent, err := alerts.SilentKOLs(alerts.SilentInput{Today: day, Now: now, Loc: loc, Doctors: docList(docs, kols),
		LastContact: contacts, Digital: toAlertSignals(digital)}, th)
	if err != nil {
		return res, fmt.Errorf("alert scan: %w", err)
	}
	cands = append(cands, silent...)

	// Rising doctors of the last week (the nightly scores record them).
	moves, err := f.d.Ranking.RisingDoctors(ctx, clock.Day(start.AddDate(0, 0, -6), loc))
	if err != nil {
		return res, fmt.Errorf("alert scan: %w", err)
	}
	var tm []alerts.TierMove
	for _, m := range moves {
		tm = append(tm, alerts.TierMove{DoctorID: m.DoctorID, Day: m.Day, From: m.FromTier, To: m.ToTier, Heat: m.Heat, Rising: m.Rising})
	}
	cands = append(cands, alerts.RisingDoctors(tm, docs)...)

	// Trial signals of the last two days: a safety net for signals that did
	// not come through the importer hook.
	trials, err := f.d.Alerts.SignalsOfClass(ctx, nil, models.ClassTrial, now.Add(-48*time.Hour), now)
	if err != nil {
		return res, fmt.Errorf("alert scan: %w", err)
	}
	cands = append(cands, alerts.TrialInvestigators(toAlertSignals(trials), docs)...)

	// Flow drops at key hospital × departments.
	month := start.Format("2006-01")
	flows, err := f.d.Ranking.FlowByDepartment(ctx, start.AddDate(0, -2, 1-start.Day()).Format("2006-01"))
	if err != nil {
		return res, fmt.Errorf("alert scan: %w", err)
	}
	points := make([]alerts.FlowPoint, len(flows))
	for i, fr := range flows {
		points[i] = alerts.FlowPoint{HospitalID: fr.HospitalID, Department: fr.Department, Month: fr.Month, Quantity: fr.Quantity}
	}
	drops, err := alerts.FlowDrops(points, keySites(docRows), month, th)
	if err != nil {
		return res, fmt.Errorf("alert scan: %w", err)
	}
	cands = append(cands, drops...)

	// Plan drift over the seven days before day.
	planned, err := f.d.Reports.PlannedVisits(ctx, nil, clock.Day(start.AddDate(0, 0, -7), loc), clock.Day(start.AddDate(0, 0, -1), loc))
	if err != nil {
		return res, fmt.Errorf("alert scan: %w", err)
	}
	reps, err := f.d.Users.Users(ctx, models.RoleRep)
	if err != nil {
		return res, fmt.Errorf("alert scan: %w", err)
	}
	repOf := map[uint]alerts.Rep{}
	for _, r := range reps {
		if r.Active {
			repOf[r.ID] = alerts.Rep{ID: r.ID, Name: r.Name}
		}
	}
	pv := make([]alerts.PlannedVisit, len(planned))
	for i, v := range planned {
		pv[i] = alerts.PlannedVisit{RepID: v.RepID, Day: v.Day, Verified: v.Verified, PlannedLevel: v.PlannedLevel, CheckInLevel: v.CheckInLevel}
	}
	cands = append(cands, alerts.PlanDrift(pv, repOf, th)...)

	due, err := f.d.Alerts.DueSnoozedAlerts(ctx, now)
	if err != nil {
		return res, fmt.Errorf("alert scan: %w", err)
	}
	if err := f.raiseAlerts(ctx, &res, cands, due, docRows); err != nil {
		return res, fmt.Errorf("alert scan: %w", err)
	}
	return res, nil
}

// News keeps the signals recent enough for a real-time alert: dated within
// alerts.realtime_max_age of now. Older ones are history a company loads at
// onboarding (six months of them must raise no alert storm); the daily scan
// still sees them.
func (f *Flows) News(sigs []models.Signal) []models.Signal {
	out := sigs[:0:0]
	for _, s := range sigs {
		if f.IsNews(s) {
			out = append(out, s)
		}
	}
	return out
}

// IsNews reports whether s is recent enough for a real-time alert (News).
func (f *Flows) IsNews(s models.Signal) bool {
	return !s.OccurredAt.Before(f.d.Clock.Now().Add(-f.d.Config.Alerts.RealtimeMaxAge))
}

// AnnounceImport sends the summary of a committed import to every admin
// (one text each; the import's own id keeps a rerun from sending twice).
func (f *Flows) AnnounceImport(ctx context.Context, importID, text string) error {
	day := clock.Day(f.d.Clock.Now(), f.d.Config.Location)
	return f.notifyAdmins(ctx, day, "import:"+importID, text)
}

// OnSignals is the real-time path, called by the importer and the ingest API
// after new signals are committed: a clinical-trial signal raises the
// high-value-customer alert at once, and a digital signal (leaflet search,
// material open) of a KOL who has been silent raises the louder silent-KOL
// alert without waiting for the daily scan. Cooldowns apply as in the scan.
func (f *Flows) OnSignals(ctx context.Context, sigs []models.Signal) error {
	sigs = f.News(sigs)
	var trialIDs, digitalIDs []uint
	for _, s := range sigs {
		switch s.Class {
		case models.ClassTrial:
			trialIDs = append(trialIDs, s.DoctorID)
		case models.ClassDigital:
			digitalIDs = append(digitalIDs, s.DoctorID)
		}
	}
	if len(trialIDs) == 0 && len(digitalIDs) == 0 {
		return nil
	}
	now := f.d.Clock.Now()
	today := clock.Day(now, f.d.Config.Location)
	res := newAlertResult(today)
	docRows, err := f.d.Alerts.AlertDoctors(ctx, uniqueIDs(append(append([]uint(nil), trialIDs...), digitalIDs...)))
	if err != nil {
		return fmt.Errorf("alerts on signals: %w", err)
	}
	docs, _ := doctorsByID(docRows)
	cands := alerts.TrialInvestigators(toAlertSignals(sigs), docs)
	var kols []uint
	for _, id := range uniqueIDs(digitalIDs) {
		if d, ok := docs[id]; ok && d.KOL {
			kols = append(kols, id)
		}
	}
	if len(kols) > 0 {
		contacts, err := f.d.Alerts.LastContacts(ctx, kols, today)
		if err != nil {
			return fmt.Errorf("alerts on signals: %w", err)
		}
		digital, err := f.d.Alerts.SignalsOfClass(ctx, kols, models.ClassDigital, now.Add(-alerts.FreshDays*24*time.Hour), now)
		if err != nil {
			return fmt.Errorf("alerts on signals: %w", err)
		}
		silent, err := alerts.SilentKOLs(alerts.SilentInput{Today: today, Now: now, Loc: f.d.Config.Location, Doctors: docList(docs, kols),
			LastContact: contacts, Digital: toAlertSignals(digital), RequireFresh: true}, f.thresholds())
		if err != nil {
			return fmt.Errorf("alerts on signals: %w", err)
		}
		cands = append(cands, silent...)
	}
	if len(cands) == 0 {
		return nil
	}
	if err := f.raiseAlerts(ctx, &res, cands, nil, docRows); err != nil {
		return fmt.Errorf("alerts on signals: %w", err)
	}
	return nil
}

// doctorsByID converts store rows for the detectors and lists the KOLs.
func doctorsByID(rows []models.AlertDoctor) (map[uint]alerts.Doctor, []uint) {
	out := make(map[uint]alerts.Doctor, len(rows))
	kols := []uint{}
	for _, r := range rows {
		out[r.ID] = alerts.Doctor{ID: r.ID, Name: r.Name, Title: r.Title, KOL: r.IsKOL, Department: r.Department,
			HospitalID: r.HospitalID, Hospital: r.HospitalName, Level: r.HospitalLevel}
		if r.IsKOL {
			kols = append(kols, r.ID)
		}
	}
	return out, kols
}

func docList(docs map[uint]alerts.Doctor, ids []uint) []alerts.Doctor {
	out := make([]alerts.Doctor, 0, len(ids))
	for _, id := range ids {
		if d, ok := docs[id]; ok {
			out = append(out, d)
		}
	}
	return out
}

// keySites are the hospital × departments whose flow drops matter: every
// department of a tertiary-A hospital, and any department with a KOL.
func keySites(rows []models.AlertDoctor) map[alerts.SiteKey]alerts.Site {
	out := map[alerts.SiteKey]alerts.Site{}
	for _, r := range rows {
		k := alerts.SiteKey{HospitalID: r.HospitalID, Department: r.Department}
		s := out[k]
		s.HospitalID, s.Hospital, s.Department = r.HospitalID, r.HospitalName, r.Department
		s.Key = s.Key || r.IsKOL || r.HospitalLevel == models.Level3A
		out[k] = s
	}
	return out
}

func toAlertSignals(sigs []models.Signal) []alerts.Signal {
	out := make([]alerts.Signal, len(sigs))
	for i, s := range sigs {
		out[i] = alerts.Signal{DoctorID: s.DoctorID, Class: s.Class, Kind: s.Kind, Value: s.Value, At: s.OccurredAt, Detail: s.Detail}
	}
	return out
}

func uniqueIDs(ids []uint) []uint {
	seen := map[uint]bool{}
	out := []uint{}
	for _, id := range ids {
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}
