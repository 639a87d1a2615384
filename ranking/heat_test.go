package ranking

import (
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"visitbot/config"
)

var now = time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC)

func defaultConfig() config.RankingConfig {
	return config.RankingConfig{
		TopN: 5, CooldownDays: 3, HalfLifeDays: 30,
		Weights: map[string]float64{
			"filing": 0.15, "rx_trend": 0.15, "meeting": 0.10, "lecture": 0.15,
			"competitor": 0.10, "trial": 0.10, "digital": 0.10, "visit": 0.15,
		},
		Rules: []config.RuleConfig{
			{Name: "consecutive_lectures", When: "lecture_attend", Count: 2, Consecutive: true, Class: "lecture", Multiply: 1.3, Reason: "连续%d次参加线上讲座"},
			{Name: "trial_investigator", When: "trial_investigator", Count: 1, WithinDays: 365, Class: "trial", Add: 20, Reason: "临床试验研究者"},
		},
		TierPercentiles: config.TierPercentiles{S: 0.90, A: 0.70, B: 0.40},
		TierHysteresis:  0.03,
	}
}

func scorer(t testing.TB, mutate ...func(*config.RankingConfig)) *Scorer {
	t.Helper()
	cfg := defaultConfig()
	for _, m := range mutate {
		m(&cfg)
	}
	s, err := NewScorer(cfg, false)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func sig(class, kind string, daysAgo float64) Signal {
	return Signal{Class: class, Kind: kind, Value: 1, At: now.Add(-time.Duration(daysAgo * 24 * float64(time.Hour)))}
}

func near(a, b float64) bool { return math.Abs(a-b) < 1e-9 }

// points is what one class contributes with sub-score sub under the default weights (sum 1.0).
func points(class string, sub float64) float64 { return 100 * defaultConfig().Weights[class] * sub }

func TestHeatEachClassFactor(t *testing.T) {
	s := scorer(t, func(c *config.RankingConfig) { c.Rules = nil })
	sat := func(class string, x float64) float64 { return 1 - math.Exp(-x/saturation[class]) }
	cases := []struct {
		name  string
		d     Doctor
		trend Trend
		class string
		want  float64 // class points
	}{
		{"nothing known", Doctor{}, Trend{}, ClassFiling, 0},
		{"chief title", Doctor{Title: TitleChief}, Trend{}, ClassFiling, points(ClassFiling, 0.3)},
		{"resident title", Doctor{Title: TitleResident}, Trend{}, ClassFiling, points(ClassFiling, 0.05)},
		{"tertiary hospital", Doctor{Title: TitleResident, HospitalLevel: Level3A}, Trend{}, ClassFiling, points(ClassFiling, 0.05+0.3)},
		{"community centre", Doctor{Title: TitleResident, HospitalLevel: LevelCommunity}, Trend{}, ClassFiling, points(ClassFiling, 0.05+0.03)},
		{"KOL and formulary role", Doctor{Title: TitleAttending, KOL: true, Roles: []string{RoleFormulary}}, Trend{}, ClassFiling, points(ClassFiling, 0.12+0.2+0.1)},
		{"filing capped at 1", Doctor{Title: TitleChief, HospitalLevel: Level3A, KOL: true, Roles: []string{RoleFormulary, RoleInsuranceAdvocate}}, Trend{}, ClassFiling, points(ClassFiling, 1)},
		{"flat department trend", Doctor{}, Trend{Known: true, Recent: 100, Prior: 100}, ClassRxTrend, points(ClassRxTrend, 0.5)},
		{"rising department trend", Doctor{}, Trend{Known: true, Growth: 0.3}, ClassRxTrend, points(ClassRxTrend, 0.5+0.5*math.Tanh(1))},
		{"unknown trend is neutral", Doctor{}, Trend{}, ClassRxTrend, points(ClassRxTrend, 0.5)},
		{"meeting today", Doctor{Signals: []Signal{sig(ClassMeeting, "meeting_attend", 0)}}, Trend{}, ClassMeeting, points(ClassMeeting, sat(ClassMeeting, 1))},
		{"meeting one half-life ago", Doctor{Signals: []Signal{sig(ClassMeeting, "meeting_attend", 30)}}, Trend{}, ClassMeeting, points(ClassMeeting, sat(ClassMeeting, 0.5))},
		{"lecture", Doctor{Signals: []Signal{sig(ClassLecture, "lecture_attend", 0)}}, Trend{}, ClassLecture, points(ClassLecture, sat(ClassLecture, 1))},
		{"competitor", Doctor{Signals: []Signal{sig(ClassCompetitor, "competitor_event", 0)}}, Trend{}, ClassCompetitor, points(ClassCompetitor, sat(ClassCompetitor, 1))},
		{"trial", Doctor{Signals: []Signal{sig(ClassTrial, "trial_enrol", 0)}}, Trend{}, ClassTrial, points(ClassTrial, sat(ClassTrial, 1))},
		{"digital x2", Doctor{Signals: []Signal{sig(ClassDigital, "leaflet_view", 0), sig(ClassDigital, "search", 0)}}, Trend{}, ClassDigital, points(ClassDigital, sat(ClassDigital, 2))},
		{"visit", Doctor{Signals: []Signal{sig(ClassVisit, "visit_met", 0)}}, Trend{}, ClassVisit, points(ClassVisit, sat(ClassVisit, 1))},
		{"miss adds nothing", Doctor{Signals: []Signal{{Class: ClassLecture, Kind: "lecture_absent", Value: 0, At: now}}}, Trend{}, ClassLecture, 0},
		{"future signal ignored", Doctor{Signals: []Signal{sig(ClassLecture, "lecture_attend", -2)}}, Trend{}, ClassLecture, 0},
		{"unknown class ignored", Doctor{Signals: []Signal{sig("gossip", "x", 0)}}, Trend{}, ClassLecture, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := s.Heat(tc.d, tc.trend, now)
			if got := h.Class(tc.class).Points; !near(got, tc.want) {
				t.Errorf("%s points = %v, want %v", tc.class, got, tc.want)
			}
			sum := 0.0
			for _, c := range h.Classes {
				sum += c.Points
			}
			if !near(h.Score, sum) {
				t.Errorf("score %v != sum of class points %v", h.Score, sum)
			}
		})
	}
}

func TestWeightsComeFromConfig(t *testing.T) {
	d := Doctor{Signals: []Signal{sig(ClassLecture, "lecture_attend", 0)}}
	only := scorer(t, func(c *config.RankingConfig) {
		c.Rules = nil
		c.Weights = map[string]float64{"lecture": 2}
	})
	h := only.Heat(d, Trend{}, now)
	if want := 100 * (1 - math.Exp(-1/saturation[ClassLecture])); !near(h.Score, want) {
		t.Errorf("lecture-only heat = %v, want %v", h.Score, want)
	}
	none := scorer(t, func(c *config.RankingConfig) { c.Weights = map[string]float64{} })
	if h := none.Heat(d, Trend{}, now); h.Score != 0 {
		t.Errorf("no weights: heat = %v, want 0", h.Score)
	}
}

func TestRules(t *testing.T) {
	attend := func(d float64) Signal { return sig(ClassLecture, "lecture_attend", d) }
	miss := func(d float64) Signal {
		return Signal{Class: ClassLecture, Kind: "lecture_absent", Value: 0, At: now.AddDate(0, 0, -int(d))}
	}
	replay := func(d float64) Signal { return sig(ClassLecture, "lecture_replay", d) }
	trial := func(d float64) Signal { return sig(ClassTrial, "trial_investigator", d) }
	cases := []struct {
		name       string
		signals    []Signal
		wantRule   string // "" = no rule fires
		wantReason string
	}{
		{"one lecture", []Signal{attend(3)}, "", ""},
		{"two consecutive lectures ×1.3", []Signal{attend(10), attend(3)}, "consecutive_lectures", "连续2次参加线上讲座"},
		{"three consecutive", []Signal{attend(20), attend(10), attend(3)}, "consecutive_lectures", "连续3次参加线上讲座"},
		{"a miss between breaks the streak", []Signal{attend(20), miss(10), attend(3)}, "", ""},
		{"a miss after ends the streak", []Signal{attend(20), attend(10), miss(3)}, "", ""},
		{"streak after an old miss", []Signal{miss(30), attend(20), attend(10)}, "consecutive_lectures", "连续2次参加线上讲座"},
		{"another positive kind does not break it", []Signal{attend(20), replay(15), attend(10)}, "consecutive_lectures", "连续2次参加线上讲座"},
		{"unsorted input", []Signal{attend(3), attend(10)}, "consecutive_lectures", "连续2次参加线上讲座"},
		{"trial investigator boost", []Signal{trial(100)}, "trial_investigator", "临床试验研究者"},
		{"trial investigator too long ago", []Signal{trial(400)}, "", ""},
	}
	s := scorer(t)
	plain := scorer(t, func(c *config.RankingConfig) { c.Rules = nil })
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			d := Doctor{Signals: tc.signals}
			h, base := s.Heat(d, Trend{}, now), plain.Heat(d, Trend{}, now)
			if tc.wantRule == "" {
				if len(h.Rules) != 0 || !near(h.Score, base.Score) {
					t.Fatalf("rules %v fired, heat %v vs %v without rules", h.Rules, h.Score, base.Score)
				}
				return
			}
			if len(h.Rules) != 1 || h.Rules[0].Name != tc.wantRule || h.Rules[0].Reason != tc.wantReason {
				t.Fatalf("rules = %+v, want %s %q", h.Rules, tc.wantRule, tc.wantReason)
			}
			if h.Phrases[0] != tc.wantReason {
				t.Errorf("first phrase %q, want the rule reason %q", h.Phrases[0], tc.wantReason)
			}
			switch tc.wantRule {
			case "consecutive_lectures":
				if got, want := h.Class(ClassLecture).Sub, min(1, 1.3*base.Class(ClassLecture).Sub); !near(got, want) {
					t.Errorf("lecture sub = %v, want ×1.3 = %v", got, want)
				}
			case "trial_investigator":
				if !near(h.Score, base.Score+20) || h.Bonus != 20 {
					t.Errorf("heat = %v (bonus %v), want %v + 20", h.Score, h.Bonus, base.Score)
				}
			}
		})
	}
}

func TestNonConsecutiveRuleCountsWithinWindow(t *testing.T) {
	s := scorer(t, func(c *config.RankingConfig) {
		c.Rules = []config.RuleConfig{{Name: "digital_burst", When: "leaflet_view", Count: 3, WithinDays: 7, Class: "digital", Multiply: 1.5, Reason: "一周内查看说明书%d次"}}
	})
	v := func(d float64) Signal { return sig(ClassDigital, "leaflet_view", d) }
	if h := s.Heat(Doctor{Signals: []Signal{v(1), v(2), v(10)}}, Trend{}, now); len(h.Rules) != 0 {
		t.Errorf("2 views in window fired %v", h.Rules)
	}
	h := s.Heat(Doctor{Signals: []Signal{v(1), v(2), v(3), v(10)}}, Trend{}, now)
	if len(h.Rules) != 1 || h.Rules[0].Reason != "一周内查看说明书3次" {
		t.Errorf("rules = %+v", h.Rules)
	}
}

func TestHeatIsClampedTo100(t *testing.T) {
	s := scorer(t, func(c *config.RankingConfig) { c.Rules[1].Add = 500 })
	var sigs []Signal
	for _, c := range classes {
		for i := 0; i < 50; i++ {
			sigs = append(sigs, sig(c, "x", 0))
		}
	}
	sigs = append(sigs, sig(ClassTrial, "trial_investigator", 1))
	h := s.Heat(Doctor{Title: TitleChief, KOL: true, Roles: []string{RoleFormulary, RoleInsuranceAdvocate}, Signals: sigs}, Trend{Known: true, Growth: 5}, now)
	if h.Score != 100 {
		t.Errorf("heat = %v, want 100", h.Score)
	}
}

// TestDoctorLevelRxIgnoredUnlessAllowed is the compliance guard of the score:
// rx_trend signals about one doctor never move the heat by default.
func TestDoctorLevelRxIgnoredUnlessAllowed(t *testing.T) {
	d := Doctor{Signals: []Signal{{Class: ClassRxTrend, Kind: "doctor_rx_count", Value: 40, At: now}}}
	flow := Trend{Known: true, Growth: 0}
	def := scorer(t)
	h := def.Heat(d, flow, now)
	if got, want := h.Class(ClassRxTrend).Sub, 0.5; !near(got, want) {
		t.Errorf("default: rx sub = %v, want the flow-only %v", got, want)
	}
	if base := def.Heat(Doctor{}, flow, now); !near(h.Score, base.Score) {
		t.Errorf("default: doctor-level rx moved heat %v → %v", base.Score, h.Score)
	}
	allowed, err := NewScorer(defaultConfig(), true)
	if err != nil {
		t.Fatal(err)
	}
	if got := allowed.Heat(d, flow, now).Class(ClassRxTrend).Sub; got <= 0.5 {
		t.Errorf("allowed: rx sub = %v, want > flow-only 0.5", got)
	}
}

// TestPositiveSignalNeverLowersHeat is the monotonicity property over
// random doctors: adding one positive signal (any class, kind, age) never
// lowers the heat index under the shipped rules, with or without a calendar
// of lecture series (the new signal joins the calendar too); with a learned
// negative weight, only a signal of that class may.
func TestPositiveSignalNeverLowersHeat(t *testing.T) {
	withRx, err := NewScorer(defaultConfig(), true)
	if err != nil {
		t.Fatal(err)
	}
	shipped, err := NewScorer(config.Default().Ranking, false)
	if err != nil {
		t.Fatal(err)
	}
	learned := shipped.Weights()
	learned[classIndex(ClassCompetitor)] = -0.2
	for name, tc := range map[string]struct {
		s        *Scorer
		calendar bool
		lowers   string // the one class whose signals may lower heat
	}{
		"default":                      {s: scorer(t)},
		"doctor-level rx allowed":      {s: withRx},
		"shipped config with calendar": {s: shipped, calendar: true},
		"learned negative competitor":  {s: shipped.WithWeights(learned), calendar: true, lowers: ClassCompetitor},
	} {
		t.Run(name, func(t *testing.T) { checkMonotonic(t, tc.s, tc.calendar, tc.lowers) })
	}
}

func checkMonotonic(t *testing.T, s *Scorer, withCalendar bool, lowers string) {
	kinds := map[string][]string{
		ClassLecture: {"lecture_attend", "lecture_replay", "lecture_absent"},
		ClassTrial:   {"trial_investigator", "trial_enrol"},
	}
	rng := rand.New(rand.NewPCG(4, 2026))
	randomSignal := func(positive bool) Signal {
		c := classes[rng.IntN(len(classes))]
		kind := c + "_event"
		if ks := kinds[c]; ks != nil {
			kind = ks[rng.IntN(len(ks))]
		}
		v := 0.0
		if positive || rng.IntN(4) > 0 {
			v = 0.1 + 3*rng.Float64()
		}
		return Signal{Class: c, Kind: kind, Value: v, At: now.Add(-time.Duration(rng.Float64() * 400 * 24 * float64(time.Hour)))}
	}
	// calendar is the series calendar of everyone's lecture attendances: a
	// weekly series on day%7 == 2 that others attend, plus the doctor's own.
	calendar := func(d Doctor) *Calendar {
		if !withCalendar {
			return nil
		}
		var evs []Event
		for k := 0; k < 60; k++ {
			if k%7 == 2 {
				evs = append(evs, Event{Kind: "lecture_attend", Day: now.AddDate(0, 0, -k).Format("2006-01-02")})
			}
		}
		for _, sg := range d.Signals {
			if sg.Class == ClassLecture && sg.Kind == "lecture_attend" && sg.Value > 0 {
				evs = append(evs, Event{Kind: sg.Kind, Day: sg.At.Format("2006-01-02")})
			}
		}
		return NewCalendar(evs, time.UTC)
	}
	titles := []string{"", TitleChief, TitleAssociate, TitleAttending, TitleResident}
	levels := []string{"", Level3A, Level3, Level2, LevelCommunity}
	lowered := 0
	for i := 0; i < 5000; i++ {
		d := Doctor{Title: titles[rng.IntN(len(titles))], HospitalLevel: levels[rng.IntN(len(levels))], KOL: rng.IntN(5) == 0}
		for n := rng.IntN(30); n > 0; n-- {
			d.Signals = append(d.Signals, randomSignal(false))
		}
		d.Calendar = calendar(d)
		trend := Trend{Known: rng.IntN(2) == 0, Growth: rng.Float64()*2 - 1}
		before := s.Heat(d, trend, now).Score
		more := d
		more.Signals = append(slices.Clone(d.Signals), randomSignal(true))
		more.Calendar = calendar(more)
		added := more.Signals[len(more.Signals)-1]
		after := s.Heat(more, trend, now).Score
		switch {
		case after >= before-1e-9:
		case added.Class == lowers:
			lowered++
		default:
			t.Fatalf("doctor %d: adding %+v lowered heat %v → %v", i, added, before, after)
		}
	}
	if lowers != "" && lowered == 0 {
		t.Errorf("no %s signal lowered heat under a negative weight: the weight is not applied", lowers)
	}
}

func TestNewScorerRejectsBadConfig(t *testing.T) {
	cases := map[string]func(*config.RankingConfig){
		"zero half-life": func(c *config.RankingConfig) { c.HalfLifeDays = 0 },
		"unknown weight": func(c *config.RankingConfig) { c.Weights["gossip"] = 1 },
		"weight too big": func(c *config.RankingConfig) { c.Weights["lecture"] = -11 },
		"rule class":     func(c *config.RankingConfig) { c.Rules[0].Class = "gossip" },
		"rule multiply":  func(c *config.RankingConfig) { c.Rules[0].Multiply = -1 },
	}
	for name, m := range cases {
		cfg := defaultConfig()
		m(&cfg)
		if _, err := NewScorer(cfg, false); err == nil || !strings.HasPrefix(err.Error(), "ranking: ") {
			t.Errorf("%s: err = %v", name, err)
		}
	}
}

func TestLookbackCoversDecayAndRules(t *testing.T) {
	if got := scorer(t).LookbackDays(); got != 365 {
		t.Errorf("lookback = %d, want the trial rule's 365", got)
	}
	if got := scorer(t, func(c *config.RankingConfig) { c.Rules = nil }).LookbackDays(); got != 150 {
		t.Errorf("lookback = %d, want 5 half-lives = 150", got)
	}
}

func TestHeatPhrases(t *testing.T) {
	s := scorer(t)
	d := Doctor{Title: TitleAttending, Roles: []string{RoleInsuranceAdvocate}, Signals: []Signal{
		sig(ClassLecture, "lecture_attend", 20), sig(ClassLecture, "lecture_attend", 5),
		sig(ClassMeeting, "meeting_attend", 10), sig(ClassDigital, "leaflet_view", 1),
	}}
	h := s.Heat(d, Trend{Known: true, Growth: 0.25}, now)
	want := []string{"连续2次参加线上讲座", "科室用药上升25%", "近3月参加学术会议1次", "医保目录推动者", "近期查看产品资料1次"}
	if !slices.Equal(h.Phrases, want) {
		t.Errorf("phrases = %q, want %q", h.Phrases, want)
	}
}
