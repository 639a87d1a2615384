package alerts

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

var shanghai = func() *time.Location {
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		panic(err)
	}
	return loc
}()

var th = Thresholds{SilentKOLDays: 14, FlowDropPct: 30, FlowMinBase: 50, PlanMatchMin: 0.6, PlanMinPlanned: 5, PlanOffLevelPct: 30}

func kol(id uint) Doctor {
	return Doctor{ID: id, Name: "张伟", Title: "chief", KOL: true, Department: "心内科", HospitalID: 1, Hospital: "浙大一院", Level: "三级甲等"}
}

func TestSilentKOLThreshold(t *testing.T) {
	now := time.Date(2026, 12, 1, 9, 0, 0, 0, shanghai)
	cases := []struct {
		name      string
		last      string
		kol       bool
		digital   []Signal
		fresh     bool // RequireFresh
		want      bool
		emphasis  string
		severity  Severity
		reasonHas string
	}{
		{"13 days: not yet", "2026-11-18", true, nil, false, false, "", 0, ""},
		{"14 days: at the threshold", "2026-11-17", true, nil, false, true, "14天", SeverityNormal, "已14天"},
		{"21 days", "2026-11-10", true, nil, false, true, "21天", SeverityNormal, "上次 11月10日"},
		{"never contacted", "", true, nil, false, true, "无记录", SeverityNormal, "从未拜访或互动"},
		{"not a KOL", "2026-10-01", false, nil, false, false, "", 0, ""},
		{"fresh searches make it louder", "2026-11-10", true, []Signal{
			{DoctorID: 7, Class: ClassDigital, Kind: "leaflet_search", At: now.Add(-24 * time.Hour)},
			{DoctorID: 7, Class: ClassDigital, Kind: "leaflet_search", At: now.Add(-72 * time.Hour)},
		}, false, true, "21天", SeverityHigh, "本周两次搜索我司产品说明书"},
		{"digital older than 7 days is not fresh", "2026-11-10", true, []Signal{
			{DoctorID: 7, Class: ClassDigital, Kind: "leaflet_search", At: now.Add(-7*24*time.Hour - time.Minute)},
		}, false, true, "21天", SeverityNormal, ""},
		{"digital exactly 7 days ago is fresh", "2026-11-10", true, []Signal{
			{DoctorID: 7, Class: ClassDigital, Kind: "leaflet_view", At: now.Add(-7 * 24 * time.Hour)},
		}, false, true, "21天", SeverityHigh, "本周一次查看我司产品说明书"},
		{"real time needs fresh signals", "2026-11-10", true, nil, true, false, "", 0, ""},
		{"real time with a fresh signal", "2026-11-10", true, []Signal{
			{DoctorID: 7, Class: ClassDigital, Kind: "material_open", At: now},
		}, true, true, "21天", SeverityHigh, "一次打开推广资料"},
		{"real time, fresh but not silent", "2026-11-25", true, []Signal{
			{DoctorID: 7, Class: ClassDigital, Kind: "material_open", At: now},
		}, true, false, "", 0, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			d := kol(7)
			d.KOL = tc.kol
			in := SilentInput{Today: "2026-12-01", Now: now, Loc: shanghai, Doctors: []Doctor{d},
				LastContact: map[uint]string{}, Digital: tc.digital, RequireFresh: tc.fresh}
			if tc.last != "" {
				in.LastContact[7] = tc.last
			}
			got, err := SilentKOLs(in, th)
			if err != nil {
				t.Fatal(err)
			}
			if (len(got) == 1) != tc.want || len(got) > 1 {
				t.Fatalf("got %d candidates, want alert=%v: %+v", len(got), tc.want, got)
			}
			if !tc.want {
				return
			}
			c := got[0]
			if c.Kind != KindSilentKOL || c.SubjectKey != "doctor:7" || c.DoctorID != 7 || c.Once {
				t.Fatalf("candidate = %+v", c)
			}
			if c.EmphasisTitle != tc.emphasis || c.Severity != tc.severity {
				t.Fatalf("emphasis %q severity %d, want %q %d", c.EmphasisTitle, c.Severity, tc.emphasis, tc.severity)
			}
			if all := strings.Join(c.Reasons, "|"); !strings.Contains(all, tc.reasonHas) {
				t.Fatalf("reasons %q lack %q", all, tc.reasonHas)
			}
		})
	}
}

func TestSilentKOLBadDay(t *testing.T) {
	_, err := SilentKOLs(SilentInput{Today: "2026-12-01", Doctors: []Doctor{kol(1)}, LastContact: map[uint]string{1: "yesterday"}}, th)
	if err == nil {
		t.Fatal("want an error for a malformed day")
	}
}

func TestRisingDoctors(t *testing.T) {
	docs := map[uint]Doctor{1: kol(1), 2: kol(2)}
	cases := []struct {
		name     string
		move     TierMove
		want     bool
		emphasis string
		severity Severity
	}{
		{"B to A is loud", TierMove{DoctorID: 1, Day: "2026-12-01", From: "B", To: "A", Heat: 71.6, Rising: true}, true, "B→A", SeverityHigh},
		{"C to B", TierMove{DoctorID: 1, Day: "2026-12-01", From: "C", To: "B", Rising: true}, true, "C→B", SeverityNormal},
		{"first tier", TierMove{DoctorID: 1, Day: "2026-12-01", To: "S", Rising: true}, true, "新→S", SeverityHigh},
		{"a move down is no alert", TierMove{DoctorID: 1, Day: "2026-12-01", From: "A", To: "B"}, false, "", 0},
		{"unknown doctor", TierMove{DoctorID: 9, Day: "2026-12-01", From: "B", To: "A", Rising: true}, false, "", 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := RisingDoctors([]TierMove{tc.move}, docs)
			if (len(got) == 1) != tc.want {
				t.Fatalf("got %+v", got)
			}
			if tc.want && (got[0].EmphasisTitle != tc.emphasis || got[0].Severity != tc.severity || !got[0].Once ||
				got[0].SubjectKey != "doctor:1:2026-12-01") {
				t.Fatalf("candidate = %+v", got[0])
			}
		})
	}
}

func TestTrialInvestigators(t *testing.T) {
	docs := map[uint]Doctor{1: kol(1), 2: kol(2), 3: kol(3)}
	sigs := []Signal{
		{DoctorID: 3, Class: ClassTrial, Kind: "trial_screening", Value: 1},
		{DoctorID: 2, Class: ClassTrial, Kind: TrialEnrolled, Value: 3, Detail: "入组受试者：ABC-301"},
		{DoctorID: 1, Class: ClassTrial, Kind: TrialInvestigator, Detail: "研究者：ABC-301"},
		{DoctorID: 1, Class: ClassTrial, Kind: TrialEnrolled, Value: 2},
		{DoctorID: 1, Class: ClassDigital, Kind: "leaflet_view"},
		{DoctorID: 1, Class: ClassTrial, Kind: "trial_screening"},
		{DoctorID: 9, Class: ClassTrial, Kind: TrialInvestigator},
	}
	got := TrialInvestigators(sigs, docs)
	if len(got) != 3 {
		t.Fatalf("got %d candidates, want one per known doctor: %+v", len(got), got)
	}
	if got[2].DoctorID != 3 || got[2].EmphasisTitle != "参与试验" || got[2].Kind != KindTrial {
		t.Fatalf("doctor 3 (screening, a trial kind like any other): %+v", got[2])
	}
	if got[0].DoctorID != 1 || got[0].EmphasisTitle != "研究者" || got[0].Severity != SeverityHigh || got[0].Kind != KindTrial {
		t.Fatalf("doctor 1: %+v", got[0])
	}
	if got[1].DoctorID != 2 || got[1].EmphasisTitle != "入组3例" || !strings.Contains(got[1].Reasons[0], "ABC-301") {
		t.Fatalf("doctor 2: %+v", got[1])
	}
	if len(TrialInvestigators(nil, docs)) != 0 {
		t.Fatal("no signals, no alerts")
	}
}

func TestFlowDrops(t *testing.T) {
	sites := map[SiteKey]Site{
		{1, "心内科"}: {HospitalID: 1, Hospital: "浙大一院", Department: "心内科", Key: true},
		{2, "心内科"}: {HospitalID: 2, Hospital: "社区中心", Department: "心内科", Key: false},
	}
	pts := func(h uint, prev, cur float64) []FlowPoint {
		return []FlowPoint{
			{HospitalID: h, Department: "心内科", Month: "2026-10", Quantity: prev * 0.6},
			{HospitalID: h, Department: "心内科", Month: "2026-10", Quantity: prev * 0.4}, // two products, summed
			{HospitalID: h, Department: "心内科", Month: "2026-11", Quantity: cur},
		}
	}
	cases := []struct {
		name     string
		points   []FlowPoint
		asOf     string
		want     bool
		emphasis string
		severity Severity
	}{
		{"29% drop: under the threshold", pts(1, 100, 71), "2026-11", false, "", 0},
		{"30% drop: at the threshold", pts(1, 100, 70), "2026-11", true, "-30%", SeverityNormal},
		{"60% drop is loud", pts(1, 100, 40), "2026-11", true, "-60%", SeverityHigh},
		{"growth", pts(1, 100, 130), "2026-11", false, "", 0},
		{"base under flow_min_base", pts(1, 49, 10), "2026-11", false, "", 0},
		{"base at flow_min_base", pts(1, 50, 10), "2026-11", true, "-80%", SeverityHigh},
		{"not a key site", pts(2, 100, 10), "2026-11", false, "", 0},
		{"months after asOf are ignored", append(pts(1, 100, 100), FlowPoint{HospitalID: 1, Department: "心内科", Month: "2026-12", Quantity: 1}), "2026-11", false, "", 0},
		{"gap: no previous calendar month", []FlowPoint{{1, "心内科", "2026-08", 100}, {1, "心内科", "2026-11", 10}}, "2026-11", false, "", 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := FlowDrops(tc.points, sites, tc.asOf, th)
			if err != nil {
				t.Fatal(err)
			}
			if (len(got) == 1) != tc.want {
				t.Fatalf("got %+v", got)
			}
			if tc.want {
				c := got[0]
				if c.EmphasisTitle != tc.emphasis || c.Severity != tc.severity || !c.Once || len(c.SubjectKey) > 64 ||
					!strings.HasSuffix(c.SubjectKey, ":2026-11") || c.HospitalID != 1 {
					t.Fatalf("candidate = %+v", c)
				}
			}
		})
	}
	if _, err := FlowDrops(nil, sites, "Nov", th); err == nil {
		t.Fatal("want an error for a bad month")
	}
}

func TestPlanDrift(t *testing.T) {
	reps := map[uint]Rep{1: {ID: 1, Name: "张三"}}
	week := func(planned, verified, lower int) []PlannedVisit {
		var out []PlannedVisit
		for i := 0; i < planned; i++ {
			v := PlannedVisit{RepID: 1, Day: "2026-11-25", PlannedLevel: "三级甲等"}
			if i < verified {
				v.Verified, v.CheckInLevel = true, "三级甲等"
			} else if i < verified+lower {
				v.CheckInLevel = "社区卫生服务中心"
			}
			out = append(out, v)
		}
		return out
	}
	cases := []struct {
		name     string
		visits   []PlannedVisit
		want     bool
		emphasis string
		offLevel bool
	}{
		{"60% match: at the threshold, fine", week(10, 6, 0), false, "", false},
		{"50% match: drift", week(10, 5, 0), true, "50%", false},
		{"too few planned to judge", week(4, 0, 0), false, "", false},
		{"at plan_min_planned", week(5, 2, 0), true, "40%", false},
		{"community check-ins at 30%", week(10, 7, 3), true, "3次", true},
		{"community check-ins under 30%", week(10, 8, 2), false, "", false},
		{"both", week(10, 2, 6), true, "20%", true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := PlanDrift(tc.visits, reps, th)
			if (len(got) == 1) != tc.want {
				t.Fatalf("got %+v", got)
			}
			if !tc.want {
				return
			}
			c := got[0]
			all := strings.Join(c.Reasons, "|")
			if c.EmphasisTitle != tc.emphasis || c.RepID != 1 || c.SubjectKey != "rep:1" || c.DoctorID != 0 ||
				strings.Contains(all, "等级低于计划") != tc.offLevel || !strings.Contains(all, "辅导") {
				t.Fatalf("candidate = %+v", c)
			}
		})
	}
}

func TestQuietRelease(t *testing.T) {
	at := func(h, m int) time.Time { return time.Date(2026, 12, 1, h, m, 0, 0, shanghai) }
	next := func(h, m int) time.Time { return time.Date(2026, 12, 2, h, m, 0, 0, shanghai) }
	night, err := ParseQuiet("21:00", "08:00")
	if err != nil {
		t.Fatal(err)
	}
	noon, _ := ParseQuiet("12:00", "14:00")
	none, _ := ParseQuiet("", "")
	same, _ := ParseQuiet("08:00", "08:00")
	cases := []struct {
		name string
		q    Quiet
		now  time.Time
		want time.Time
	}{
		{"20:59 is not quiet", night, at(20, 59), at(20, 59)},
		{"21:00 waits for the morning", night, at(21, 0), next(8, 0)},
		{"23:30 waits for the morning", night, at(23, 30), next(8, 0)},
		{"00:10 waits until 08:00 the same day", night, time.Date(2026, 12, 2, 0, 10, 0, 0, shanghai), next(8, 0)},
		{"07:59 waits", night, at(7, 59), at(8, 0)},
		{"08:00 goes", night, at(8, 0), at(8, 0)},
		{"same-day window", noon, at(12, 30), at(14, 0)},
		{"after a same-day window", noon, at(14, 0), at(14, 0)},
		{"no quiet hours", none, at(23, 0), at(23, 0)},
		{"equal bounds: none", same, at(8, 0), at(8, 0)},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.q.Release(tc.now.UTC(), shanghai); !got.Equal(tc.want) {
				t.Fatalf("Release(%s) = %s, want %s", tc.now, got.In(shanghai), tc.want)
			}
		})
	}
	if _, err := ParseQuiet("9pm", "08:00"); err == nil {
		t.Fatal("want an error for a bad bound")
	}
}

func TestBucketAndSuppressed(t *testing.T) {
	base := time.Date(2026, 12, 1, 9, 0, 0, 0, shanghai)
	cases := []struct {
		a, b time.Time
		same bool
	}{
		{base, base.Add(59 * time.Second), true},
		{base.Add(10 * time.Second), base.Add(40 * time.Second), true},
		{base.Add(59 * time.Second), base.Add(60 * time.Second), false},
	}
	for _, tc := range cases {
		if got := Bucket(tc.a, time.Minute).Equal(Bucket(tc.b, time.Minute)); got != tc.same {
			t.Errorf("Bucket(%s) vs Bucket(%s): same=%v, want %v", tc.a.Format("15:04:05"), tc.b.Format("15:04:05"), got, tc.same)
		}
	}
	week := 7 * 24 * time.Hour
	state, event := Candidate{Kind: KindSilentKOL}, Candidate{Kind: KindRising, Once: true}
	sup := []struct {
		name  string
		c     Candidate
		last  time.Time
		found bool
		want  bool
	}{
		{"first alert", state, time.Time{}, false, false},
		{"inside the cooldown", state, base.Add(-week + time.Second), true, true},
		{"cooldown just over", state, base.Add(-week), true, false},
		{"an event is raised once", event, base.Add(-30 * week), true, true},
		{"a new event", event, time.Time{}, false, false},
	}
	for _, tc := range sup {
		t.Run(tc.name, func(t *testing.T) {
			if got := Suppressed(tc.c, tc.last, tc.found, base, week); got != tc.want {
				t.Fatalf("Suppressed = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestSilentKOLsLoudestFirst(t *testing.T) {
	now := time.Date(2026, 12, 1, 9, 0, 0, 0, shanghai)
	docs := []Doctor{kol(1), kol(2), kol(3), kol(4)}
	in := SilentInput{Today: "2026-12-01", Now: now, Loc: shanghai, Doctors: docs,
		LastContact: map[uint]string{1: "2026-11-10", 2: "2026-10-01", 4: "2026-11-01"},
		Digital:     []Signal{{DoctorID: 4, Class: ClassDigital, Kind: "leaflet_search", At: now}}}
	got, err := SilentKOLs(in, th)
	if err != nil {
		t.Fatal(err)
	}
	var order []uint
	for _, c := range got {
		order = append(order, c.DoctorID)
	}
	if want := []uint{4, 3, 2, 1}; fmt.Sprint(order) != fmt.Sprint(want) {
		t.Fatalf("order = %v, want %v (fresh signals, then never contacted, then longest silence)", order, want)
	}
}
