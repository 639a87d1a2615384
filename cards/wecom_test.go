package cards

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The -update flag rewrites golden files. It is registered only if another
// test file of this package has not registered it already.
func init() {
	if flag.Lookup("update") == nil {
		flag.Bool("update", false, "rewrite golden files under testdata/")
	}
}

func updating() bool {
	f := flag.Lookup("update")
	return f != nil && f.Value.String() == "true"
}

// goldenJSON compares v, rendered as indented JSON, with testdata/name.golden.json.
func goldenJSON(t *testing.T, name string, v any) {
	t.Helper()
	got, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	got = append(got, '\n')
	path := filepath.Join("testdata", name+".golden.json")
	if updating() {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read golden (run with -update to create): %v", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from golden file:\n got: %s\nwant: %s", name, got, want)
	}
}

func sampleCards() map[string]Card {
	return map[string]Card{
		"wecom_text_notice": {
			Layout: TextNotice, Kind: "alert", Source: "拜访助手", Title: "沉默KOL提醒", Desc: "王建国 · 心内科",
			Emphasis: &Emphasis{Title: "21天", Desc: "未拜访"}, Quote: "上次拜访：讨论了循证证据",
			Fields: []Field{{Key: "医院", Value: "市第一人民医院"}, {Key: "档案", Value: "查看", URL: "https://example.com/d/1"}},
			Links:  []Link{{Title: "今日名单", URL: "https://example.com/list"}},
			URL:    "https://example.com/alert/1",
		},
		"wecom_button_interaction": {
			Layout: ButtonInteraction, Kind: "visit_list", TaskID: "vl-rep01-20261201", Source: "拜访助手",
			Title: "今日拜访 Top 5", Desc: "12月1日 周二", Subtitle: "1. 王建国（心内科）连续2次参加线上讲座",
			Buttons: []Button{{Key: "visit:1", Text: "已拜访", Style: 1}, {Key: "skip:1", Text: "跳过", Style: 2}, {Text: "路线", URL: "https://example.com/route"}},
		},
		"wecom_vote_interaction": {
			Layout: VoteInteraction, Kind: "feedback_step1", TaskID: "fb1-42", Title: "医生关注点（可多选）",
			Checkbox: &Checkbox{QuestionKey: "concerns", Multi: true, Options: []Option{{ID: "c1", Text: "疗效"}, {ID: "c2", Text: "安全性", Checked: true}}},
			Submit:   &Button{Key: "fb:42:1", Text: "下一步"},
		},
		"wecom_multiple_interaction": {
			Layout: MultipleInteraction, Kind: "feedback_step2", TaskID: "fb2-42", Title: "拜访结果",
			Selects: []Select{
				{QuestionKey: "objection", Title: "主要异议", Options: []Option{{ID: "o1", Text: "无异议"}, {ID: "o2", Text: "价格或医保"}}},
				{QuestionKey: "follow_up", Title: "跟进", SelectedID: "f2", Options: []Option{{ID: "f1", Text: "3天内"}, {ID: "f2", Text: "1周"}}},
			},
			Submit: &Button{Key: "fb:42:2", Text: "提交"},
		},
		"wecom_multiple_interaction_frozen": {
			Layout: MultipleInteraction, Kind: "feedback_step2", TaskID: "fb2-42", Title: "拜访结果", ReplaceText: "已提交",
			Selects: []Select{{QuestionKey: "objection", Title: "主要异议", SelectedID: "o1", Options: []Option{{ID: "o1", Text: "无异议"}}}},
			Submit:  &Button{Key: "fb:42:2", Text: "提交"},
		},
	}
}

func TestRenderWeComGolden(t *testing.T) {
	for name, c := range sampleCards() {
		t.Run(name, func(t *testing.T) {
			w, err := RenderWeCom(c)
			if err != nil {
				t.Fatal(err)
			}
			goldenJSON(t, name, w)
		})
	}
}

// The news card cannot come from cards.Card; the typed struct is golden-tested directly.
func TestWeComNewsNoticeGolden(t *testing.T) {
	w := &WeComCard{
		CardType: string(NewsNotice), MainTitle: &WeComMainTitle{Title: "本周学术会议", Desc: "心血管论坛"},
		CardImage:           &WeComCardImage{URL: "https://example.com/a.png", AspectRatio: 2.25},
		VerticalContentList: []WeComVerticalContent{{Title: "时间", Desc: "12月5日 14:00"}},
		CardAction:          &WeComCardAction{Type: 1, URL: "https://example.com/m/1"},
	}
	if err := w.Validate(); err != nil {
		t.Fatal(err)
	}
	goldenJSON(t, "wecom_news_notice", w)
	if _, err := RenderWeCom(Card{Layout: NewsNotice, Title: "x"}); !errors.Is(err, ErrWeComNoImage) {
		t.Fatalf("news from cards.Card: got %v, want ErrWeComNoImage", err)
	}
}

func TestWeComValidateLimits(t *testing.T) {
	base := func() Card { return sampleCards()["wecom_button_interaction"] }
	cases := []limitCase{
		{"title at limit in runes is fine", func(c *Card) { c.Title = strings.Repeat("拜", WeComMainTitleMax) }, ""},
		{"title one rune over", func(c *Card) { c.Title = strings.Repeat("拜", WeComMainTitleMax+1) }, "main_title.title"},
		{"desc over", func(c *Card) { c.Desc = strings.Repeat("a", WeComMainDescMax+1) }, "main_title.desc"},
		{"source over", func(c *Card) { c.Source = strings.Repeat("源", WeComSourceDescMax+1) }, "source.desc"},
		{"subtitle over", func(c *Card) { c.Subtitle = strings.Repeat("字", WeComSubTitleMax+1) }, "sub_title_text"},
		{"button text over", func(c *Card) { c.Buttons[0].Text = strings.Repeat("按", WeComButtonTextMax+1) }, "button_list[0].text"},
		{"seven buttons", func(c *Card) {
			for len(c.Buttons) < WeComButtonsMax+1 {
				c.Buttons = append(c.Buttons, Button{Key: "k:" + strings.Repeat("x", len(c.Buttons)), Text: "x"})
			}
		}, "button_list"},
		{"no buttons", func(c *Card) { c.Buttons = nil }, "button_list"},
		{"duplicate button key", func(c *Card) { c.Buttons[1].Key = c.Buttons[0].Key }, "used twice"},
		{"button key too long", func(c *Card) { c.Buttons[0].Key = strings.Repeat("k", WeComButtonKeyMaxBytes+1) }, "button_list[0].key"},
		{"bad style", func(c *Card) { c.Buttons[0].Style = 5 }, "style"},
		{"missing task id", func(c *Card) { c.TaskID = "" }, "task_id"},
		{"task id bad char", func(c *Card) { c.TaskID = "任务1" }, "task_id"},
		{"task id too long", func(c *Card) { c.TaskID = strings.Repeat("t", WeComTaskIDMaxBytes+1) }, "task_id"},
		{"seven fields", func(c *Card) {
			for i := 0; i <= WeComHorizontalMax; i++ {
				c.Fields = append(c.Fields, Field{Key: "k", Value: "v"})
			}
		}, "horizontal_content_list"},
		{"field key over", func(c *Card) { c.Fields = []Field{{Key: "医院名称全称", Value: "v"}} }, "keyname"},
		{"field value over", func(c *Card) { c.Fields = []Field{{Key: "k", Value: strings.Repeat("值", WeComHorizontalValueMax+1)}} }, "value"},
		{"four links", func(c *Card) {
			for i := 0; i <= WeComJumpMax; i++ {
				c.Links = append(c.Links, Link{Title: "t", URL: "https://e.com"})
			}
		}, "jump_list"},
		{"link title over", func(c *Card) { c.Links = []Link{{Title: strings.Repeat("链", WeComJumpTitleMax+1), URL: "u"}} }, "jump_list[0].title"},
		{"emphasis over", func(c *Card) { c.Emphasis = &Emphasis{Title: strings.Repeat("强", WeComEmphasisTitleMax+1)} }, "emphasis_content.title"},
		{"replace text over", func(c *Card) { c.ReplaceText = strings.Repeat("已", WeComReplaceTextMax+1) }, "replace_text"},
	}
	runLimitCases(t, base, cases, func(c Card) error {
		_, err := RenderWeCom(c)
		return err
	}, func(err error) bool { return err != nil })
}

func TestWeComValidateRequiredPerType(t *testing.T) {
	cases := []struct {
		name  string
		card  WeComCard
		field string
	}{
		{"text_notice without card_action (42045)", WeComCard{CardType: "text_notice", MainTitle: &WeComMainTitle{Title: "t"}}, "card_action"},
		{"text_notice without title or subtitle", WeComCard{CardType: "text_notice", CardAction: &WeComCardAction{Type: 1, URL: "u"}}, "main_title.title"},
		{"news_notice without image", WeComCard{CardType: "news_notice", MainTitle: &WeComMainTitle{Title: "t"}, CardAction: &WeComCardAction{Type: 1, URL: "u"}}, "card_image"},
		{"vote without checkbox", WeComCard{CardType: "vote_interaction", TaskID: "t1", MainTitle: &WeComMainTitle{Title: "t"}, SubmitButton: &WeComSubmitButton{Text: "提交", Key: "s"}}, "checkbox"},
		{"vote with 21 options", WeComCard{CardType: "vote_interaction", TaskID: "t1", MainTitle: &WeComMainTitle{Title: "t"}, SubmitButton: &WeComSubmitButton{Text: "提交", Key: "s"},
			Checkbox: &WeComCheckbox{QuestionKey: "q", OptionList: manyCheckbox(WeComCheckboxOptionsMax + 1)}}, "checkbox.option_list"},
		{"multiple without submit", WeComCard{CardType: "multiple_interaction", TaskID: "t1", MainTitle: &WeComMainTitle{Title: "t"},
			SelectList: []WeComSelect{{QuestionKey: "q", OptionList: []WeComOption{{ID: "1", Text: "a"}}}}}, "submit_button"},
		{"four selectors", WeComCard{CardType: "multiple_interaction", TaskID: "t1", MainTitle: &WeComMainTitle{Title: "t"}, SubmitButton: &WeComSubmitButton{Text: "提交", Key: "s"},
			SelectList: []WeComSelect{sel("a"), sel("b"), sel("c"), sel("d")}}, "select_list"},
		{"duplicate question key", WeComCard{CardType: "multiple_interaction", TaskID: "t1", MainTitle: &WeComMainTitle{Title: "t"}, SubmitButton: &WeComSubmitButton{Text: "提交", Key: "s"},
			SelectList: []WeComSelect{sel("a"), sel("a")}}, "used twice"},
		{"select option over 16 runes", WeComCard{CardType: "multiple_interaction", TaskID: "t1", MainTitle: &WeComMainTitle{Title: "t"}, SubmitButton: &WeComSubmitButton{Text: "提交", Key: "s"},
			SelectList: []WeComSelect{{QuestionKey: "q", OptionList: []WeComOption{{ID: "1", Text: strings.Repeat("选", WeComSelectOptionMax+1)}}}}}, "option_list[0].text"},
		{"action menu without task id", WeComCard{CardType: "text_notice", MainTitle: &WeComMainTitle{Title: "t"}, CardAction: &WeComCardAction{Type: 1, URL: "u"},
			ActionMenu: &WeComActionMenu{ActionList: []WeComMenuAction{{Text: "不再提醒", Key: "mute"}}}}, "task_id"},
		{"unknown type", WeComCard{CardType: "poll"}, "card_type"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.card.Validate()
			if err == nil || !strings.Contains(err.Error(), tc.field) {
				t.Fatalf("want error naming %q, got %v", tc.field, err)
			}
		})
	}
}

func manyCheckbox(n int) []WeComCheckboxOption {
	out := make([]WeComCheckboxOption, n)
	for i := range out {
		out[i] = WeComCheckboxOption{ID: strings.Repeat("i", i+1), Text: "x"}
	}
	return out
}

func sel(key string) WeComSelect {
	return WeComSelect{QuestionKey: key, OptionList: []WeComOption{{ID: "1", Text: "a"}}}
}
