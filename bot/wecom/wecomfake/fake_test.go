package wecomfake_test

import (
	"encoding/json"
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
