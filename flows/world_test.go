package flows_test

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"

	"visitbot/bot"
	"visitbot/bot/console"
	"visitbot/cards"
	"visitbot/clock"
	"visitbot/config"
	"visitbot/flows"
	"visitbot/internal/app"
	"visitbot/internal/apptest"
	"visitbot/models"
	"visitbot/outbox"
	"visitbot/recommend"
)

const testDay = "2026-12-01" // a Tuesday; modelstest's clock is 09:00 that day

// world is the production app (internal/app, built by apptest) on a test
// store, with what the flows tests share: seeding, the console as a user
// sees it and the outbox dispatcher that sends what the flows queue.
type world struct {
	s   *models.Store
	clk *clock.Fake
	app *app.App
	// flows, console (nil unless console.enabled) and rec are the app's.
	flows   *flows.Flows
	console *console.Console
	rec     *recommend.Service
	// disp is the app's dispatcher over every enabled platform.
	disp *outbox.Dispatcher
}

// newWorld wires the app on s (whose clock is a *clock.Fake) from
// config.Default() changed by edit (nil: the console only).
func newWorld(t *testing.T, s *models.Store, edit func(*config.Config)) *world {
	t.Helper()
	a := apptest.OnStore(t, s, edit)
	disp, err := a.NewDispatcher(false)
	must(t, err)
	return &world{s: s, clk: s.Clock().(*clock.Fake), app: a, flows: a.Flows, console: a.Console, rec: a.Ranking, disp: disp}
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// ---- seeding ----

func (w *world) create(t *testing.T, v any) {
	t.Helper()
	must(t, w.s.DB(context.Background()).Create(v).Error)
}

// user creates an active user starting the day near 浙大一院, led by mgr (if not nil).
func (w *world) user(t *testing.T, id, name string, role models.Role, mgr *models.User) *models.User {
	t.Helper()
	u := &models.User{UserID: id, Name: name, Role: role, Active: true, StartLat: 30.27, StartLng: 120.15}
	if mgr != nil {
		u.ManagerID = &mgr.ID
	}
	must(t, w.s.Users.CreateUser(context.Background(), u))
	return u
}

// team is who the console worlds share: 王经理 (mgr01) leads 张三 (rep01)
// and 李四 (rep02); 管理员 (admin); and the tertiary hospital 浙大一院.
type team struct {
	mgr, admin, rep, rep2 *models.User
	hosp                  *models.Hospital
}

func (w *world) seedTeam(t *testing.T) team {
	t.Helper()
	var tm team
	tm.mgr = w.user(t, "mgr01", "王经理", models.RoleManager, nil)
	tm.admin = w.user(t, "admin", "管理员", models.RoleAdmin, nil)
	tm.rep = w.user(t, "rep01", "张三", models.RoleRep, tm.mgr)
	tm.rep2 = w.user(t, "rep02", "李四", models.RoleRep, tm.mgr)
	tm.hosp = &models.Hospital{ExternalID: "H1", Name: "浙大一院", Level: models.Level3A, City: "杭州", Lat: 30.2591, Lng: 120.1712}
	w.create(t, tm.hosp)
	return tm
}

// doctor creates a chief physician of 心内科 at h assigned to rep, with
// the given clinic sessions (DoctorID filled in).
func (w *world) doctor(t *testing.T, ext, name string, h *models.Hospital, kol bool, rep *models.User, clinics ...models.ClinicSession) models.Doctor {
	t.Helper()
	d := models.Doctor{ExternalID: ext, Name: name, HospitalID: h.ID, Department: "心内科", Title: models.TitleChief, IsKOL: kol}
	w.create(t, &d)
	w.create(t, &models.Assignment{RepID: rep.ID, DoctorID: d.ID})
	for _, c := range clinics {
		c.DoctorID = d.ID
		w.create(t, &c)
	}
	return d
}

// signals gives d n signals of class/kind, one a day on the n days before now.
func (w *world) signals(t *testing.T, d models.Doctor, prefix, class, kind string, n int) {
	t.Helper()
	for k := 0; k < n; k++ {
		w.create(t, &models.Signal{ExternalID: fmt.Sprintf("%s-%d", prefix, k), DoctorID: d.ID, Class: class, Kind: kind, Value: 1,
			OccurredAt: w.clk.Now().AddDate(0, 0, -k-1).UTC()})
	}
}

// ---- the console as a user sees it ----

// drain sends everything the outbox has due.
func (w *world) drain(t *testing.T) {
	t.Helper()
	must(t, w.disp.Drain(context.Background()))
}

// bodies are the messages the console showed u (not u's own), oldest first.
func (w *world) bodies(t *testing.T, u *models.User) []console.Body {
	t.Helper()
	msgs, err := w.s.Console.ConsoleMessages(context.Background(), u.ID, 0, 1000)
	must(t, err)
	var out []console.Body
	for _, m := range msgs {
		if m.Direction != "out" {
			continue
		}
		var b console.Body
		must(t, json.Unmarshal([]byte(m.Body), &b))
		out = append(out, b)
	}
	return out
}

// inbox is u's console: cards by task id (current state) and the texts sent to them.
func (w *world) inbox(t *testing.T, u *models.User) (map[string]cards.Card, []string) {
	t.Helper()
	out := map[string]cards.Card{}
	var texts []string
	for _, b := range w.bodies(t, u) {
		if b.Card != nil {
			out[b.Card.TaskID] = *b.Card
		} else {
			texts = append(texts, b.Text)
		}
	}
	return out, texts
}

func (w *world) onlyCard(t *testing.T, u *models.User) cards.Card {
	t.Helper()
	got, _ := w.inbox(t, u)
	if len(got) != 1 {
		t.Fatalf("%s has %d cards, want 1", u.UserID, len(got))
	}
	for _, c := range got {
		return c
	}
	return cards.Card{}
}

// post is u acting on the console; the reply is what the console showed.
func (w *world) post(t *testing.T, u *models.User, ev bot.Event) bot.Reply {
	t.Helper()
	r, err := w.console.Post(context.Background(), u.UserID, "", ev)
	must(t, err)
	return r
}

func (w *world) click(t *testing.T, u *models.User, task, key string, sel ...bot.Selection) bot.Reply {
	t.Helper()
	return w.post(t, u, bot.Event{Kind: bot.EventCardAction, Action: &bot.CardAction{TaskID: task, Key: key, Selected: sel}})
}

func (w *world) say(t *testing.T, u *models.User, text string) bot.Reply {
	t.Helper()
	return w.post(t, u, bot.Event{Kind: bot.EventText, Text: text})
}

func (w *world) locate(t *testing.T, u *models.User, lat, lng float64) bot.Reply {
	t.Helper()
	return w.post(t, u, bot.Event{Kind: bot.EventLocation, Location: &bot.Location{Lat: lat, Lng: lng}})
}
