package handlers_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"visitbot/bot"
	"visitbot/bot/console"
	"visitbot/cards"
	"visitbot/clock"
	"visitbot/config"
	"visitbot/internal/apptest"
	"visitbot/models"
	"visitbot/models/modelstest"
)

// consoleEnv is the production wiring with the console on (apptest, the
// demo's configuration with server.max_body_bytes at 64 KiB), driven through
// HTTP, with a manager, two reps and an admin.
type consoleEnv struct {
	t       testing.TB
	store   *models.Store
	console *console.Console
	handler http.Handler
	users   map[string]*models.User
}

// newConsoleEnv wires the app on s; extra registers probe handlers on its bot.
func newConsoleEnv(t testing.TB, s *models.Store, extra func(b *bot.Bot)) *consoleEnv {
	t.Helper()
	a := apptest.OnStore(t, s, func(c *config.Config) { c.Server.MaxBodyBytes = 64 << 10 })
	if extra != nil {
		apptest.Register(t, a, extra)
	}
	e := &consoleEnv{t: t, store: s, console: a.Console, handler: a.Server().Handler(), users: map[string]*models.User{}}
	mgr := e.addUser("mgr01", "王经理", models.RoleManager, nil)
	e.addUser("rep01", "张三", models.RoleRep, &mgr.ID)
	e.addUser("rep02", "李四", models.RoleRep, &mgr.ID)
	e.addUser("adm01", "赵管理", models.RoleAdmin, nil)
	return e
}

func (e *consoleEnv) addUser(id, name string, role models.Role, manager *uint) *models.User {
	e.t.Helper()
	u := &models.User{UserID: id, Name: name, Role: role, ManagerID: manager, Territory: "浦东", Active: true}
	if err := e.store.Users.CreateUser(context.Background(), u); err != nil {
		e.t.Fatalf("create user %s: %v", id, err)
	}
	e.users[id] = u
	return u
}

// bodyReader is body as a request body: empty for nil, a string as it is,
// anything else as JSON.
func bodyReader(t testing.TB, body any) *bytes.Reader {
	t.Helper()
	switch b := body.(type) {
	case nil:
		return bytes.NewReader(nil)
	case string:
		return bytes.NewReader([]byte(b))
	}
	raw, err := json.Marshal(body)
	if err != nil {
		t.Fatal(err)
	}
	return bytes.NewReader(raw)
}

func (e *consoleEnv) do(method, path string, body any) *httptest.ResponseRecorder {
	e.t.Helper()
	req := httptest.NewRequest(method, path, bodyReader(e.t, body))
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	w := httptest.NewRecorder()
	e.handler.ServeHTTP(w, req)
	return w
}

// post expects 200 and returns the decoded result.
func (e *consoleEnv) post(path string, body any) console.Result {
	e.t.Helper()
	w := e.do(http.MethodPost, path, body)
	if w.Code != http.StatusOK {
		e.t.Fatalf("POST %s: %d %s", path, w.Code, w.Body.String())
	}
	var r console.Result
	if err := json.Unmarshal(w.Body.Bytes(), &r); err != nil {
		e.t.Fatalf("POST %s: %v", path, err)
	}
	return r
}

func (e *consoleEnv) messages(user string) []console.MessageView {
	e.t.Helper()
	w := e.do(http.MethodGet, "/console/api/messages?user="+user, nil)
	if w.Code != http.StatusOK {
		e.t.Fatalf("messages %s: %d %s", user, w.Code, w.Body.String())
	}
	var out []console.MessageView
	if err := json.Unmarshal(w.Body.Bytes(), &out); err != nil {
		e.t.Fatal(err)
	}
	return out
}

// lastText is the bot's newest text to user.
func (e *consoleEnv) lastText(user string) string {
	e.t.Helper()
	msgs := e.messages(user)
	for i := len(msgs) - 1; i >= 0; i-- {
		if msgs[i].Direction == "out" && msgs[i].Kind == "text" {
			return msgs[i].Text
		}
	}
	e.t.Fatalf("no bot text for %s in %+v", user, msgs)
	return ""
}

func TestConsoleUsers(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, s *models.Store) {
		e := newConsoleEnv(t, s, nil)
		off := &models.User{UserID: "rep99", Name: "离职", Role: models.RoleRep, Active: true}
		if err := s.Users.CreateUser(context.Background(), off); err != nil {
			t.Fatal(err)
		}
		if err := s.DB(context.Background()).Model(off).Update("active", false).Error; err != nil {
			t.Fatal(err)
		}
		w := e.do(http.MethodGet, "/console/api/users", nil)
		if w.Code != http.StatusOK || w.Header().Get("Cache-Control") != "no-store" {
			t.Fatalf("users: %d %v", w.Code, w.Header())
		}
		var g console.UserGroups
		if err := json.Unmarshal(w.Body.Bytes(), &g); err != nil {
			t.Fatal(err)
		}
		if len(g.Managers) != 1 || len(g.Reps) != 2 || len(g.Admins) != 1 {
			t.Fatalf("groups = %+v (inactive users must be hidden)", g)
		}
		want := console.UserView{ID: "rep01", Name: "张三", Role: "rep", RoleName: "医药代表", Territory: "浦东", Manager: "王经理"}
		if g.Reps[0] != want {
			t.Errorf("rep01 = %+v, want %+v", g.Reps[0], want)
		}
		if g.Managers[0].RoleName != "地区经理" || g.Admins[0].RoleName != "管理员" {
			t.Errorf("role names: %+v %+v", g.Managers[0], g.Admins[0])
		}
	})
}

func TestConsoleTextCommands(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, s *models.Store) {
		e := newConsoleEnv(t, s, nil)
		e.post("/console/api/text", map[string]string{"user": "rep01", "text": "help", "client_id": "a1"})
		msgs := e.messages("rep01")
		if len(msgs) != 2 {
			t.Fatalf("after help: %+v", msgs)
		}
		if msgs[0].Direction != "in" || msgs[0].Text != "help" || msgs[1].Direction != "out" {
			t.Fatalf("conversation order: %+v", msgs)
		}
		if help := msgs[1].Text; !strings.Contains(help, "可用指令") || !strings.Contains(help, "帮助") || !strings.Contains(help, "我是谁") {
			t.Errorf("help text = %q", help)
		}

		for _, cmd := range []string{"whoami", "我是谁"} {
			e.post("/console/api/text", map[string]string{"user": "rep01", "text": cmd})
			if got := e.lastText("rep01"); !strings.Contains(got, "张三") || !strings.Contains(got, "医药代表") {
				t.Errorf("%s → %q", cmd, got)
			}
		}
		e.post("/console/api/text", map[string]string{"user": "mgr01", "text": "今天天气不错"})
		if got := e.lastText("mgr01"); got != bot.MsgUnknownCommand {
			t.Errorf("unknown text → %q", got)
		}
		// Each user sees only their own conversation.
		if n := len(e.messages("rep02")); n != 0 {
			t.Errorf("rep02 has %d messages", n)
		}
	})
}

func TestConsoleTextSameClientIDOnce(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, s *models.Store) {
		e := newConsoleEnv(t, s, nil)
		body := map[string]string{"user": "rep01", "text": "whoami", "client_id": "retry-1"}
		if r := e.post("/console/api/text", body); r.Duplicate {
			t.Fatal("first post reported duplicate")
		}
		if r := e.post("/console/api/text", body); !r.Duplicate {
			t.Fatal("second post not reported duplicate")
		}
		if n := len(e.messages("rep01")); n != 2 {
			t.Fatalf("%d messages after a retried post, want 2 (one in, one answer)", n)
		}
		// The same client id from another user is a different delivery.
		body["user"] = "rep02"
		if r := e.post("/console/api/text", body); r.Duplicate {
			t.Fatal("another user's client id collided")
		}
	})
}

func TestConsoleTextConcurrentRetries(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, s *models.Store) {
		e := newConsoleEnv(t, s, nil)
		body := map[string]string{"user": "rep01", "text": "help", "client_id": "burst"}
		var wg sync.WaitGroup
		codes := make([]int, 4)
		for i := range codes {
			wg.Go(func() { codes[i] = e.do(http.MethodPost, "/console/api/text", body).Code })
		}
		wg.Wait()
		for i, c := range codes {
			if c != http.StatusOK {
				t.Errorf("post %d: %d", i, c)
			}
		}
		if n := len(e.messages("rep01")); n != 2 {
			t.Fatalf("%d messages after 4 concurrent identical posts, want 2", n)
		}
	})
}

// actionProbe records what the test action handler saw.
type actionProbe struct {
	mu    sync.Mutex
	calls []bot.CardAction
}

func (p *actionProbe) handler(req *bot.Request, task bot.CardTask) (bot.Reply, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.calls = append(p.calls, *req.Event.Action)
	return bot.Reply{Texts: []string{"已接受今日名单"}, Update: &bot.CardUpdate{ReplaceName: "已接受"}}, nil
}

func (p *actionProbe) count() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.calls)
}

func testCard(taskID string) cards.Card {
	return cards.Card{
		Layout: cards.ButtonInteraction, Kind: "visit_list", TaskID: taskID, Source: "拜访助手",
		Title: "今日拜访名单", Desc: "12月1日 周二", Fields: []cards.Field{{Key: "第1位", Value: "王医生"}},
		Selection: &cards.Select{QuestionKey: "period", Title: "时段", Options: []cards.Option{{ID: "am", Text: "上午"}, {ID: "pm", Text: "下午"}}},
		Buttons:   []cards.Button{{Key: "accept:" + taskID, Text: "接受", Style: 1}, {Text: "详情", URL: "https://example.com/x"}},
	}
}

func (e *consoleEnv) sendCard(owner string, card cards.Card) {
	e.t.Helper()
	ctx := context.Background()
	u := e.users[owner]
	if err := e.store.Cards.SaveCardTask(ctx, &models.CardTask{TaskID: card.TaskID, Platform: "console", UserID: u.ID, Kind: card.Kind, ResponseCode: "rc-stored"}); err != nil {
		e.t.Fatal(err)
	}
	if _, err := e.console.Send(ctx, bot.Recipient{UserID: u.ID, PlatformUserID: u.UserID}, bot.Message{Card: &card}); err != nil {
		e.t.Fatal(err)
	}
}

func (e *consoleEnv) card(user, taskID string) *cards.Card {
	e.t.Helper()
	for _, m := range e.messages(user) {
		if m.Card != nil && m.Card.TaskID == taskID {
			return m.Card
		}
	}
	e.t.Fatalf("%s has no card %s", user, taskID)
	return nil
}

func TestConsoleCardAction(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, s *models.Store) {
		probe := &actionProbe{}
		e := newConsoleEnv(t, s, func(b *bot.Bot) { b.Action("accept", probe.handler) })
		e.sendCard("rep01", testCard("T-1"))
		if c := e.card("rep01", "T-1"); c.ReplaceText != "" || c.Title != "今日拜访名单" || len(c.Buttons) != 2 {
			t.Fatalf("stored card = %+v", c)
		}

		// Another user clicking the card is refused; nothing changes.
		e.post("/console/api/action", map[string]any{"user": "rep02", "task_id": "T-1", "key": "accept:T-1", "client_id": "x1"})
		if got := e.lastText("rep02"); got != bot.MsgNotYourCard {
			t.Errorf("non-owner got %q", got)
		}
		if probe.count() != 0 || e.card("rep01", "T-1").ReplaceText != "" {
			t.Fatal("a non-owner's click had an effect")
		}
		audit, err := s.Audit.Entries(context.Background(), 10)
		if err != nil || len(audit) != 1 || audit[0].Action != "card_action_refused" {
			t.Errorf("audit = %+v, %v", audit, err)
		}

		// The owner's click runs the handler with the stored response code
		// and the selection, and freezes the card.
		click := map[string]any{
			"user": "rep01", "task_id": "T-1", "key": "accept:T-1", "client_id": "c1",
			"selected": []map[string]any{{"question_key": "period", "option_ids": []string{"pm"}}},
		}
		e.post("/console/api/action", click)
		if probe.count() != 1 {
			t.Fatalf("handler ran %d times", probe.count())
		}
		a := probe.calls[0]
		if a.ResponseCode != "rc-stored" || a.CardType != string(cards.ButtonInteraction) || a.TaskID != "T-1" {
			t.Errorf("action = %+v", a)
		}
		if got := a.Answer("period"); len(got) != 1 || got[0] != "pm" {
			t.Errorf("selection = %v", got)
		}
		if c := e.card("rep01", "T-1"); c.ReplaceText != "已接受" {
			t.Errorf("card after click: replace_text %q", c.ReplaceText)
		}
		if got := e.lastText("rep01"); got != "已接受今日名单" {
			t.Errorf("reply = %q", got)
		}

		// The same click again (a retry) has no second effect.
		before := len(e.messages("rep01"))
		if r := e.post("/console/api/action", click); !r.Duplicate {
			t.Error("retried click not reported duplicate")
		}
		if probe.count() != 1 || len(e.messages("rep01")) != before {
			t.Errorf("retried click had an effect: calls %d, messages %d→%d", probe.count(), before, len(e.messages("rep01")))
		}

		// A click on a card that does not exist is answered, not failed.
		e.post("/console/api/action", map[string]any{"user": "rep01", "task_id": "nope", "key": "accept:nope"})
		if got := e.lastText("rep01"); got != bot.MsgCardExpired {
			t.Errorf("unknown task → %q", got)
		}
	})
}

func TestConsoleLocation(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, s *models.Store) {
		e := newConsoleEnv(t, s, nil)
		ctx := context.Background()
		for _, h := range []models.Hospital{
			{ExternalID: "H2", Name: "瑞金医院", Level: models.Level3A, City: "上海", Lat: 31.2115, Lng: 121.4661},
			{ExternalID: "H1", Name: "华山医院", Level: models.Level3A, City: "上海", Lat: 31.2170, Lng: 121.4418},
		} {
			if err := s.DB(ctx).Create(&h).Error; err != nil {
				t.Fatal(err)
			}
		}
		w := e.do(http.MethodGet, "/console/api/hospitals", nil)
		var hs []console.HospitalView
		if err := json.Unmarshal(w.Body.Bytes(), &hs); err != nil || w.Code != http.StatusOK {
			t.Fatalf("hospitals: %d %s", w.Code, w.Body.String())
		}
		if len(hs) != 2 || hs[0].Lat == 0 || hs[0].Name == "" {
			t.Fatalf("hospitals = %+v", hs)
		}

		e.post("/console/api/location", map[string]any{"user": "rep01", "lat": hs[0].Lat, "lng": hs[0].Lng, "label": hs[0].Name, "client_id": "loc1"})
		msgs := e.messages("rep01")
		if len(msgs) < 2 {
			t.Fatalf("messages = %+v", msgs)
		}
		in := msgs[0]
		if in.Direction != "in" || in.Kind != "location" || in.Location == nil || in.Location.Lat != hs[0].Lat || in.Location.Label != hs[0].Name {
			t.Errorf("location line = %+v", in)
		}
		if msgs[1].Direction != "out" {
			t.Errorf("no answer to the location: %+v", msgs)
		}
	})
}

func TestConsoleMessagesLatestFirstN(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, s *models.Store) {
		e := newConsoleEnv(t, s, nil)
		u := e.users["rep01"]
		for _, txt := range []string{"1", "2", "3", "4", "5"} {
			if _, err := e.console.Send(context.Background(), bot.Recipient{UserID: u.ID, PlatformUserID: u.UserID}, bot.Message{Text: txt}); err != nil {
				t.Fatal(err)
			}
		}
		w := e.do(http.MethodGet, "/console/api/messages?user=rep01&limit=3", nil)
		var got []console.MessageView
		if err := json.Unmarshal(w.Body.Bytes(), &got); err != nil {
			t.Fatal(err)
		}
		if len(got) != 3 || got[0].Text != "3" || got[2].Text != "5" {
			t.Fatalf("latest 3 = %+v", got)
		}
	})
}

func TestConsoleBadInput(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, s *models.Store) {
		e := newConsoleEnv(t, s, nil)
		long := strings.Repeat("拜", console.MaxTextRunes+1)
		cases := []struct {
			name, method, path string
			body               any
			ctype              string
			want               int
			msg                string
		}{
			{"unknown user text", "POST", "/console/api/text", `{"user":"ghost","text":"help"}`, "", 404, "unknown user"},
			{"unknown user messages", "GET", "/console/api/messages?user=ghost", nil, "", 404, "unknown user"},
			{"unknown user action", "POST", "/console/api/action", `{"user":"ghost","task_id":"t","key":"k"}`, "", 404, "unknown user"},
			{"unknown user location", "POST", "/console/api/location", `{"user":"ghost","lat":31,"lng":121}`, "", 404, "unknown user"},
			{"bad json", "POST", "/console/api/text", `{"user":"rep01",`, "", 400, "invalid JSON"},
			{"trailing data", "POST", "/console/api/text", `{"user":"rep01","text":"help"} {}`, "", 400, "unexpected data"},
			{"unknown field", "POST", "/console/api/text", `{"user":"rep01","txt":"help"}`, "", 400, "unknown field"},
			{"empty body", "POST", "/console/api/text", ``, "", 400, "empty"},
			{"not json", "POST", "/console/api/text", `user=rep01&text=help`, "application/x-www-form-urlencoded", 415, "application/json"},
			{"text/plain", "POST", "/console/api/text", `{"user":"rep01","text":"help"}`, "text/plain", 415, "application/json"},
			{"missing user", "POST", "/console/api/text", `{"text":"help"}`, "", 400, "user"},
			{"empty text", "POST", "/console/api/text", `{"user":"rep01","text":"  "}`, "", 400, "empty"},
			{"text too long", "POST", "/console/api/text", map[string]string{"user": "rep01", "text": long}, "", 400, "at most 2048"},
			{"client id charset", "POST", "/console/api/text", `{"user":"rep01","text":"help","client_id":"a b"}`, "", 400, "client_id"},
			{"client id length", "POST", "/console/api/text", map[string]string{"user": "rep01", "text": "help", "client_id": strings.Repeat("a", 65)}, "", 400, "client_id"},
			{"lat range", "POST", "/console/api/location", `{"user":"rep01","lat":91,"lng":121}`, "", 400, "lat 91 is out of range"},
			{"lng range", "POST", "/console/api/location", `{"user":"rep01","lat":31,"lng":-180.5}`, "", 400, "lng -180.5 is out of range"},
			{"lat missing", "POST", "/console/api/location", `{"user":"rep01","lng":121}`, "", 400, "required"},
			{"lat not a number", "POST", "/console/api/location", `{"user":"rep01","lat":"31","lng":121}`, "", 400, "invalid JSON"},
			{"action no task", "POST", "/console/api/action", `{"user":"rep01","key":"accept:x"}`, "", 400, "task_id"},
			{"action no key", "POST", "/console/api/action", `{"user":"rep01","task_id":"x"}`, "", 400, "key"},
			{"action repeated question", "POST", "/console/api/action", `{"user":"rep01","task_id":"x","key":"k","selected":[{"question_key":"q","option_ids":["a"]},{"question_key":"q","option_ids":["b"]}]}`, "", 400, "repeated"},
			{"action too many selections", "POST", "/console/api/action", `{"user":"rep01","task_id":"x","key":"k","selected":[{"question_key":"a"},{"question_key":"b"},{"question_key":"c"},{"question_key":"d"},{"question_key":"e"}]}`, "", 400, "at most 4"},
			{"action empty option", "POST", "/console/api/action", `{"user":"rep01","task_id":"x","key":"k","selected":[{"question_key":"a","option_ids":[""]}]}`, "", 400, "option id"},
			{"messages no user", "GET", "/console/api/messages", nil, "", 400, "user is required"},
			{"messages bad limit", "GET", "/console/api/messages?user=rep01&limit=abc", nil, "", 400, "integer"},
			{"messages zero limit", "GET", "/console/api/messages?user=rep01&limit=0", nil, "", 400, "limit"},
			{"messages huge limit", "GET", "/console/api/messages?user=rep01&limit=501", nil, "", 400, "limit"},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				req := httptest.NewRequest(tc.method, tc.path, bodyReader(t, tc.body))
				if tc.method == "POST" {
					ct := tc.ctype
					if ct == "" {
						ct = "application/json; charset=utf-8"
					}
					req.Header.Set("Content-Type", ct)
				}
				w := httptest.NewRecorder()
				e.handler.ServeHTTP(w, req)
				if w.Code != tc.want {
					t.Fatalf("status %d, want %d: %s", w.Code, tc.want, w.Body.String())
				}
				var got struct{ Error string }
				if err := json.Unmarshal(w.Body.Bytes(), &got); err != nil || !strings.Contains(got.Error, tc.msg) {
					t.Errorf("error = %q, want it to mention %q", w.Body.String(), tc.msg)
				}
			})
		}
		// Nothing above reached the bot.
		for id := range e.users {
			if n := len(e.messages(id)); n != 0 {
				t.Errorf("%s has %d messages after rejected input", id, n)
			}
		}
		// The limit itself is accepted.
		e.post("/console/api/text", map[string]string{"user": "rep01", "text": long[:len(long)-len("拜")]})
		// A body over server.max_body_bytes is refused before decoding.
		big := map[string]string{"user": "rep01", "text": strings.Repeat("x", 70<<10)}
		if w := e.do(http.MethodPost, "/console/api/text", big); w.Code != http.StatusRequestEntityTooLarge {
			t.Errorf("oversized body: %d", w.Code)
		}
	})
}

func TestConsolePage(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, s *models.Store) {
		e := newConsoleEnv(t, s, nil)
		w := e.do(http.MethodGet, "/console", nil)
		if w.Code != http.StatusOK {
			t.Fatalf("page: %d", w.Code)
		}
		h := w.Header()
		if !strings.HasPrefix(h.Get("Content-Type"), "text/html") || h.Get("Cache-Control") != "no-store" {
			t.Errorf("headers = %v", h)
		}
		if csp := h.Get("Content-Security-Policy"); csp != console.PageCSP() || !strings.Contains(csp, "default-src 'none'") || !strings.Contains(csp, "'sha256-") {
			t.Errorf("CSP = %q", csp)
		}
		if !strings.Contains(w.Body.String(), "聊天控制台") {
			t.Error("page body is not the console")
		}
		if w := e.do(http.MethodGet, "/", nil); w.Code != http.StatusFound || w.Header().Get("Location") != "/console" {
			t.Errorf("GET / = %d %v", w.Code, w.Header())
		}
	})
}

func TestConsoleDisabled(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, s *models.Store) {
		srv := apptest.OnStore(t, s, func(c *config.Config) { c.Console.Enabled = false }).Server()
		for _, p := range []string{"/console", "/console/api/users", "/console/api/messages?user=rep01"} {
			w := httptest.NewRecorder()
			srv.Handler().ServeHTTP(w, httptest.NewRequest(http.MethodGet, p, nil))
			if w.Code != http.StatusNotFound {
				t.Errorf("GET %s with the console disabled: %d", p, w.Code)
			}
		}
		w := httptest.NewRecorder()
		req := httptest.NewRequest(http.MethodPost, "/console/api/text", strings.NewReader(`{"user":"rep01","text":"help"}`))
		req.Header.Set("Content-Type", "application/json")
		srv.Handler().ServeHTTP(w, req)
		if w.Code != http.StatusNotFound {
			t.Errorf("POST text with the console disabled: %d", w.Code)
		}
		w = httptest.NewRecorder()
		srv.Handler().ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/", nil))
		if w.Code != http.StatusOK {
			t.Errorf("GET / with the console disabled: %d", w.Code)
		}
	})
}

// BenchmarkConsoleText is one typed "help" through HTTP → Console → Bot
// (delivery key + routing in one transaction) → stored reply, on SQLite.
func BenchmarkConsoleText(b *testing.B) {
	s, _ := modelstest.Open(b, "sqlite", clock.NewFake(time.Date(2026, 12, 1, 9, 0, 0, 0, modelstest.Shanghai)))
	e := newConsoleEnv(b, s, nil)
	for i := 0; b.Loop(); i++ {
		w := e.do(http.MethodPost, "/console/api/text", map[string]string{"user": "rep01", "text": "help", "client_id": "b" + strconv.Itoa(i)})
		if w.Code != http.StatusOK {
			b.Fatalf("%d %s", w.Code, w.Body.String())
		}
	}
}

// BenchmarkConsoleMessages is one poll of the page: the latest 100 lines,
// half of them cards, on SQLite.
func BenchmarkConsoleMessages(b *testing.B) {
	s, _ := modelstest.Open(b, "sqlite", clock.NewFake(time.Date(2026, 12, 1, 9, 0, 0, 0, modelstest.Shanghai)))
	e := newConsoleEnv(b, s, nil)
	u := e.users["rep01"]
	to := bot.Recipient{UserID: u.ID, PlatformUserID: u.UserID}
	for i := range 150 {
		msg := bot.Message{Text: "第" + strconv.Itoa(i) + "条"}
		if i%2 == 0 {
			c := testCard("B-" + strconv.Itoa(i))
			msg = bot.Message{Card: &c}
		}
		if _, err := e.console.Send(context.Background(), to, msg); err != nil {
			b.Fatal(err)
		}
	}
	for b.Loop() {
		w := e.do(http.MethodGet, "/console/api/messages?user=rep01", nil)
		if w.Code != http.StatusOK {
			b.Fatal(w.Code)
		}
	}
}
