package cards

import (
	"strings"
	"testing"
	"time"
)

func digestSample() DigestInput {
	loc := time.FixedZone("CST", 8*3600)
	return DigestInput{
		From: time.Date(2026, 11, 23, 0, 0, 0, 0, loc), To: time.Date(2026, 11, 29, 0, 0, 0, 0, loc),
		Manager: "王经理", Reps: 6, Planned: 575, Verified: 468, SACovered: 34, SATotal: 50, SilentKOLs: 5, SilentDays: 14,
		TierUp: 3, TierDown: 1, NewAlerts: 7, URL: "https://visitbot.example.com/dashboard",
		Exemplars: []Exemplar{
			{Rep: "张三", Doctor: "张主任", Hospital: "浙大一院", Commitments: []string{"试用处方", "转介同事"}, Concerns: []string{"疗效"}},
			{Rep: "李四", Doctor: "王主任", Hospital: "市一医院", Commitments: []string{"提交进院申请"}},
		},
	}
}

func TestWeeklyDigestGolden(t *testing.T) {
	w, err := RenderWeCom(WeeklyDigest(digestSample()))
	if err != nil {
		t.Fatal(err)
	}
	goldenJSON(t, "weekly_digest_wecom", w)
}

func TestWeeklyDigestEdges(t *testing.T) {
	in := digestSample()
	in.Planned, in.Verified, in.SATotal, in.Exemplars = 0, 0, 0, nil
	in.Manager = strings.Repeat("名", 60)
	c := WeeklyDigest(in)
	if _, err := RenderWeCom(c); err != nil {
		t.Fatal(err)
	}
	if c.Emphasis.Title != "—" || !strings.Contains(c.Subtitle, "暂无") || c.Quote != "" {
		t.Fatalf("empty week digest = %+v", c)
	}
	in = digestSample()
	for i := 0; i < 5; i++ {
		in.Exemplars = append(in.Exemplars, Exemplar{Rep: strings.Repeat("代", 20), Doctor: "张主任", Hospital: strings.Repeat("院", 40), Commitments: []string{"试用处方"}})
	}
	c = WeeklyDigest(in)
	if _, err := RenderWeCom(c); err != nil {
		t.Fatal(err)
	}
	if strings.Count(c.Subtitle, "\n") != 2 {
		t.Fatalf("digest shows %d exemplars, want 2: %q", strings.Count(c.Subtitle, "\n"), c.Subtitle)
	}
	if c := WeeklyDigest(digestSample()); c.Emphasis.Title != "81%" {
		t.Fatalf("match rate = %q", c.Emphasis.Title)
	}
}

// The call-target attainment by tier is one row of the digest.
func TestWeeklyDigestAttainment(t *testing.T) {
	in := digestSample()
	in.Attainment = []TierRate{{"S", 8, 10}, {"A", 10, 20}, {"B", 1, 3}}
	c := WeeklyDigest(in)
	last := c.Fields[len(c.Fields)-1]
	if last.Key != "目标覆盖" || last.Value != "S80%·A50%·B33%" {
		t.Errorf("attainment row %+v", last)
	}
	if _, err := RenderWeCom(c); err != nil {
		t.Fatalf("digest with attainment breaks a WeCom limit: %v", err)
	}
}
