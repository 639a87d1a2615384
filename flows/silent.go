package flows

import (
	"context"
	"fmt"

	"visitbot/alerts"
	"visitbot/models"
)

// SilentKOL is one silent KOL of a team as chat and pages show it.
type SilentKOL struct {
	models.SilentKOL
	// Days is how long the KOL has gone without a visit or interaction; -1: never.
	Days int
	// Silence is alerts.SilenceText: "从未拜访或互动" / "已30天未拜访或互动（上次 11月2日）".
	Silence string
}

// SilentKOLs is the one definition of 沉默 for the 沉默 command, the
// dashboard tile and the alert: alerts.SilentKOLs over the reps' assigned
// KOLs, with last contacts (met visits and visit signals) up to day and
// alerts.silent_kol_days, loudest first.
func (f *Flows) SilentKOLs(ctx context.Context, repIDs []uint, day string) ([]SilentKOL, error) {
	team, err := f.d.Alerts.TeamKOLs(ctx, repIDs)
	if err != nil || len(team) == 0 {
		return nil, err
	}
	ids := make([]uint, len(team))
	byID := make(map[uint]models.SilentKOL, len(team))
	for i, k := range team {
		ids[i], byID[k.DoctorID] = k.DoctorID, k
	}
	rows, err := f.d.Alerts.AlertDoctors(ctx, ids)
	if err != nil {
		return nil, fmt.Errorf("silent KOLs: %w", err)
	}
	docs, kols := doctorsByID(rows)
	contacts, err := f.d.Alerts.LastContacts(ctx, kols, day)
	if err != nil {
		return nil, fmt.Errorf("silent KOLs: %w", err)
	}
	cands, err := alerts.SilentKOLs(alerts.SilentInput{Today: day, Loc: f.d.Config.Location, Doctors: docList(docs, kols), LastContact: contacts}, f.thresholds())
	if err != nil {
		return nil, fmt.Errorf("silent KOLs: %w", err)
	}
	out := make([]SilentKOL, 0, len(cands))
	for _, c := range cands {
		k := byID[c.DoctorID]
		k.LastDay = contacts[c.DoctorID]
		days, err := alerts.SilentDays(k.LastDay, day)
		if err != nil {
			return nil, fmt.Errorf("silent KOL %d: %w", c.DoctorID, err)
		}
		out = append(out, SilentKOL{SilentKOL: k, Days: days, Silence: alerts.SilenceText(days, k.LastDay)})
	}
	return out, nil
}
