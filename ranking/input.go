// Package ranking is the brain of visitbot: the heat index (客户热度指数), the
// dynamic S/A/B/C tiers and each rep's daily Top-N with reasons and a route.
//
// Everything here is a pure function over plain structs: the store only feeds
// it (package recommend loads and persists), "now" and "today" are arguments,
// and nothing touches a database, the network or the wall clock. That keeps
// every factor table-testable and the benchmark honest about what is compute.
package ranking

import (
	"time"
	"visitbot/signals"
)

// Signal classes of the heat index: the keys of the registry in package
// signals (each needs its scorer here: a saturation, or a sub-score of its own).
const (
	ClassFiling     = signals.Filing
	ClassRxTrend    = signals.RxTrend
	ClassMeeting    = signals.Meeting
	ClassLecture    = signals.Lecture
	ClassCompetitor = signals.Competitor
	ClassTrial      = signals.Trial
	ClassDigital    = signals.Digital
	ClassVisit      = signals.Visit
)

// classes is the order of the classes in breakdowns: the registry's.
var classes = signals.Keys()

// heatKeys are the breakdown keys of the classes' points ("heat_" + class),
// in classes' order: built once, as every pick's breakdown names them.
var heatKeys = func() []string {
	out := make([]string, len(classes))
	for i, c := range classes {
		out[i] = "heat_" + c
	}
	return out
}()

// heatKey is class's breakdown key.
func heatKey(class string) string {
	if i := classIndex(class); i >= 0 {
		return heatKeys[i]
	}
	return "heat_" + class
}

func classIndex(class string) int {
	for i, c := range classes {
		if c == class {
			return i
		}
	}
	return -1
}

// Doctor titles (职称), the same strings as models.Title*.
const (
	TitleChief     = "chief"
	TitleAssociate = "associate"
	TitleAttending = "attending"
	TitleResident  = "resident"
)

// Hospital levels, the same strings as models.Level*.
const (
	Level3A        = "三级甲等"
	Level3         = "三级"
	Level2         = "二级"
	LevelCommunity = "社区卫生服务中心"
)

// Filing roles that count towards the filing sub-score (comma-separated in models.Doctor.Roles).
const (
	RoleFormulary         = "formulary"          // 药事会成员
	RoleInsuranceAdvocate = "insurance_advocate" // 医保目录推动者
)

// Signal is one observed event about a doctor, e.g. an online-lecture
// attendance. Value > 0 is a positive interaction; Value <= 0 records a miss
// (an invited lecture not attended, a refused visit) that breaks streaks and
// adds nothing.
type Signal struct {
	Class string
	Kind  string
	Value float64
	At    time.Time
}

// Doctor is what the heat index needs to know about one HCP.
type Doctor struct {
	ID         uint
	HospitalID uint
	Department string
	Title      string
	KOL        bool
	Roles      []string
	// HospitalLevel is the hospital's level (Level*), part of the prior.
	HospitalLevel string
	// Signals in any order; those after "now" are ignored.
	Signals []Signal
	// Calendar is the company's event series (shared by all doctors), which
	// lets consecutive rules see misses nobody recorded; nil: rules count the
	// doctor's own signals.
	Calendar *Calendar
}

// FlowPoint is one month of hospital × department × product flow data (流向):
// the compliant source of the prescription trend.
type FlowPoint struct {
	HospitalID uint
	Department string
	ProductID  uint
	Month      string // "2026-05"
	Quantity   float64
}

// DeptKey identifies a hospital department, the finest grain of flow data.
type DeptKey struct {
	HospitalID uint
	Department string
}
