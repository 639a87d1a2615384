package importer

import (
	"slices"
	"strings"

	"visitbot/models"
)

// SignalKind is a kind of signal (models.Signal.Kind) that visitbot knows:
// rules match kinds by name (ranking.rules[].when) and the alert detectors
// read some of them, so a kind nobody knows would be stored and silently
// never count. Imports accept only known kinds; a company's own labels are
// mapped to them under values.kind.
type SignalKind struct {
	Name  string
	Class string
	// Label is the Chinese name, also accepted as a value.
	Label string
	// UsedBy says which rule or alert reads the kind ("" = heat by class only).
	UsedBy string
}

// builtinKinds are the kinds the default rules, the alert detectors, the
// demo world and the simulated market use.
var builtinKinds = []SignalKind{
	{"filing_update", models.ClassFiling, "备案信息变更", ""},
	{"formulary_member", models.ClassFiling, "药事会委员", ""},
	{"meeting_attend", models.ClassMeeting, "参加学术会议", ""},
	{"meeting_speaker", models.ClassMeeting, "学术会议讲者", ""},
	{"lecture_attend", models.ClassLecture, "参加线上讲座", "rule consecutive_lectures"},
	{"lecture_absent", models.ClassLecture, "报名未参加线上讲座", "rule consecutive_lectures (breaks the run)"},
	{"lecture_replay", models.ClassLecture, "观看讲座回放", ""},
	{"competitor_event", models.ClassCompetitor, "竞品活动", ""},
	{"competitor_meeting", models.ClassCompetitor, "参加竞品会议", ""},
	{"competitor_visit", models.ClassCompetitor, "竞品拜访", ""},
	{"trial_investigator", models.ClassTrial, "临床试验研究者", "alert trial_investigator (高价值客户), rule clinical_trial"},
	{"trial_enrolled", models.ClassTrial, "临床试验入组", "alert trial_investigator (高价值客户), rule clinical_trial"},
	{"trial_screening", models.ClassTrial, "临床试验筛选", "alert trial_investigator (高价值客户), rule clinical_trial"},
	{"leaflet_view", models.ClassDigital, "查看产品说明书", "alert silent_kol (沉默KOL)"},
	{"leaflet_search", models.ClassDigital, "搜索产品说明书", "alert silent_kol (沉默KOL)"},
	{"material_open", models.ClassDigital, "打开推广资料", "alert silent_kol (沉默KOL)"},
	{"visit_met", models.ClassVisit, "拜访见到医生", "alert silent_kol (last contact)"},
	{"visit_positive", models.ClassVisit, "拜访反馈积极", "alert silent_kol (last contact)"},
	{"visit_no_show", models.ClassVisit, "拜访未见到医生", ""},
	{"visit_refused", models.ClassVisit, "拜访被拒", ""},
	{"phone_call", models.ClassVisit, "电话沟通", ""},
	{"monthly_rx", models.ClassRxTrend, "月度处方量", "refused unless compliance.allow_doctor_level_rx"},
}

// BuiltinSignalKinds lists the kinds every installation knows, by class.
func BuiltinSignalKinds() []SignalKind { return slices.Clone(builtinKinds) }

// kindCatalog resolves kind names and Chinese labels to known kinds.
type kindCatalog struct {
	list   []SignalKind
	byName map[string]SignalKind // lower-cased name and label → kind
}

// newKindCatalog joins the built-in kinds with extra ones (the kinds of the
// configured rules); an extra kind with a name already known adds nothing.
func newKindCatalog(extra []SignalKind) *kindCatalog {
	c := &kindCatalog{byName: map[string]SignalKind{}}
	for _, k := range append(slices.Clone(builtinKinds), extra...) {
		k.Name = strings.TrimSpace(k.Name)
		if k.Name == "" {
			continue
		}
		if _, dup := c.byName[strings.ToLower(k.Name)]; dup {
			continue
		}
		c.list = append(c.list, k)
		c.byName[strings.ToLower(k.Name)] = k
		if k.Label != "" {
			if _, dup := c.byName[strings.ToLower(k.Label)]; !dup {
				c.byName[strings.ToLower(k.Label)] = k
			}
		}
	}
	return c
}

func (c *kindCatalog) lookup(v string) (SignalKind, bool) {
	k, ok := c.byName[strings.ToLower(strings.TrimSpace(v))]
	return k, ok
}

// names lists the known kind names, sorted, for messages.
func (c *kindCatalog) names() string {
	out := make([]string, len(c.list))
	for i, k := range c.list {
		out[i] = k.Name
	}
	slices.Sort(out)
	return strings.Join(out, ", ")
}

// RuleKinds turns configured rules (their `when` kind and `class`) into extra
// known kinds, so a company's own rule kinds are accepted by imports.
func RuleKinds(rules []RuleKind) []SignalKind {
	out := make([]SignalKind, 0, len(rules))
	for _, r := range rules {
		if r.When != "" {
			out = append(out, SignalKind{Name: r.When, Class: r.Class, UsedBy: "rule " + r.Name})
		}
	}
	return out
}

// RuleKind is what the importer needs of a ranking rule (config.RuleConfig).
type RuleKind struct {
	Name, When, Class string
}
