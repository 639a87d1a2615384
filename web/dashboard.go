package web

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"strings"
	"time"

	"visitbot/clock"
	"visitbot/flows"
)

// TrendWeeks is how many weeks the plan-vs-actual trend shows.
const TrendWeeks = 8

// bestFeedbackN is how many 标杆反馈 the dashboard lists.
const bestFeedbackN = 3

// Week is an ISO week: Monday..Sunday in the business zone.
type Week struct {
	Label string `json:"week"` // 2026-W49
	From  string `json:"from"` // first day (Monday)
	To    string `json:"to"`   // last day (Sunday)
	iso   clock.Week
}

// newWeek is the JSON view of an ISO week.
func newWeek(w clock.Week) Week { return Week{Label: w.Label, From: w.From(), To: w.To(), iso: w} }

func (w Week) prev(n int) Week { return newWeek(w.iso.Prev(n)) }

// WeekRate is one week of the team's plan vs actual (planned visits of
// accepted plans, and those verified by check-in: models.PlanVsActual).
type WeekRate struct {
	Week    string  `json:"week"`
	Planned int     `json:"planned"`
	Matched int     `json:"matched"`
	Rate    float64 `json:"rate"`
}

// Count is a labelled number for bar charts.
type Count struct {
	Label string `json:"label"`
	N     int    `json:"n"`
}

// Coverage is the share of the team's S/A doctors with a verified visit in the week.
type Coverage struct {
	KeyDoctors int     `json:"key_doctors"`
	Visited    int     `json:"visited"`
	Rate       float64 `json:"rate"`
}

// TierMove is a tier change of a team doctor.
type TierMove struct {
	Day      string `json:"day"`
	DoctorID uint   `json:"doctor_id"`
	Doctor   string `json:"doctor"`
	From     string `json:"from"`
	To       string `json:"to"`
	Rising   bool   `json:"rising"`
}

// OpenAlert is an open manager alert.
type OpenAlert struct {
	ID       uint     `json:"id"`
	Kind     string   `json:"kind"`
	Title    string   `json:"title"`
	DoctorID uint     `json:"doctor_id,omitempty"`
	Reasons  []string `json:"reasons"`
	Created  string   `json:"created"`
}

// Quality is the week's visit quality scores.
type Quality struct {
	N       int     `json:"n"`
	Avg     float64 `json:"avg"`
	Buckets []Count `json:"buckets"`
}

// Best is one exemplary feedback.
type Best struct {
	Rep         string  `json:"rep"`
	Doctor      string  `json:"doctor"`
	Hospital    string  `json:"hospital"`
	Commitments string  `json:"commitments"`
	Concern     string  `json:"concern"`
	Score       float64 `json:"score"`
	Note        string  `json:"note,omitempty"`
}

// Summary is everything the dashboard shows for one team and week; the
// JSON endpoint serves it as is.
type Summary struct {
	Week      Week       `json:"week"`
	Team      string     `json:"team"`
	Reps      int        `json:"reps"`
	Trend     []WeekRate `json:"trend"`
	MatchRate WeekRate   `json:"match_rate"`
	ByTier    []Count    `json:"verified_by_tier"`
	Coverage  Coverage   `json:"sa_coverage"`
	Heat      []Count    `json:"heat_distribution"`
	TierMoves []TierMove `json:"tier_moves"`
	// FirstTiers counts the team's doctors graded for the first time in the
	// week (not moves: they had no tier before).
	FirstTiers int         `json:"first_tiers"`
	SilentKOLs int         `json:"silent_kols"`
	Alerts     []OpenAlert `json:"open_alerts"`
	Quality    Quality     `json:"quality"`
	Best       []Best      `json:"best_feedback"`
	// Fallback: no week was asked for and the current one has no visit yet,
	// so this is the latest week that has one.
	Fallback bool `json:"fallback_week,omitempty"`
	// Attainment is the call-target attainment by tier at the week's end (各级目标覆盖达成率).
	Attainment []flows.TierAttainment `json:"target_attainment"`
}

// tiers in display order; "" is shown as 未分级.
var tiers = []string{"S", "A", "B", "C", ""}

func tierLabel(t string) string {
	if t == "" {
		return "未分级"
	}
	return t
}

// heatBuckets and qualityBuckets split 0–100 in fifths.
var bucketEdges = []float64{0, 20, 40, 60, 80, 100}

func bucketLabels() []Count {
	out := make([]Count, len(bucketEdges)-1)
	for i := range out {
		out[i].Label = fmt.Sprintf("%.0f–%.0f", bucketEdges[i], bucketEdges[i+1])
	}
	return out
}

func bucketOf(v float64) int {
	i := int(math.Floor(v / 20))
	return max(0, min(i, len(bucketEdges)-2))
}

// summary reads the dashboard's figures from the store.
func (p *Pages) summary(ctx context.Context, sc scope, wk Week) (*Summary, error) {
	db := p.o.Store
	reps := sc.repIDs()
	s := &Summary{Week: wk, Team: sc.Label, Reps: len(reps)}
	// Plan vs actual by week: one report over the 8 weeks.
	first := wk.prev(TrendWeeks - 1)
	plan, err := db.Reports.PlanVsActual(ctx, reps, first.From, wk.To)
	if err != nil {
		return nil, fmt.Errorf("dashboard: %w", err)
	}
	for i := TrendWeeks - 1; i >= 0; i-- {
		w := wk.prev(i)
		r := WeekRate{Week: w.Label}
		r.Planned, r.Matched = plan.Between(w.From, w.To)
		if r.Planned > 0 {
			r.Rate = float64(r.Matched) / float64(r.Planned)
		}
		s.Trend = append(s.Trend, r)
	}
	s.MatchRate = s.Trend[len(s.Trend)-1]

	// The team's doctors (assigned to its reps).
	docs, err := db.Doctors.AssignedTo(ctx, reps)
	if err != nil {
		return nil, fmt.Errorf("dashboard: %w", err)
	}
	docIDs := make([]uint, len(docs))
	name := map[uint]string{}
	s.Heat = bucketLabels()
	key := map[uint]bool{}
	for i, d := range docs {
		docIDs[i] = d.ID
		name[d.ID] = d.Name
		s.Heat[bucketOf(d.Heat)].N++
		if d.Tier == "S" || d.Tier == "A" {
			key[d.ID] = true
		}
	}

	// Verified visits of the week by (current) tier, and S/A coverage.
	visited, err := db.Reports.VerifiedVisitTiers(ctx, reps, wk.From, wk.To)
	if err != nil {
		return nil, fmt.Errorf("dashboard: %w", err)
	}
	byTier := map[string]int{}
	seenKey := map[uint]bool{}
	for _, v := range visited {
		byTier[v.Tier]++
		if key[v.DoctorID] {
			seenKey[v.DoctorID] = true
		}
	}
	for _, t := range tiers {
		if t != "" || byTier[""] > 0 {
			s.ByTier = append(s.ByTier, Count{Label: tierLabel(t), N: byTier[t]})
		}
	}
	tierOf := make(map[uint]string, len(docs))
	for _, d := range docs {
		tierOf[d.ID] = d.Tier
	}
	if s.Attainment, err = p.o.Flows.TargetAttainment(ctx, tierOf, wk.To); err != nil {
		return nil, fmt.Errorf("dashboard: %w", err)
	}
	s.Coverage = Coverage{KeyDoctors: len(key), Visited: len(seenKey)}
	if len(key) > 0 {
		s.Coverage.Rate = float64(len(seenKey)) / float64(len(key))
	}

	// Tier movements in the week.
	if len(docIDs) > 0 {
		moves, err := db.Alerts.TierChangesBetween(ctx, docIDs, wk.From, wk.To)
		if err != nil {
			return nil, err
		}
		for _, m := range moves {
			s.TierMoves = append(s.TierMoves, TierMove{Day: m.Day, DoctorID: m.DoctorID, Doctor: name[m.DoctorID], From: m.FromTier, To: m.ToTier, Rising: m.Rising})
		}
		if s.FirstTiers, err = db.Alerts.FirstTiersBetween(ctx, docIDs, wk.From, wk.To); err != nil {
			return nil, fmt.Errorf("dashboard: %w", err)
		}
	}

	// Silent KOLs: the one definition the 沉默 command and the alert use, as of the week's end (today at most).
	silent, err := p.o.Flows.SilentKOLs(ctx, reps, min(wk.To, p.today()))
	if err != nil {
		return nil, fmt.Errorf("dashboard: %w", err)
	}
	s.SilentKOLs = len(silent)

	// Open alerts of the team (admin without a team: all).
	var managerID uint
	if sc.Manager != nil {
		managerID = sc.Manager.ID
	}
	alerts, err := db.Alerts.OpenAlerts(ctx, managerID, 50)
	if err != nil {
		return nil, fmt.Errorf("dashboard: %w", err)
	}
	loc := db.Location()
	for _, a := range alerts {
		oa := OpenAlert{ID: a.ID, Kind: a.Kind, Title: a.Title, Created: a.CreatedAt.In(loc).Format("01-02 15:04")}
		if a.DoctorID != nil {
			oa.DoctorID = *a.DoctorID
		}
		if err := json.Unmarshal([]byte(a.Reasons), &oa.Reasons); err != nil && a.Reasons != "" {
			p.o.Log.Error("dashboard: stored alert reasons unreadable", "alert", a.ID, "err", err)
			oa.Reasons = []string{flows.MsgReasonsUnreadable}
		}
		s.Alerts = append(s.Alerts, oa)
	}

	// Quality of the week's feedback (submitted Monday 00:00 .. next Monday).
	since, until := wk.iso.Monday, wk.iso.Monday.AddDate(0, 0, 7)
	scores, err := db.Reports.QualityScores(ctx, reps, since, until)
	if err != nil {
		return nil, fmt.Errorf("dashboard: %w", err)
	}
	s.Quality = Quality{N: len(scores), Buckets: bucketLabels()}
	sum := 0.0
	for _, v := range scores {
		sum += v
		s.Quality.Buckets[bucketOf(v)].N++
	}
	if len(scores) > 0 {
		s.Quality.Avg = math.Round(sum/float64(len(scores))*10) / 10
	}
	best, err := db.Alerts.BestFeedback(ctx, reps, since, until, bestFeedbackN)
	if err != nil {
		return nil, err
	}
	for _, b := range best {
		s.Best = append(s.Best, Best{Rep: b.RepName, Doctor: b.DoctorName, Hospital: b.HospitalName,
			Commitments: strings.ReplaceAll(b.Commitments, "|", "、"), Concern: b.Concerns, Score: b.QualityScore, Note: b.Note})
	}
	sort.SliceStable(s.TierMoves, func(i, j int) bool { return s.TierMoves[i].Day > s.TierMoves[j].Day })
	return s, nil
}

// weekParam is ?week= or the current week.
func (p *Pages) weekParam(v string) (Week, error) {
	loc := p.o.Store.Location()
	if v == "" {
		now := p.o.Clock.Now().In(loc)
		d, _ := clock.ParseDay(clock.Day(now, loc), loc)
		return newWeek(clock.WeekOf(d.Add(12 * time.Hour))), nil
	}
	w, err := clock.ParseWeek(v, loc)
	if err != nil {
		return Week{}, err
	}
	return newWeek(w), nil
}

// weekWithData is wk when the team has a visit in it (or none at all),
// else the week of the team's latest visit before it, with fallback=true:
// the dashboard opens on the latest week that has data.
func (p *Pages) weekWithData(ctx context.Context, sc scope, wk Week) (Week, bool, error) {
	reps := sc.repIDs()
	if len(reps) == 0 {
		return wk, false, nil
	}
	day, err := p.o.Store.Reports.LatestVisitDay(ctx, reps, wk.To)
	if err != nil {
		return wk, false, fmt.Errorf("dashboard: %w", err)
	}
	if day == "" || day >= wk.From {
		return wk, false, nil
	}
	d, err := clock.ParseDay(day, p.o.Store.Location())
	if err != nil {
		return wk, false, fmt.Errorf("dashboard: latest visit day %q: %w", day, err)
	}
	return newWeek(clock.WeekOf(d.Add(12 * time.Hour))), true, nil
}
