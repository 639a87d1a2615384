package handlers_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"visitbot/bot"
	"visitbot/bot/dingtalk"
	"visitbot/config"
	"visitbot/internal/apptest"
	"visitbot/models"
	"visitbot/models/modelstest"
)

const (
	dtAppSecret = apptest.DingTalkAppSecret
	dtCardToken = apptest.DingTalkCardToken
	dtRep       = "dt-rep01"
	dtOtherRep  = "dt-rep02"
	dtAction    = "dttest"
)

// dingTalkEnv is the production wiring behind /dingtalk/* (apptest.DingTalk:
// the app with DingTalk enabled against the fake DingTalk API, a card
// template for visit lists) with two reps, a probe card action and a probe
// location handler standing in for the flows.
type dingTalkEnv struct {
	*apptest.DingTalk
	t         *testing.T
	store     *models.Store
	rep       *models.User
	clicks    int
	locations []bot.Location
}

func newDingTalkEnv(t *testing.T, s *models.Store) *dingTalkEnv {
	t.Helper()
	e := &dingTalkEnv{t: t, store: s}
	ctx := context.Background()
	for _, u := range []struct{ id, dt string }{{"rep01", dtRep}, {"rep02", dtOtherRep}} {
		dt := u.dt
		user := &models.User{UserID: u.id, Name: "张三", Role: models.RoleRep, DingTalkUserID: &dt, Active: true}
		if err := s.Users.CreateUser(ctx, user); err != nil {
			t.Fatal(err)
		}
		if u.id == "rep01" {
			e.rep = user
		}
	}
	e.DingTalk = apptest.NewDingTalk(t, s, func(c *config.Config) {
		c.DingTalk.CardTemplates = map[string]string{"visit_list": "tpl-visit"}
		c.Server.PublicURL = "https://visitbot.example.com"
	})
	apptest.Register(t, e.App, func(b *bot.Bot) {
		b.Action(dtAction, func(req *bot.Request, task bot.CardTask) (bot.Reply, error) {
			e.clicks++
			if err := s.Audit.Record(req.Ctx, req.User.ID, "dttest_click", task.TaskID, req.Event.Action.Selected); err != nil {
				return bot.Reply{}, err
			}
			return bot.Reply{Texts: []string{"已记录"}, Update: &bot.CardUpdate{ReplaceName: "已接受"}}, nil
		})
		// The check-in flow's own tests cover geofencing; here the location must arrive intact.
		b.OnLocation(func(req *bot.Request) (bot.Reply, error) {
			e.locations = append(e.locations, *req.Event.Location)
			return bot.Text("已收到位置"), nil
		})
	})
	return e
}

// settle delivers what the callback queued (the outbox dispatcher of
// `visitbot serve`), so the fake shows what the user got.
func (e *dingTalkEnv) settle(w *httptest.ResponseRecorder) *httptest.ResponseRecorder {
	apptest.Drain(e.t, e.App)
	return w
}

// robotBody is a one-to-one text message from dtRep whose sessionWebhook
// (on the fake) lives for 90 minutes.
func (e *dingTalkEnv) robotBody(msgID, text string) []byte {
	b, _ := json.Marshal(map[string]any{
		"msgtype": "text", "text": map[string]string{"content": text}, "msgId": msgID, "senderStaffId": dtRep,
		"senderNick": "张三", "conversationType": "1", "conversationId": "cid1", "robotCode": apptest.DingTalkRobotCode,
		"sessionWebhook": e.Fake.SessionWebhook("s-" + msgID), "sessionWebhookExpiredTime": e.Clock.Now().Add(90 * time.Minute).UnixMilli(),
		"createAt": e.Clock.Now().UnixMilli(),
	})
	return b
}

func (e *dingTalkEnv) postRobot(body []byte, ts, sign string) *httptest.ResponseRecorder {
	return e.settle(e.PostRobot(body, ts, sign))
}

func (e *dingTalkEnv) signedRobot(body []byte) *httptest.ResponseRecorder {
	return e.settle(e.Robot(body))
}

func (e *dingTalkEnv) count(model any) int64 {
	var n int64
	if err := e.store.DB(context.Background()).Model(model).Count(&n).Error; err != nil {
		e.t.Fatal(err)
	}
	return n
}

func TestDingTalkRobotSign(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, s *models.Store) {
		e := newDingTalkEnv(t, s)
		now := e.Clock.Now()
		ts := func(d time.Duration) string { return strconv.FormatInt(now.Add(d).UnixMilli(), 10) }
		cases := []struct {
			name, ts, sign string
			status         int
		}{
			{"wrong secret", ts(0), dingtalk.RobotSign("not-the-secret", ts(0)), http.StatusUnauthorized},
			{"stale (>1 h)", ts(-61 * time.Minute), dingtalk.RobotSign(dtAppSecret, ts(-61*time.Minute)), http.StatusUnauthorized},
			{"future (>1 h)", ts(61 * time.Minute), dingtalk.RobotSign(dtAppSecret, ts(61*time.Minute)), http.StatusUnauthorized},
			{"missing sign", ts(0), "", http.StatusUnauthorized},
			{"missing timestamp", "", dingtalk.RobotSign(dtAppSecret, ts(0)), http.StatusUnauthorized},
			{"valid", ts(-30 * time.Minute), dingtalk.RobotSign(dtAppSecret, ts(-30*time.Minute)), http.StatusOK},
		}
		for i, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				w := e.postRobot(e.robotBody("m-sign-"+strconv.Itoa(i), "我是谁"), tc.ts, tc.sign)
				if w.Code != tc.status {
					t.Fatalf("status = %d, want %d", w.Code, tc.status)
				}
				deliveries, replies := e.count(&models.InboundDelivery{}), len(e.Fake.Messages())
				if tc.status != http.StatusOK && (deliveries != 0 || replies != 0 || e.count(&models.RawEvent{}) != 0 || e.count(&models.OutboxMessage{}) != 0) {
					t.Fatalf("rejected callback left a trace: %d deliveries, %d replies", deliveries, replies)
				}
				if tc.status == http.StatusOK && (deliveries != 1 || replies != 1) {
					t.Fatalf("valid callback: %d deliveries, %d replies", deliveries, replies)
				}
				if n := len(e.Fake.Sessions()); n != 0 {
					t.Fatalf("%d posts to the sessionWebhook", n)
				}
			})
		}
	})
}

// A robot message is answered once, even when DingTalk delivers it twice.
// The name is historical: the answer no longer takes the live
// sessionWebhook (a reply path only the tests used) but the outbox and the
// robot API, like every reply; nothing is posted to the sessionWebhook.
func TestDingTalkRobotHelpThroughTheAPI(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, s *models.Store) {
		e := newDingTalkEnv(t, s)
		body := e.robotBody("m-help-1", "  help ")
		for i := 0; i < 2; i++ { // DingTalk retries: the second delivery is a no-op
			if w := e.signedRobot(body); w.Code != http.StatusOK {
				t.Fatalf("delivery %d: status %d", i, w.Code)
			}
		}
		replies := e.Fake.Messages()
		if len(replies) != 1 {
			t.Fatalf("%d replies, want 1: %+v", len(replies), replies)
		}
		if r := replies[0]; r.UserID != dtRep || r.MsgKey != "sampleMarkdown" || !strings.HasPrefix(r.MsgParam["text"], "可用指令") || !strings.Contains(r.MsgParam["text"], "我是谁") {
			t.Fatalf("reply = %+v", r)
		}
		if n := e.count(&models.InboundDelivery{}); n != 1 {
			t.Fatalf("%d deliveries recorded, want 1", n)
		}
		if n := len(e.Fake.Sessions()); n != 0 {
			t.Fatalf("%d sessionWebhook posts; every reply goes through the outbox and the robot API", n)
		}
	})
}

// Expired and foreign sessionWebhooks are never posted to: the reply goes
// through the robot API.
func TestDingTalkRobotReplyFallsBackToAPI(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, s *models.Store) {
		e := newDingTalkEnv(t, s)
		var msg map[string]any
		_ = json.Unmarshal(e.robotBody("m-exp", "我是谁"), &msg)
		msg["sessionWebhookExpiredTime"] = e.Clock.Now().Add(-time.Minute).UnixMilli()
		expired, _ := json.Marshal(msg)
		msg["msgId"], msg["sessionWebhookExpiredTime"] = "m-foreign", e.Clock.Now().Add(time.Hour).UnixMilli()
		msg["sessionWebhook"] = "https://attacker.example.com/hook?session=x" // not DingTalk's host: never posted to
		foreign, _ := json.Marshal(msg)
		for _, body := range [][]byte{expired, foreign} {
			if w := e.signedRobot(body); w.Code != http.StatusOK {
				t.Fatalf("status %d", w.Code)
			}
		}
		msgs := e.Fake.Messages()
		if len(e.Fake.Sessions()) != 0 || len(msgs) != 2 {
			t.Fatalf("sessions %d, API messages %d", len(e.Fake.Sessions()), len(msgs))
		}
		for _, m := range msgs {
			if m.UserID != dtRep || m.MsgKey != "sampleMarkdown" || !strings.Contains(m.MsgParam["text"], "rep01") {
				t.Fatalf("API reply = %+v", m)
			}
		}
	})
}

// A location message (shape per the fixture in bot/dingtalk/testdata) reaches the bot's location handler.
func TestDingTalkRobotLocation(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, s *models.Store) {
		e := newDingTalkEnv(t, s)
		raw, err := os.ReadFile("../bot/dingtalk/testdata/robot_location.json")
		if err != nil {
			t.Fatal(err)
		}
		var msg map[string]any
		if err := json.Unmarshal(raw, &msg); err != nil {
			t.Fatal(err)
		}
		msg["senderStaffId"], msg["sessionWebhook"] = dtRep, e.Fake.SessionWebhook("loc")
		msg["sessionWebhookExpiredTime"] = e.Clock.Now().Add(time.Hour).UnixMilli()
		body, _ := json.Marshal(msg)
		if w := e.signedRobot(body); w.Code != http.StatusOK {
			t.Fatalf("status %d", w.Code)
		}
		if len(e.locations) != 1 || e.locations[0].Lat != 31.230416 || e.locations[0].Lng != 121.473701 {
			t.Fatalf("locations = %+v", e.locations)
		}
		if r := e.Fake.Messages(); len(r) != 1 || r[0].UserID != dtRep || r[0].MsgParam["text"] != "已收到位置" || len(e.Fake.Sessions()) != 0 {
			t.Fatalf("replies = %+v, sessionWebhook posts %d", r, len(e.Fake.Sessions()))
		}
	})
}

func TestDingTalkRobotRejectsMalformedBody(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, s *models.Store) {
		e := newDingTalkEnv(t, s)
		if w := e.signedRobot([]byte(`{"msgtype":"text"}`)); w.Code != http.StatusBadRequest {
			t.Fatalf("status %d", w.Code)
		}
		if e.count(&models.InboundDelivery{}) != 0 {
			t.Fatal("malformed body recorded")
		}
	})
}

func (e *dingTalkEnv) postCard(token string, body []byte) *httptest.ResponseRecorder {
	return e.settle(e.Card(token, body))
}

func TestDingTalkCardCallback(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, s *models.Store) {
		e := newDingTalkEnv(t, s)
		ctx := context.Background()
		if err := s.Cards.SaveCardTask(ctx, &models.CardTask{TaskID: "dt-vl-1", Platform: "dingtalk", UserID: e.rep.ID, Kind: "visit_list", Day: "2026-12-01"}); err != nil {
			t.Fatal(err)
		}
		params := map[string]any{"action": dtAction + ":accept", "reason": []any{"r1", "r2"}}

		// Wrong path token: 404, nothing recorded.
		if w := e.postCard("wrong-token-0123456789abcdef0000", apptest.CardBody("dt-vl-1", dtRep, params)); w.Code != http.StatusNotFound {
			t.Fatalf("wrong token: status %d", w.Code)
		}
		if e.count(&models.InboundDelivery{}) != 0 || e.clicks != 0 {
			t.Fatal("rejected callback left a trace")
		}

		// Unknown outTrackId: {} and the bot's "card expired" text by API.
		w := e.postCard(dtCardToken, apptest.CardBody("no-such-card", dtRep, params))
		if w.Code != http.StatusOK || strings.TrimSpace(w.Body.String()) != "{}" {
			t.Fatalf("unknown card: %d %s", w.Code, w.Body)
		}
		if msgs := e.Fake.Messages(); len(msgs) != 1 || msgs[0].UserID != dtRep || !strings.Contains(msgs[0].MsgParam["text"], "卡片已失效") {
			t.Fatalf("expired text = %+v", msgs)
		}

		// Another rep's click: refused, audited, told so; the action does not run.
		w = e.postCard(dtCardToken, apptest.CardBody("dt-vl-1", dtOtherRep, params))
		if w.Code != http.StatusOK || strings.TrimSpace(w.Body.String()) != "{}" || e.clicks != 0 {
			t.Fatalf("non-owner: %d %s clicks=%d", w.Code, w.Body, e.clicks)
		}
		audits, _ := s.Audit.Entries(ctx, 10)
		if len(audits) != 1 || audits[0].Action != "card_action_refused" || audits[0].Target != "dt-vl-1" {
			t.Fatalf("audit = %+v", audits)
		}
		if msgs := e.Fake.Messages(); len(msgs) != 2 || msgs[1].UserID != dtOtherRep || !strings.Contains(msgs[1].MsgParam["text"], "不属于您") {
			t.Fatalf("refusal text = %+v", msgs)
		}

		// The owner: the action runs once, the answer freezes the card; a retry changes nothing.
		body := apptest.CardBody("dt-vl-1", dtRep, params)
		for i := 0; i < 2; i++ {
			w = e.postCard(dtCardToken, body)
			if w.Code != http.StatusOK {
				t.Fatalf("owner %d: status %d", i, w.Code)
			}
			var ans struct {
				CardUpdateOptions map[string]bool `json:"cardUpdateOptions"`
				CardData          struct {
					CardParamMap map[string]string `json:"cardParamMap"`
				} `json:"cardData"`
			}
			if err := json.Unmarshal(w.Body.Bytes(), &ans); err != nil {
				t.Fatal(err)
			}
			if i == 0 && (ans.CardData.CardParamMap["status"] != "已接受" || ans.CardData.CardParamMap["frozen"] != "true" || !ans.CardUpdateOptions["updateCardDataByKey"]) {
				t.Fatalf("answer = %s", w.Body)
			}
			if i == 1 && strings.TrimSpace(w.Body.String()) != "{}" {
				t.Fatalf("retry answer = %s", w.Body)
			}
		}
		if e.clicks != 1 {
			t.Fatalf("action ran %d times, want 1", e.clicks)
		}
		audits, _ = s.Audit.Entries(ctx, 10)
		if audits[0].Action != "dttest_click" || !strings.Contains(audits[0].Detail, `"OptionIDs":["r1","r2"]`) {
			t.Fatalf("click audit = %+v", audits[0])
		}
		if msgs := e.Fake.Messages(); len(msgs) != 3 || msgs[2].MsgParam["text"] != "已记录" {
			t.Fatalf("reply text = %+v", msgs)
		}

		// Malformed body with the right token: 400.
		if w := e.postCard(dtCardToken, []byte(`{"outTrackId":"dt-vl-1"}`)); w.Code != http.StatusBadRequest {
			t.Fatalf("malformed: %d", w.Code)
		}
	})
}

// A fallback card's dtmd button sends "#卡片 <task> <action>" as a robot
// text; it must reach the same action with the same ownership check.
func TestDingTalkFallbackCardCommand(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, s *models.Store) {
		e := newDingTalkEnv(t, s)
		if err := s.Cards.SaveCardTask(context.Background(), &models.CardTask{TaskID: "dt-fb-1", Platform: "dingtalk", UserID: e.rep.ID, Kind: "feedback"}); err != nil {
			t.Fatal(err)
		}
		if w := e.signedRobot(e.robotBody("m-card-1", "#卡片 dt-fb-1 "+dtAction+":accept reason=r1")); w.Code != http.StatusOK {
			t.Fatalf("status %d", w.Code)
		}
		// A second tap of the same button is a new message but the same action: it runs once.
		if w := e.signedRobot(e.robotBody("m-card-2", "#卡片 dt-fb-1 "+dtAction+":accept reason=r1")); w.Code != http.StatusOK {
			t.Fatalf("status %d", w.Code)
		}
		if e.clicks != 1 {
			t.Fatalf("clicks = %d", e.clicks)
		}
		// The fallback card cannot change in place: the user gets the new state as text.
		var texts []string
		for _, r := range e.Fake.Sessions() {
			texts = append(texts, r.Text)
		}
		for _, m := range e.Fake.Messages() {
			texts = append(texts, m.MsgParam["text"])
		}
		if got := strings.Join(texts, "|"); !strings.Contains(got, "已接受") || !strings.Contains(got, "已记录") {
			t.Fatalf("replies = %q", got)
		}
	})
}

func (e *dingTalkEnv) postEvent(plain string, mutate func(q url.Values)) *httptest.ResponseRecorder {
	return e.settle(e.Event(plain, mutate))
}

func (e *dingTalkEnv) assertSuccess(w *httptest.ResponseRecorder) {
	e.t.Helper()
	if w.Code != http.StatusOK {
		e.t.Fatalf("status %d", w.Code)
	}
	var env dingtalk.Envelope
	if err := json.Unmarshal(w.Body.Bytes(), &env); err != nil {
		e.t.Fatal(err)
	}
	if err := e.Crypto.Verify(env.MsgSignature, env.TimeStamp, env.Nonce, env.Encrypt); err != nil {
		e.t.Fatalf("answer signature: %v", err)
	}
	plain, err := e.Crypto.Decrypt(env.Encrypt)
	if err != nil || string(plain) != "success" {
		e.t.Fatalf("answer = %q %v", plain, err)
	}
}

func TestDingTalkEventCallback(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, s *models.Store) {
		e := newDingTalkEnv(t, s)
		e.assertSuccess(e.postEvent(`{"EventType":"check_url"}`, nil))
		if e.count(&models.InboundDelivery{}) != 0 || e.count(&models.RawEvent{}) != 0 {
			t.Fatal("check_url stored something")
		}
		ev := `{"EventType":"user_add_org","TimeStamp":"1764550800000","UserId":["u9"],"CorpId":"dingcorp"}`
		for i := 0; i < 2; i++ { // redelivered: stored once
			e.assertSuccess(e.postEvent(ev, nil))
		}
		if n := e.count(&models.RawEvent{}); n != 1 {
			t.Fatalf("raw events = %d, want 1", n)
		}
		// The "signature"/"timestamp" spelling works too.
		e.assertSuccess(e.postEvent(`{"EventType":"org_dept_create","DeptId":[1]}`, func(q url.Values) {
			q.Set("signature", q.Get("msg_signature"))
			q.Set("timestamp", q.Get("timeStamp"))
			q.Del("msg_signature")
			q.Del("timeStamp")
		}))
		if w := e.postEvent(ev, func(q url.Values) { q.Set("nonce", "tampered") }); w.Code != http.StatusUnauthorized {
			t.Fatalf("bad signature: %d", w.Code)
		}
		if n := e.count(&models.RawEvent{}); n != 2 {
			t.Fatalf("raw events = %d, want 2", n)
		}
	})
}
