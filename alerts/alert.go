// Package alerts holds the manager-alert detectors: silent KOLs, rising
// doctors, clinical-trial investigators, flow-data drops and plan drift, plus
// the pure rules of the no-spam policy (cooldown, merge window, quiet
// hours). Everything here is a pure function over plain structs with the day
// and clock injected: no database, no platform. flows/alerts.go loads the
// inputs, routes the candidates to managers and sends the cards.
package alerts

import (
	"fmt"
	"hash/fnv"
	"time"
)

// Alert kinds (models.Alert.Kind, at most 32 bytes).
const (
	KindSilentKOL = "silent_kol"
	KindRising    = "rising_doctor"
	KindTrial     = "trial_investigator"
	KindFlowDrop  = "flow_drop"
	KindPlanDrift = "plan_drift"
)

// KindLabel is the short Chinese name of a kind; at most 5 characters so it
// fits a WeCom horizontal_content_list keyname.
func KindLabel(kind string) string {
	switch kind {
	case KindSilentKOL:
		return "沉默KOL"
	case KindRising:
		return "上升医生"
	case KindTrial:
		return "临床试验"
	case KindFlowDrop:
		return "流向下降"
	case KindPlanDrift:
		return "计划偏差"
	}
	return "提醒"
}

// Severity orders alerts on a merged card, the loudest first.
type Severity int

// Severities.
const (
	SeverityNormal Severity = 1
	SeverityHigh   Severity = 2
)

// Candidate is an alert a detector proposes. The orchestration decides
// whether it is new (cooldown), who gets it, and when (quiet hours).
type Candidate struct {
	Kind string
	// SubjectKey identifies what the alert is about ("doctor:12",
	// "rep:5", "flow:3:1a2b3c4d:2026-11"); with Kind it drives the
	// cooldown. At most 64 bytes (models.Alert.SubjectKey).
	SubjectKey string
	// DoctorID is set for doctor alerts (they can be assigned as a must-visit).
	DoctorID uint
	// RepID is the rep the alert concerns or whose manager should get it (0 = none).
	RepID uint
	// HospitalID and Department locate a flow-data alert.
	HospitalID uint
	Department string
	// Title is the card's headline, e.g. "沉默KOL：张伟（浙大一院）".
	Title string
	// EmphasisTitle and EmphasisDesc are the big figure ("21天" / "未拜访").
	EmphasisTitle string
	EmphasisDesc  string
	// Reasons are short Chinese lines explaining the alert.
	Reasons  []string
	Severity Severity
	// Once marks an event (a tier move on a day, a month's flow drop): it is
	// raised once ever per subject; state alerts (silent, drift) are raised
	// again after the cooldown while the state lasts.
	Once bool
}

// Doctor is what the detectors know about a doctor.
type Doctor struct {
	ID         uint
	Name       string
	Title      string // models.Title*
	KOL        bool
	Department string
	HospitalID uint
	Hospital   string
	Level      string // hospital level, models.Level*
}

// Label is "张伟（浙大一院）", how alerts name a doctor.
func (d Doctor) Label() string {
	if d.Hospital == "" {
		return d.Name
	}
	return d.Name + "（" + d.Hospital + "）"
}

// Thresholds are the configurable limits (config alerts.*).
type Thresholds struct {
	SilentKOLDays   int
	FlowDropPct     float64
	FlowMinBase     float64
	PlanMatchMin    float64
	PlanMinPlanned  int
	PlanOffLevelPct float64
}

// FreshDays is the window of "fresh" digital signals that make a silent-KOL
// alert louder ("本周两次搜索我司产品说明书").
const FreshDays = 7

// civil returns the day of t in loc as a UTC midnight, so day differences
// are whole numbers whatever the zone's offsets.
func civil(t time.Time, loc *time.Location) time.Time {
	y, m, d := t.In(loc).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// daysBetween is the number of calendar days from a to b ("2006-01-02").
func daysBetween(a, b string) (int, error) {
	ta, err := time.Parse(time.DateOnly, a)
	if err != nil {
		return 0, fmt.Errorf("bad day %q: %w", a, err)
	}
	tb, err := time.Parse(time.DateOnly, b)
	if err != nil {
		return 0, fmt.Errorf("bad day %q: %w", b, err)
	}
	return int(tb.Sub(ta).Hours() / 24), nil
}

// shortHash is 8 hex digits of s, to keep subject keys within 64 bytes.
func shortHash(s string) string {
	h := fnv.New32a()
	_, _ = h.Write([]byte(s))
	return fmt.Sprintf("%08x", h.Sum32())
}

// timesZh is "一次", "两次" … "九次", then "10次": how a reason counts.
func timesZh(n int) string {
	words := []string{"零", "一", "两", "三", "四", "五", "六", "七", "八", "九"}
	if n >= 0 && n < len(words) {
		return words[n] + "次"
	}
	return fmt.Sprintf("%d次", n)
}
