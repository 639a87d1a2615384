package alerts

import (
	"fmt"
	"sort"
	"strings"
	"time"
)

// Signal is one observed doctor event as the detectors see it (models.Signal).
type Signal struct {
	DoctorID uint
	Class    string // models.Class*
	Kind     string // e.g. leaflet_search, trial_investigator
	Value    float64
	At       time.Time
	Detail   string
}

// Signal classes the detectors read (the same strings as models.Class*).
const (
	ClassDigital = "digital"
	ClassTrial   = "trial"
	ClassVisit   = "visit"
)

// digitalPhrases say what a digital signal kind was, for reason lines.
var digitalPhrases = map[string]string{
	"leaflet_search": "搜索我司产品说明书",
	"leaflet_view":   "查看我司产品说明书",
	"material_open":  "打开推广资料",
}

// SilentInput is what the silent-KOL detector reads.
type SilentInput struct {
	// Today is the business day of the check ("2006-01-02"); Now the instant.
	Today string
	Now   time.Time
	Loc   *time.Location
	// Doctors are the doctors to check; only KOLs can be silent KOLs.
	Doctors []Doctor
	// LastContact is each doctor's newest day with a met visit or a
	// visit-class signal ("" or missing = never).
	LastContact map[uint]string
	// Digital are the doctors' digital signals; those of the last FreshDays
	// days make the alert louder.
	Digital []Signal
	// RequireFresh reports only silent KOLs with fresh digital signals: the
	// real-time path, run when such a signal arrives.
	RequireFresh bool
}

// SilentKOLs reports every KOL without a visit or visit signal for
// t.SilentKOLDays days (or ever), loudest first: fresh digital engagement
// ("本周两次搜索我司产品说明书") raises the severity and adds a reason line.
func SilentKOLs(in SilentInput, t Thresholds) ([]Candidate, error) {
	fresh := freshDigital(in.Digital, in.Now)
	var out []Candidate
	silentFor := map[uint]int{} // days without contact; never = a very long time
	for _, d := range in.Doctors {
		if !d.KOL {
			continue
		}
		last := in.LastContact[d.ID]
		days := -1 // never contacted
		if last != "" {
			n, err := daysBetween(last, in.Today)
			if err != nil {
				return nil, fmt.Errorf("silent KOL %d: %w", d.ID, err)
			}
			if n < t.SilentKOLDays {
				continue
			}
			days = n
		}
		lines := fresh[d.ID]
		if in.RequireFresh && len(lines) == 0 {
			continue
		}
		c := Candidate{
			Kind: KindSilentKOL, SubjectKey: fmt.Sprintf("doctor:%d", d.ID), DoctorID: d.ID, HospitalID: d.HospitalID,
			Department: d.Department, Title: "沉默KOL：" + d.Label(), Severity: SeverityNormal,
		}
		silentFor[d.ID] = days
		c.Reasons = append(c.Reasons, fmt.Sprintf("%s KOL，%s", d.Department, SilenceText(days, last)))
		if days < 0 {
			silentFor[d.ID] = 1 << 30
			c.EmphasisTitle, c.EmphasisDesc = "无记录", SilenceText(days, last)
		} else {
			c.EmphasisTitle, c.EmphasisDesc = fmt.Sprintf("%d天", days), "未拜访或互动"
		}
		if len(lines) > 0 {
			c.Severity = SeverityHigh
			c.Reasons = append(c.Reasons, "本周"+strings.Join(lines, "、"), "有新的线上互动，建议尽快安排拜访")
		}
		out = append(out, c)
	}
	// Loudest first: fresh digital engagement, then the longest silence.
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Severity != out[j].Severity {
			return out[i].Severity > out[j].Severity
		}
		return silentFor[out[i].DoctorID] > silentFor[out[j].DoctorID]
	})
	return out, nil
}

// SilenceText says how long a KOL has been silent, in the words the alert,
// the 沉默 command and the pages share: "从未拜访或互动" (days < 0, no
// contact on record) or "已30天未拜访或互动（上次 11月2日）".
func SilenceText(days int, last string) string {
	if days < 0 || last == "" {
		return "从未拜访或互动"
	}
	return fmt.Sprintf("已%d天未拜访或互动（上次 %s）", days, monthDay(last))
}

// SilentDays is how many days lie between the last contact and today (-1
// when there was none), as SilentKOLs counts them.
func SilentDays(last, today string) (int, error) {
	if last == "" {
		return -1, nil
	}
	return daysBetween(last, today)
}

// freshDigital phrases each doctor's digital signals of the last FreshDays
// days, by kind: ["两次搜索我司产品说明书", "一次打开推广资料"].
func freshDigital(sigs []Signal, now time.Time) map[uint][]string {
	since := now.Add(-FreshDays * 24 * time.Hour)
	counts := map[uint]map[string]int{}
	for _, s := range sigs {
		if s.Class != ClassDigital || s.At.Before(since) || s.At.After(now) {
			continue
		}
		if counts[s.DoctorID] == nil {
			counts[s.DoctorID] = map[string]int{}
		}
		counts[s.DoctorID][s.Kind]++
	}
	out := map[uint][]string{}
	for id, byKind := range counts {
		kinds := make([]string, 0, len(byKind))
		for k := range byKind {
			kinds = append(kinds, k)
		}
		// Most frequent first; searches before views on a tie (a stronger intent).
		sort.Slice(kinds, func(i, j int) bool {
			if byKind[kinds[i]] != byKind[kinds[j]] {
				return byKind[kinds[i]] > byKind[kinds[j]]
			}
			return kinds[i] < kinds[j]
		})
		for _, k := range kinds {
			phrase, ok := digitalPhrases[k]
			if !ok {
				phrase = "线上互动（" + k + "）"
			}
			out[id] = append(out[id], timesZh(byKind[k])+phrase)
		}
	}
	return out
}

// monthDay is "11月10日" for "2026-11-10" (the input if it does not parse).
func monthDay(day string) string {
	t, err := time.Parse(time.DateOnly, day)
	if err != nil {
		return day
	}
	return fmt.Sprintf("%d月%d日", int(t.Month()), t.Day())
}
