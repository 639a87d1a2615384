package alerts

import (
	"fmt"
	"sort"
	"strings"
)

// TierMove is a recorded change of a doctor's dynamic tier (models.TierChange).
type TierMove struct {
	DoctorID uint
	Day      string
	From, To string
	Heat     float64
	Rising   bool
}

// RisingDoctors turns each upward tier move into an alert, once per doctor
// and day: a young attending who became a formulary advocate should reach
// the manager the morning after the nightly scores see it.
func RisingDoctors(moves []TierMove, doctors map[uint]Doctor) []Candidate {
	var out []Candidate
	for _, m := range moves {
		d, ok := doctors[m.DoctorID]
		if !m.Rising || !ok {
			continue
		}
		from := m.From
		if from == "" {
			from = "新"
		}
		c := Candidate{
			Kind: KindRising, SubjectKey: fmt.Sprintf("doctor:%d:%s", d.ID, m.Day), DoctorID: d.ID, HospitalID: d.HospitalID,
			Department: d.Department, Title: "上升医生：" + d.Label(), Severity: SeverityNormal, Once: true,
			EmphasisTitle: from + "→" + m.To, EmphasisDesc: "动态分级上升",
			Reasons: []string{fmt.Sprintf("%s，热度%d，分级由%s升至%s（%s）", d.Department, int(m.Heat+0.5), from, m.To, monthDay(m.Day))},
		}
		if m.To == "S" || m.To == "A" {
			c.Severity = SeverityHigh
			c.Reasons = append(c.Reasons, "已进入重点客户层级，建议本周内拜访")
		}
		out = append(out, c)
	}
	return out
}

// Trial signal kinds (signal class trial).
const (
	TrialInvestigator = "trial_investigator"
	TrialEnrolled     = "trial_enrolled"
)

// TrialInvestigators raises the "high-value customer" alert of the seed
// article: a doctor takes part in one of the company's clinical trials, of
// any trial kind (investigator, enrolment, screening, a company's own kinds)
// — the same kinds the ranking's trial rule boosts, so the alert's "priority
// raised" is true. Several signals of one doctor in a batch make one alert.
func TrialInvestigators(sigs []Signal, doctors map[uint]Doctor) []Candidate {
	type acc struct {
		investigator bool
		enrolled     float64
		enrolls      bool
		details      []string
	}
	byDoctor := map[uint]*acc{}
	var order []uint
	for _, s := range sigs {
		if s.Class != ClassTrial || s.Value < 0 {
			continue
		}
		if _, ok := doctors[s.DoctorID]; !ok {
			continue
		}
		a := byDoctor[s.DoctorID]
		if a == nil {
			a = &acc{}
			byDoctor[s.DoctorID] = a
			order = append(order, s.DoctorID)
		}
		switch s.Kind {
		case TrialInvestigator:
			a.investigator = true
		case TrialEnrolled:
			a.enrolled += s.Value
			a.enrolls = true
		}
		if s.Detail != "" && len(a.details) < 2 {
			a.details = append(a.details, s.Detail)
		}
	}
	sort.Slice(order, func(i, j int) bool { return order[i] < order[j] })
	out := make([]Candidate, 0, len(order))
	for _, id := range order {
		a, d := byDoctor[id], doctors[id]
		c := Candidate{
			Kind: KindTrial, SubjectKey: fmt.Sprintf("doctor:%d", id), DoctorID: id, HospitalID: d.HospitalID,
			Department: d.Department, Title: "临床试验：" + d.Label(), Severity: SeverityHigh,
			EmphasisTitle: "研究者", EmphasisDesc: "高价值客户",
		}
		switch {
		case a.investigator:
		case a.enrolls:
			c.EmphasisTitle = fmt.Sprintf("入组%d例", int(a.enrolled+0.5))
		default:
			c.EmphasisTitle = "参与试验"
		}
		if len(a.details) > 0 {
			c.Reasons = append(c.Reasons, strings.Join(a.details, "；"))
		}
		c.Reasons = append(c.Reasons, "参与我司临床试验，已提升拜访优先级，建议安排学术拜访")
		out = append(out, c)
	}
	return out
}
