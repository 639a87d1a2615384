package dingtalkfake_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"visitbot/bot/dingtalk/dingtalkfake"
)

// api calls the fake like visitbot's client does and returns the HTTP
// status and DingTalk's error code ("" on success).
type api struct {
	t     *testing.T
	f     *dingtalkfake.Fake
	token string
}

func newAPI(t *testing.T) *api {
	t.Helper()
	f := dingtalkfake.New("appkey", "appsecret", "robot1")
	t.Cleanup(f.Close)
	f.AllowTemplate("tpl")
	a := &api{t: t, f: f}
	status, out := a.call(http.MethodPost, "/v1.0/oauth2/accessToken", map[string]string{"appKey": "appkey", "appSecret": "appsecret"})
	if status != http.StatusOK {
		t.Fatalf("token: %d %v", status, out)
	}
	a.token = out["accessToken"].(string)
	return a
}

func (a *api) call(method, path string, body any) (int, map[string]any) {
	a.t.Helper()
	raw, _ := json.Marshal(body)
	req, _ := http.NewRequest(method, a.f.URL()+path, bytes.NewReader(raw))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(dingtalkfake.TokenHeader, a.token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		a.t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&out)
	return resp.StatusCode, out
}

// code is DingTalk's error code of an answer ("" for a success).
func (a *api) code(method, path string, body any) string {
	a.t.Helper()
	status, out := a.call(method, path, body)
	if status == http.StatusOK {
		return ""
	}
	c, _ := out["code"].(string)
	return c
}

func (a *api) batchSend(users int, msgKey string, param any) string {
	ids := make([]string, users)
	for i := range ids {
		ids[i] = fmt.Sprintf("u%d", i)
	}
	p, ok := param.(string)
	if !ok {
		raw, _ := json.Marshal(param)
		p = string(raw)
	}
	return a.code(http.MethodPost, "/v1.0/robot/oToMessages/batchSend", map[string]any{"robotCode": "robot1", "userIds": ids, "msgKey": msgKey, "msgParam": p})
}

// actionCard is a hand-built sampleActionCardN msgParam with n buttons.
func actionCard(n int, link string) map[string]string {
	p := map[string]string{"title": "标题", "text": "正文"}
	for i := 1; i <= n; i++ {
		p[fmt.Sprintf("actionTitle%d", i)] = "按钮"
		p[fmt.Sprintf("actionURL%d", i)] = link
	}
	return p
}

// batchSend takes at most 20 users a call and a msgParam that carries its
// msgKey's fields as strings, with links for ActionCard buttons.
func TestFakeBatchSendLimits(t *testing.T) {
	a := newAPI(t)
	md := map[string]string{"title": "提醒", "text": "您好"}
	for _, c := range []struct {
		name   string
		users  int
		msgKey string
		param  any
		want   string
	}{
		{"20 users", 20, "sampleMarkdown", md, ""},
		{"21 users", 21, "sampleMarkdown", md, "invalidParameter.userIds"},
		{"no user", 0, "sampleMarkdown", md, "invalidParameter.userIds"},
		{"unknown msgKey", 1, "sampleActionCard7", actionCard(7, "https://x.example"), "invalidParameter.msgKey"},
		{"markdown without text", 1, "sampleMarkdown", map[string]string{"title": "提醒"}, "invalidParameter.msgParam"},
		{"msgParam not a JSON string of strings", 1, "sampleMarkdown", `{"title":"提醒","text":1}`, "invalidParameter.msgParam"},
		{"five buttons", 1, "sampleActionCard5", actionCard(5, "https://x.example"), ""},
		{"five-button card with four", 1, "sampleActionCard5", actionCard(4, "https://x.example"), "invalidParameter.msgParam"},
		{"dtmd button", 1, "sampleActionCard2", actionCard(2, "dtmd://dingtalkclient/sendMessage?content=%23%E5%8D%A1%E7%89%87"), ""},
		{"button that is no link", 1, "sampleActionCard2", actionCard(2, "plan:accept"), "invalidParameter.msgParam"},
		{"single button", 1, "sampleActionCard", map[string]string{"title": "t", "text": "x", "singleTitle": "看", "singleURL": "https://x.example"}, ""},
	} {
		if got := a.batchSend(c.users, c.msgKey, c.param); got != c.want {
			t.Errorf("%s: code %q, want %q", c.name, got, c.want)
		}
	}
	if n := len(a.f.Messages()); n != 20+1+1+1 {
		t.Fatalf("%d messages recorded, want the 23 accepted ones", n)
	}
}

// createAndDeliver and the update take string-only cardParamMaps; the card
// goes to a robot chat of staff id with a known template, an outTrackId of at
// most 128 bytes and a callback type (HTTP with its route key).
func TestFakeCardLimits(t *testing.T) {
	a := newAPI(t)
	create := func(edit func(m map[string]any)) string {
		m := map[string]any{
			"cardTemplateId": "tpl", "outTrackId": "card-1", "callbackType": "HTTP", "callbackRouteKey": "visitbot",
			"cardData":                map[string]any{"cardParamMap": map[string]any{"title": "今日拜访"}},
			"openSpaceId":             "dtv1.card//IM_ROBOT.u1",
			"imRobotOpenDeliverModel": map[string]any{"spaceType": "IM_ROBOT", "robotCode": "robot1"}, "userIdType": 1,
		}
		edit(m)
		return a.code(http.MethodPost, "/v1.0/card/instances/createAndDeliver", m)
	}
	set := func(k string, v any) func(map[string]any) { return func(m map[string]any) { m[k] = v } }
	for _, c := range []struct {
		name string
		edit func(map[string]any)
		want string
	}{
		{"outTrackId 128 bytes", set("outTrackId", strings.Repeat("a", 128)), ""},
		{"outTrackId 129 bytes", set("outTrackId", strings.Repeat("b", 129)), "param.outTrackIdInvalid"},
		{"valid", func(map[string]any) {}, ""},
		{"same outTrackId again", func(map[string]any) {}, "param.outTrackIdExist"},
		{"stream without route key", func(m map[string]any) {
			m["outTrackId"], m["callbackType"], m["callbackRouteKey"] = "card-2", "STREAM", ""
		}, ""},
		{"http without route key", func(m map[string]any) { m["outTrackId"], m["callbackRouteKey"] = "card-3", "" }, "param.callbackTypeInvalid"},
		{"unknown callback type", func(m map[string]any) { m["outTrackId"], m["callbackType"] = "card-4", "WEBHOOK" }, "param.callbackTypeInvalid"},
		{"unknown template", func(m map[string]any) { m["outTrackId"], m["cardTemplateId"] = "card-5", "nope" }, "param.cardTemplateIdNotExist"},
		{"group space", func(m map[string]any) { m["outTrackId"], m["openSpaceId"] = "card-6", "dtv1.card//IM_GROUP.cid1" }, "param.openSpaceIdInvalid"},
		{"wrong space type", func(m map[string]any) {
			m["outTrackId"], m["imRobotOpenDeliverModel"] = "card-7", map[string]any{"spaceType": "IM_GROUP", "robotCode": "robot1"}
		}, "param.openSpaceIdInvalid"},
		{"union ids", func(m map[string]any) { m["outTrackId"], m["userIdType"] = "card-8", 2 }, "param.openSpaceIdInvalid"},
		{"number in cardParamMap", func(m map[string]any) {
			m["outTrackId"], m["cardData"] = "card-9", map[string]any{"cardParamMap": map[string]any{"count": 3}}
		}, "InvalidParameter"},
	} {
		if got := create(c.edit); got != c.want {
			t.Errorf("%s: code %q, want %q", c.name, got, c.want)
		}
	}
	update := func(params map[string]any) string {
		return a.code(http.MethodPut, "/v1.0/card/instances", map[string]any{"outTrackId": "card-1",
			"cardData": map[string]any{"cardParamMap": params}, "cardUpdateOptions": map[string]any{"updateCardDataByKey": true}})
	}
	if got := update(map[string]any{"status": "已接受", "frozen": "true"}); got != "" {
		t.Fatalf("update: %q", got)
	}
	if got := update(map[string]any{"frozen": true}); got != "InvalidParameter" {
		t.Fatalf("update with a boolean: %q", got)
	}
	if c, _ := a.f.Card("card-1"); c.Params["status"] != "已接受" || c.Params["title"] != "今日拜访" {
		t.Fatalf("card after update = %+v", c)
	}
}
