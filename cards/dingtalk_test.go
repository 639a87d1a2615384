package cards

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"
)

// dingTalkSamples are the domain cards DingTalk renders: the morning visit
// list (built by VisitList), the skip form, a feedback checkbox step, an alert.
func dingTalkSamples() map[string]Card {
	day := time.Date(2026, 12, 1, 0, 0, 0, 0, time.FixedZone("CST", 8*3600))
	items := []VisitItem{
		{Rank: 1, DoctorID: 11, DoctorName: "王建国", Title: "chief", Hospital: "市第一人民医院", Heat: 86.4, Period: "AM", DistanceM: 1200, Reason: "连续2次参加线上讲座", Kind: "ranked", Lat: 31.23, Lng: 121.47},
		{Rank: 2, DoctorID: 12, DoctorName: "欧阳明", Title: "attending", Hospital: "仁济医院", Heat: 71, Period: "PM", DistanceM: 800, Kind: "follow_up", Lat: 31.21, Lng: 121.5},
	}
	return map[string]Card{
		"visit_list":          VisitList(VisitListInput{TaskID: "vl-rep01-20261201", Day: day, RepName: "张三", Items: items, StartLat: 31.2, StartLng: 121.4}),
		"visit_list_accepted": VisitList(VisitListInput{TaskID: "vl-rep01-20261201", Day: day, RepName: "张三", Items: items, Accepted: true}),
		"skip_form":           SkipForm("skip-rep01-20261201", items),
		"feedback_checkbox": {
			Layout: VoteInteraction, Kind: "feedback_step1", TaskID: "fb1-42", Title: "医生关注点（可多选）",
			Checkbox: &Checkbox{QuestionKey: "concerns", Multi: true, Options: []Option{{ID: "c1", Text: "疗效"}, {ID: "c2", Text: "安全性", Checked: true}}},
			Submit:   &Button{Key: "fb:42:1", Text: "下一步"},
		},
		"alert": {
			Layout: TextNotice, Kind: "alert", Source: "拜访助手", Title: "沉默KOL提醒", Desc: "王建国 · 心内科",
			Emphasis: &Emphasis{Title: "21天", Desc: "未拜访"}, Quote: "上次拜访：讨论了循证证据",
			Fields: []Field{{Key: "医院", Value: "市第一人民医院"}, {Key: "档案", Value: "查看", URL: "https://example.com/d/1"}},
			Links:  []Link{{Title: "今日名单", URL: "https://example.com/list"}},
			URL:    "https://example.com/alert/1",
		},
	}
}

func TestRenderDingTalkParamsGolden(t *testing.T) {
	for name, c := range dingTalkSamples() {
		t.Run(name, func(t *testing.T) {
			m, err := RenderDingTalkParams(c)
			if err != nil {
				t.Fatal(err)
			}
			for _, k := range []string{DingTalkKeyFields, DingTalkKeyLinks, DingTalkKeyButtons, DingTalkKeySelects} {
				if !json.Valid([]byte(m[k])) || !strings.HasPrefix(m[k], "[") {
					t.Errorf("%s = %q, want a JSON list", k, m[k])
				}
			}
			for _, k := range []string{DingTalkKeyKind, DingTalkKeyTitle, DingTalkKeyStatus, DingTalkKeyFrozen, DingTalkKeyCheckbox, DingTalkKeySubmit} {
				if _, ok := m[k]; !ok {
					t.Errorf("contract key %s missing", k)
				}
			}
			goldenJSON(t, "dingtalk_params_"+name, m)
		})
	}
}

func TestRenderDingTalkFallbackGolden(t *testing.T) {
	for name, c := range dingTalkSamples() {
		t.Run(name, func(t *testing.T) {
			msg, err := RenderDingTalkFallback(c, "https://visitbot.example.com/")
			if err != nil {
				t.Fatal(err)
			}
			goldenJSON(t, "dingtalk_fallback_"+name, msg)
		})
	}
}

func TestDingTalkFallbackShapes(t *testing.T) {
	s := dingTalkSamples()
	// Accepted: skip and the route link stay, accept is gone.
	msg, _ := RenderDingTalkFallback(s["visit_list_accepted"], "https://v.example.com")
	if !strings.HasPrefix(msg.MsgKey, DingTalkMsgActionCard) || msg.MsgParam["actionTitle1"] != TextSkipOne || msg.MsgParam["actionTitle2"] != TextRoute ||
		strings.Contains(msg.MsgParam["text"], ActionPlanAccept) || !strings.Contains(msg.MsgParam["text"], TextAccepted) {
		t.Fatalf("accepted = %+v", msg)
	}
	// Frozen: no callback button is left, only the route link.
	frozenCard := s["visit_list_accepted"]
	frozenCard.ReplaceText = TextAccepted
	msg, _ = RenderDingTalkFallback(frozenCard, "https://v.example.com")
	if msg.MsgKey != DingTalkMsgActionCard || !strings.HasPrefix(msg.MsgParam["singleURL"], "https://uri.amap.com/") ||
		strings.Contains(msg.MsgParam["text"], "dtmd://") || !strings.Contains(msg.MsgParam["text"], TextAccepted) {
		t.Fatalf("frozen = %+v", msg)
	}
	// A card without buttons opens its URL; without a URL it is plain markdown.
	alert := s["alert"]
	if msg, _ := RenderDingTalkFallback(alert, ""); msg.MsgKey != DingTalkMsgActionCard || msg.MsgParam["singleURL"] != alert.URL {
		t.Fatalf("alert = %+v", msg)
	}
	alert.URL = ""
	if msg, _ := RenderDingTalkFallback(alert, ""); msg.MsgKey != DingTalkMsgMarkdown {
		t.Fatalf("alert without url = %+v", msg)
	}
	// Two questions: one button to the H5 form.
	msg, _ = RenderDingTalkFallback(s["skip_form"], "https://v.example.com")
	if msg.MsgKey != DingTalkMsgActionCard || msg.MsgParam["singleURL"] != "https://v.example.com/m/card/skip-rep01-20261201" {
		t.Fatalf("form = %+v", msg)
	}
	// One single-choice question: each option sends the answer back.
	one := s["skip_form"]
	one.Selects = one.Selects[1:]
	msg, _ = RenderDingTalkFallback(one, "https://v.example.com")
	want := DingTalkCommandURL(DingTalkActionText("skip-rep01-20261201", ActionSkipSubmit, QuestionSkipReason+"=cancelled"))
	if !strings.Contains(msg.MsgParam["text"], want) {
		t.Fatalf("single question text = %s", msg.MsgParam["text"])
	}
	// User text cannot inject markdown links.
	c := s["alert"]
	c.Desc = "[点我](https://evil.example.com)"
	msg, _ = RenderDingTalkFallback(c, "https://v.example.com")
	if strings.Contains(msg.MsgParam["text"], "](https://evil") {
		t.Fatalf("injected link: %s", msg.MsgParam["text"])
	}
}

func TestDingTalkFrozenParams(t *testing.T) {
	m := DingTalkFrozenParams("已接受")
	if len(m) != 2 || m[DingTalkKeyStatus] != "已接受" || m[DingTalkKeyFrozen] != "true" {
		t.Fatalf("%v", m)
	}
	full, _ := RenderDingTalkParams(dingTalkSamples()["visit_list_accepted"])
	if full[DingTalkKeyFrozen] != "false" || !strings.Contains(full[DingTalkKeyButtons], ActionPlanSkip) || strings.Contains(full[DingTalkKeyButtons], ActionPlanAccept) {
		t.Fatalf("accepted card must stay live with skip only: %v", full)
	}
}

func TestDingTalkValidateLimits(t *testing.T) {
	base := func() Card { return dingTalkSamples()["visit_list"] }
	cases := []struct {
		name  string
		edit  func(c *Card)
		field string
	}{
		{"title at limit", func(c *Card) { c.Title = strings.Repeat("拜", DingTalkTitleMax) }, ""},
		{"title over", func(c *Card) { c.Title = strings.Repeat("拜", DingTalkTitleMax+1) }, "title"},
		{"no title", func(c *Card) { c.Title = "" }, "title"},
		{"six buttons", func(c *Card) {
			for i := 0; len(c.Buttons) <= DingTalkButtonsMax; i++ {
				c.Buttons = append(c.Buttons, Button{Key: "k:" + strings.Repeat("x", i+1), Text: "x"})
			}
		}, "buttons"},
		{"button text over", func(c *Card) { c.Buttons[0].Text = strings.Repeat("按", DingTalkButtonTextMax+1) }, "buttons[0].text"},
		{"button with key and url", func(c *Card) { c.Buttons[0].URL = "https://x" }, "buttons[0]"},
		{"duplicate key", func(c *Card) { c.Buttons[1].Key = c.Buttons[0].Key }, "used twice"},
		{"no task id", func(c *Card) { c.TaskID = "" }, "task_id"},
		{"task id too long", func(c *Card) { c.TaskID = strings.Repeat("t", DingTalkOutTrackIDMaxBytes+1) }, "task_id"},
		{"huge value", func(c *Card) { c.Subtitle = strings.Repeat("x", DingTalkParamValueMax+1) }, "subtitle"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := base()
			c.Buttons = append([]Button(nil), c.Buttons...)
			tc.edit(&c)
			_, err := RenderDingTalkParams(c)
			if tc.field == "" {
				if err != nil {
					t.Fatalf("want valid, got %v", err)
				}
				return
			}
			if !errors.Is(err, ErrDingTalkCard) || !strings.Contains(err.Error(), tc.field) {
				t.Fatalf("want error naming %q, got %v", tc.field, err)
			}
		})
	}
}

// go test -run XXX -bench DingTalk -benchmem ./cards/
func BenchmarkRenderDingTalk(b *testing.B) {
	c := dingTalkSamples()["visit_list"]
	b.Run("params", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := RenderDingTalkParams(c); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("fallback", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := RenderDingTalkFallback(c, "https://v.example.com"); err != nil {
				b.Fatal(err)
			}
		}
	})
}
