package recommend

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"time"

	"visitbot/clock"
	"visitbot/config"
	"visitbot/models"
	"visitbot/ranking"
	"visitbot/ranking/backtest"
)

// LoadHistory reads what a backtest or a tune run replays: every doctor with
// all its signals, hospitals, active reps with their doctors, flow data, the
// event days of cfg's consecutive rules (their series calendar) and the
// clinic sessions and 停诊 that fall on days from..to. It is a read-only
// bulk load (one query per table, one per day for sessions); the replay
// itself cuts the data as of each day.
func LoadHistory(ctx context.Context, st *models.Store, cfg config.RankingConfig, from, to string) (*backtest.History, error) {
	days, err := backtest.Days(from, to)
	if err != nil {
		return nil, fmt.Errorf("history: %w", err)
	}
	h := &backtest.History{Hospitals: map[uint]backtest.Hospital{}, Loc: st.Location()}
	docs, err := st.Ranking.RankingDoctors(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("history: %w", err)
	}
	hs, err := st.Ranking.RankingHospitals(ctx)
	if err != nil {
		return nil, fmt.Errorf("history: %w", err)
	}
	for _, x := range hs {
		h.Hospitals[x.ID] = backtest.Hospital{ID: x.ID, Code: x.ExternalID, Level: x.Level, Loc: ranking.Point{Lat: x.Lat, Lng: x.Lng}}
	}
	epoch, end := time.Unix(0, 0), time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC)
	sigs, err := st.Ranking.SignalsSince(ctx, nil, nil, epoch, end)
	if err != nil {
		return nil, fmt.Errorf("history: %w", err)
	}
	sc, err := ranking.NewScorer(cfg, false)
	if err != nil {
		return nil, fmt.Errorf("history: %w", err)
	}
	classes, kinds := sc.SeriesKinds()
	hours, err := st.Ranking.EventHours(ctx, classes, kinds, epoch, end)
	if err != nil {
		return nil, fmt.Errorf("history: %w", err)
	}
	seen := map[ranking.Event]bool{}
	for _, r := range hours {
		e := ranking.Event{Kind: r.Kind, Series: ranking.SeriesName(r.Detail), Day: clock.Day(time.Unix(r.Hour*3600, 0), st.Location())}
		if !seen[e] {
			seen[e] = true
			h.Events = append(h.Events, e)
		}
	}
	byDoctor := map[uint][]ranking.Signal{}
	for _, s := range sigs {
		byDoctor[s.DoctorID] = append(byDoctor[s.DoctorID], toSignal(s))
	}
	sessions := map[uint][]ranking.Session{}
	cancels := map[uint][]ranking.Cancellation{}
	for _, day := range days {
		ss, cs, err := st.Ranking.SessionsOn(ctx, models.AllDoctors(), day)
		if err != nil {
			return nil, fmt.Errorf("history: %w", err)
		}
		for _, s := range ss {
			x := ranking.Session{Weekday: s.Weekday, Day: s.Day, Period: s.Period}
			if !slices.Contains(sessions[s.DoctorID], x) {
				sessions[s.DoctorID] = append(sessions[s.DoctorID], x)
			}
		}
		for _, c := range cs {
			cancels[c.DoctorID] = append(cancels[c.DoctorID], ranking.Cancellation{Day: c.Day, Period: c.Period})
		}
	}
	for _, d := range docs {
		h.Doctors = append(h.Doctors, backtest.Doctor{
			Doctor: ranking.Doctor{ID: d.ID, HospitalID: d.HospitalID, Department: d.Department, Title: d.Title, KOL: d.IsKOL,
				Roles: splitRoles(d.Roles), Signals: byDoctor[d.ID]},
			Code: d.ExternalID, LegacyTier: d.LegacyTier, Sessions: sessions[d.ID], Cancellations: cancels[d.ID],
		})
	}
	reps, err := st.Users.Users(ctx, models.RoleRep)
	if err != nil {
		return nil, fmt.Errorf("history: %w", err)
	}
	assigns, err := st.Ranking.RankingAssignments(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("history: %w", err)
	}
	covered := map[uint][]uint{}
	for _, a := range assigns {
		covered[a.RepID] = append(covered[a.RepID], a.DoctorID)
	}
	for _, r := range reps {
		if r.Active {
			h.Reps = append(h.Reps, backtest.Rep{ID: r.ID, Code: r.UserID, Start: ranking.Point{Lat: r.StartLat, Lng: r.StartLng}, Doctors: covered[r.ID]})
		}
	}
	flows, err := st.Ranking.FlowByDepartment(ctx, "0000-00")
	if err != nil {
		return nil, fmt.Errorf("history: %w", err)
	}
	for _, f := range flows {
		h.Flow = append(h.Flow, ranking.FlowPoint{HospitalID: f.HospitalID, Department: f.Department, ProductID: f.ProductID, Month: f.Month, Quantity: f.Quantity})
	}
	h.Normalize()
	return h, nil
}

// EffectiveRanking is cfg with the admins' weight overrides (权重 设置 or
// an applied tune proposal) over ranking.weights: what scoring runs use.
func EffectiveRanking(ctx context.Context, st interface {
	WeightOverrides(ctx context.Context) (map[string]float64, error)
}, cfg config.RankingConfig) (config.RankingConfig, error) {
	ov, err := st.WeightOverrides(ctx)
	if err != nil {
		return cfg, fmt.Errorf("weight overrides: %w", err)
	}
	out := cfg
	out.Weights = maps.Clone(cfg.Weights)
	if out.Weights == nil {
		out.Weights = map[string]float64{}
	}
	maps.Copy(out.Weights, ov)
	return out, nil
}
