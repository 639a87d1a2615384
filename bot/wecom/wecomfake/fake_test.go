package wecomfake_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"visitbot/bot/wecom/wecomfake"
	"visitbot/clock"
)

func call(t *testing.T, method, url, body string) map[string]any {
	t.Helper()
	req, _ := http.NewRequest(method, url, strings.NewReader(body))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		t.Fatal(err)
	}
	return out
}

func code(m map[string]any) int { return int(m["errcode"].(float64)) }

// The fake answers like WeCom: token checks, integer agentid, card validation codes.
func TestFakeAnswersLikeWeCom(t *testing.T) {
	clk := clock.NewFake(time.Date(2026, 12, 1, 1, 0, 0, 0, time.UTC))
	f := wecomfake.New(t, clk, "wwc", "sec", 7)
	if c := code(call(t, "GET", f.URL+"/cgi-bin/gettoken?corpid=wwc&corpsecret=bad", "")); c != 40001 {
		t.Fatalf("bad secret: %d", c)
	}
	tok := call(t, "GET", f.URL+"/cgi-bin/gettoken?corpid=wwc&corpsecret=sec", "")
	again := call(t, "GET", f.URL+"/cgi-bin/gettoken?corpid=wwc&corpsecret=sec", "")
	if tok["access_token"] != again["access_token"] || tok["expires_in"].(float64) <= 1500 {
		t.Fatalf("tokens %v %v", tok, again)
	}
	send := f.URL + "/cgi-bin/message/send?access_token=" + tok["access_token"].(string)
	cases := []struct {
		name string
		url  string
		body string
		want int
	}{
		{"unknown token", f.URL + "/cgi-bin/message/send?access_token=nope", `{"touser":"u","msgtype":"text","agentid":7,"text":{"content":"x"}}`, 40014},
		{"agentid as string", send, `{"touser":"u","msgtype":"text","agentid":"7","text":{"content":"x"}}`, 40056},
		{"notice without card_action", send, `{"touser":"u","msgtype":"template_card","agentid":7,"template_card":{"card_type":"text_notice","main_title":{"title":"t"}}}`, 42045},
		{"button text too long", send, `{"touser":"u","msgtype":"template_card","agentid":7,"template_card":{"card_type":"button_interaction","task_id":"t1","main_title":{"title":"t"},"button_list":[{"text":"一二三四五六七八九十一","key":"k"}]}}`, 40058},
		{"unknown card field", send, `{"touser":"u","msgtype":"template_card","agentid":7,"template_card":{"card_type":"button_interaction","task_id":"t1","main_title":{"title":"t"},"button_list":[{"text":"好","key":"k"}],"colour":"red"}}`, 40058},
		{"ok card", send, `{"touser":"u","msgtype":"template_card","agentid":7,"template_card":{"card_type":"button_interaction","task_id":"t1","main_title":{"title":"t"},"button_list":[{"text":"好","key":"k"}]}}`, 0},
	}
	for _, tc := range cases {
		if got := code(call(t, "POST", tc.url, tc.body)); got != tc.want {
			t.Errorf("%s: errcode %d, want %d", tc.name, got, tc.want)
		}
	}
	f.ExpireTokens()
	if c := code(call(t, "POST", send, `{"touser":"u","msgtype":"text","agentid":7,"text":{"content":"x"}}`)); c != 42001 {
		t.Fatalf("expired token: %d", c)
	}
	if len(f.Sent()) != 1 {
		t.Fatalf("sent %d", len(f.Sent()))
	}
}

// Every documented limit of shared/specs/wecom.md, checked at the fake with
// hand-built payloads: one exactly at the limit is accepted, one over it is
// refused with WeCom's errcode. Texts are Chinese so that characters, not
// bytes, are counted.
func TestFakeCardLimits(t *testing.T) {
	clk := clock.NewFake(time.Date(2026, 12, 1, 1, 0, 0, 0, time.UTC))
	f := wecomfake.New(t, clk, "wwc", "sec", 7)
	tok := call(t, "GET", f.URL+"/cgi-bin/gettoken?corpid=wwc&corpsecret=sec", "")["access_token"].(string)
	send := func(touser string, card map[string]any) int {
		body, _ := json.Marshal(map[string]any{"touser": touser, "msgtype": "template_card", "agentid": 7, "template_card": card})
		return code(call(t, "POST", f.URL+"/cgi-bin/message/send?access_token="+tok, string(body)))
	}
	han := func(n int) string { return strings.Repeat("字", n) }
	bytes := func(n int) string { return strings.Repeat("k", n) }
	opts := func(n, text int) []map[string]any {
		out := make([]map[string]any, n)
		for i := range out {
			out[i] = map[string]any{"id": fmt.Sprintf("o%d", i), "text": han(text)}
		}
		return out
	}
	buttons := func(n, text int) []map[string]any {
		out := make([]map[string]any, n)
		for i := range out {
			out[i] = map[string]any{"text": han(text), "key": fmt.Sprintf("b%d", i)}
		}
		return out
	}
	// button is a valid button_interaction card changed by edit.
	button := func(edit func(c map[string]any)) map[string]any {
		c := map[string]any{"card_type": "button_interaction", "task_id": "t1", "main_title": map[string]any{"title": "标题"},
			"button_list": buttons(1, 1)}
		edit(c)
		return c
	}
	notice := func(edit func(c map[string]any)) map[string]any {
		c := map[string]any{"card_type": "text_notice", "main_title": map[string]any{"title": "标题"}, "card_action": map[string]any{"type": 1, "url": "https://x.example"}}
		edit(c)
		return c
	}
	news := func(edit func(c map[string]any)) map[string]any {
		c := map[string]any{"card_type": "news_notice", "main_title": map[string]any{"title": "标题"},
			"card_action": map[string]any{"type": 1, "url": "https://x.example"}, "card_image": map[string]any{"url": "https://x.example/p.png"}}
		edit(c)
		return c
	}
	vote := func(n, text int) map[string]any {
		cb := make([]map[string]any, n)
		for i := range cb {
			cb[i] = map[string]any{"id": fmt.Sprintf("c%d", i), "text": han(text)}
		}
		return map[string]any{"card_type": "vote_interaction", "task_id": "t2", "main_title": map[string]any{"title": "标题"},
			"checkbox": map[string]any{"question_key": "q", "option_list": cb, "mode": 1}, "submit_button": map[string]any{"text": "提交", "key": "s"}}
	}
	multiple := func(selects, options, text int, submit string) map[string]any {
		sl := make([]map[string]any, selects)
		for i := range sl {
			sl[i] = map[string]any{"question_key": fmt.Sprintf("q%d", i), "option_list": opts(options, text)}
		}
		return map[string]any{"card_type": "multiple_interaction", "task_id": "t3", "main_title": map[string]any{"title": "标题"},
			"select_list": sl, "submit_button": map[string]any{"text": submit, "key": "s"}}
	}
	set := func(k string, v any) func(map[string]any) { return func(c map[string]any) { c[k] = v } }
	rows := func(n, key, value int) []map[string]any {
		out := make([]map[string]any, n)
		for i := range out {
			out[i] = map[string]any{"keyname": han(key), "value": han(value)}
		}
		return out
	}
	jumps := func(n, title int) []map[string]any {
		out := make([]map[string]any, n)
		for i := range out {
			out[i] = map[string]any{"type": 1, "title": han(title), "url": "https://x.example"}
		}
		return out
	}
	verticals := func(n, title, desc int) []map[string]any {
		out := make([]map[string]any, n)
		for i := range out {
			out[i] = map[string]any{"title": han(title), "desc": han(desc)}
		}
		return out
	}
	menu := func(n int) map[string]any {
		l := make([]map[string]any, n)
		for i := range l {
			l[i] = map[string]any{"text": "菜单", "key": fmt.Sprintf("m%d", i)}
		}
		return map[string]any{"action_list": l}
	}
	cases := []struct {
		name        string
		at, over    map[string]any
		overErrcode int
	}{
		{"source.desc 20", button(set("source", map[string]any{"desc": han(20)})), button(set("source", map[string]any{"desc": han(21)})), 40058},
		{"source.desc_color 3", button(set("source", map[string]any{"desc": "x", "desc_color": 3})), button(set("source", map[string]any{"desc": "x", "desc_color": 4})), 40058},
		{"main_title.title 36", button(set("main_title", map[string]any{"title": han(36)})), button(set("main_title", map[string]any{"title": han(37)})), 40058},
		{"main_title.desc 44", button(set("main_title", map[string]any{"title": "t", "desc": han(44)})), button(set("main_title", map[string]any{"title": "t", "desc": han(45)})), 40058},
		{"emphasis_content.title 14", notice(set("emphasis_content", map[string]any{"title": han(14)})), notice(set("emphasis_content", map[string]any{"title": han(15)})), 40058},
		{"emphasis_content.desc 22", notice(set("emphasis_content", map[string]any{"title": "1", "desc": han(22)})), notice(set("emphasis_content", map[string]any{"title": "1", "desc": han(23)})), 40058},
		{"sub_title_text 160", button(set("sub_title_text", han(160))), button(set("sub_title_text", han(161))), 40058},
		{"horizontal rows 6", button(set("horizontal_content_list", rows(6, 1, 1))), button(set("horizontal_content_list", rows(7, 1, 1))), 40058},
		{"horizontal keyname 5", button(set("horizontal_content_list", rows(1, 5, 1))), button(set("horizontal_content_list", rows(1, 6, 1))), 40058},
		{"horizontal value 30", button(set("horizontal_content_list", rows(1, 1, 30))), button(set("horizontal_content_list", rows(1, 1, 31))), 40058},
		{"jump_list 3", notice(set("jump_list", jumps(3, 1))), notice(set("jump_list", jumps(4, 1))), 40058},
		{"jump_list title 18", notice(set("jump_list", jumps(1, 18))), notice(set("jump_list", jumps(1, 19))), 40058},
		{"vertical_content_list 4", news(set("vertical_content_list", verticals(4, 1, 1))), news(set("vertical_content_list", verticals(5, 1, 1))), 40058},
		{"vertical title 38", news(set("vertical_content_list", verticals(1, 38, 1))), news(set("vertical_content_list", verticals(1, 39, 1))), 40058},
		{"vertical desc 160", news(set("vertical_content_list", verticals(1, 1, 160))), news(set("vertical_content_list", verticals(1, 1, 161))), 40058},
		{"button_list 6", button(set("button_list", buttons(6, 1))), button(set("button_list", buttons(7, 1))), 40058},
		{"button text 10", button(set("button_list", buttons(1, 10))), button(set("button_list", buttons(1, 11))), 40058},
		{"button style 4", button(set("button_list", []map[string]any{{"text": "好", "key": "k", "style": 4}})), button(set("button_list", []map[string]any{{"text": "好", "key": "k", "style": 5}})), 40058},
		{"button key 1024 bytes", button(set("button_list", []map[string]any{{"text": "好", "key": bytes(1024)}})), button(set("button_list", []map[string]any{{"text": "好", "key": bytes(1025)}})), 40058},
		{"button_selection options 10", button(set("button_selection", map[string]any{"question_key": "q", "option_list": opts(10, 1)})), button(set("button_selection", map[string]any{"question_key": "q", "option_list": opts(11, 1)})), 40058},
		{"button_selection text 16", button(set("button_selection", map[string]any{"question_key": "q", "option_list": opts(1, 16)})), button(set("button_selection", map[string]any{"question_key": "q", "option_list": opts(1, 17)})), 40058},
		{"checkbox options 20", vote(20, 1), vote(21, 1), 40058},
		{"checkbox text 17", vote(1, 17), vote(1, 18), 40058},
		{"select_list 3", multiple(3, 1, 1, "提交"), multiple(4, 1, 1, "提交"), 40058},
		{"select options 10", multiple(1, 10, 1, "提交"), multiple(1, 11, 1, "提交"), 40058},
		{"select text 16", multiple(1, 1, 16, "提交"), multiple(1, 1, 17, "提交"), 40058},
		{"submit_button.text 10", multiple(1, 1, 1, han(10)), multiple(1, 1, 1, han(11)), 40058},
		{"action_menu 3", button(set("action_menu", menu(3))), button(set("action_menu", menu(4))), 40058},
		{"task_id 128 bytes", button(set("task_id", bytes(128))), button(set("task_id", bytes(129))), 40058},
		{"task_id charset", button(set("task_id", "a-b_c@1")), button(set("task_id", "a.b")), 40058},
		{"text_notice card_action", notice(func(map[string]any) {}), notice(func(c map[string]any) { delete(c, "card_action") }), 42045},
		{"news_notice card_action", news(func(map[string]any) {}), news(func(c map[string]any) { delete(c, "card_action") }), 42045},
	}
	for _, tc := range cases {
		if got := send("u", tc.at); got != 0 {
			t.Errorf("%s: at the limit answered %d, want 0", tc.name, got)
		}
		if got := send("u", tc.over); got != tc.overErrcode {
			t.Errorf("%s: over the limit answered %d, want %d", tc.name, got, tc.overErrcode)
		}
	}
	// touser names at most 1000 members.
	users := func(n int) string {
		u := make([]string, n)
		for i := range u {
			u[i] = fmt.Sprintf("m%d", i)
		}
		return strings.Join(u, "|")
	}
	if got := send(users(1000), button(func(map[string]any) {})); got != 0 {
		t.Errorf("touser 1000: %d", got)
	}
	if got := send(users(1001), button(func(map[string]any) {})); got != 40058 {
		t.Errorf("touser 1001: %d", got)
	}
}

// update_template_card: userids at most 1000, replace_name and replace_text
// a grey button's text (at most 10 characters), a response_code once.
func TestFakeUpdateLimits(t *testing.T) {
	clk := clock.NewFake(time.Date(2026, 12, 1, 1, 0, 0, 0, time.UTC))
	f := wecomfake.New(t, clk, "wwc", "sec", 7)
	tok := call(t, "GET", f.URL+"/cgi-bin/gettoken?corpid=wwc&corpsecret=sec", "")["access_token"].(string)
	update := func(users int, button, replaceText string) int {
		ids := make([]string, users)
		for i := range ids {
			ids[i] = fmt.Sprintf("m%d", i)
		}
		req := map[string]any{"userids": ids, "agentid": 7, "response_code": f.IssueResponseCode()}
		if replaceText == "" {
			req["button"] = map[string]any{"replace_name": button}
		} else {
			req["template_card"] = map[string]any{"card_type": "button_interaction", "task_id": "t1", "main_title": map[string]any{"title": "标题"},
				"button_list": []map[string]any{{"text": "好", "key": "k"}}, "replace_text": replaceText}
		}
		body, _ := json.Marshal(req)
		return code(call(t, "POST", f.URL+"/cgi-bin/message/update_template_card?access_token="+tok, string(body)))
	}
	for _, c := range []struct {
		name                string
		users               int
		button, replaceText string
		want                int
	}{
		{"1000 userids", 1000, "已处理", "", 0},
		{"1001 userids", 1001, "已处理", "", 40058},
		{"replace_name 10", 1, strings.Repeat("完", 10), "", 0},
		{"replace_name 11", 1, strings.Repeat("完", 11), "", 40058},
		{"replace_text 10", 1, "", strings.Repeat("完", 10), 0},
		{"replace_text 11", 1, "", strings.Repeat("完", 11), 40058},
	} {
		if got := update(c.users, c.button, c.replaceText); got != c.want {
			t.Errorf("%s: errcode %d, want %d", c.name, got, c.want)
		}
	}
	body := `{"userids":["m0"],"agentid":7,"response_code":"never-issued","button":{"replace_name":"好"}}`
	if got := code(call(t, "POST", f.URL+"/cgi-bin/message/update_template_card?access_token="+tok, body)); got != 40058 {
		t.Errorf("unknown response_code: %d", got)
	}
}

// TestFakeDuplicateCheck: like WeCom, a message with the duplicate check is
// shown once within its interval; without the check it shows again.
func TestFakeDuplicateCheck(t *testing.T) {
	clk := clock.NewFake(time.Date(2026, 12, 1, 1, 0, 0, 0, time.UTC))
	f := wecomfake.New(t, clk, "wwc", "sec", 7)
	tok := call(t, "GET", f.URL+"/cgi-bin/gettoken?corpid=wwc&corpsecret=sec", "")
	send := f.URL + "/cgi-bin/message/send?access_token=" + tok["access_token"].(string)
	checked := `{"touser":"u","msgtype":"text","agentid":7,"text":{"content":"今日无推荐"},"enable_duplicate_check":1,"duplicate_check_interval":600}`
	for i := 0; i < 2; i++ {
		if c := code(call(t, "POST", send, checked)); c != 0 {
			t.Fatalf("send %d: errcode %d", i, c)
		}
	}
	if n, s := len(f.Sent()), len(f.Suppressed()); n != 1 || s != 1 {
		t.Fatalf("shown %d, suppressed %d; want 1 and 1", n, s)
	}
	clk.Advance(601 * time.Second)
	call(t, "POST", send, checked)
	unchecked := `{"touser":"u","msgtype":"text","agentid":7,"text":{"content":"今日无推荐"}}`
	call(t, "POST", send, unchecked)
	if n := len(f.Sent()); n != 3 {
		t.Fatalf("shown %d after the interval and without the check, want 3", n)
	}
	if c := code(call(t, "POST", send, `{"touser":"u","msgtype":"text","agentid":7,"text":{"content":"x"},"enable_duplicate_check":1,"duplicate_check_interval":14401}`)); c != 40058 {
		t.Fatalf("interval over 4 h: errcode %d, want 40058", c)
	}
}
