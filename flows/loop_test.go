package flows_test

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"visitbot/bot"
	"visitbot/bot/wecom/wecomfake"
	"visitbot/cards"
	"visitbot/clock"
	"visitbot/config"
	"visitbot/flows"
	"visitbot/models"
	"visitbot/models/modelstest"
)

// loopCard is a card as a user received it on some platform, reduced to
// what a user can act on.
type loopCard struct {
	TaskID, Layout, Title string
	ResponseCode          string
	Buttons               []string // callback keys
	Selection             *cards.Select
	Selects               []cards.Select
	Checkbox              []string // option ids
	CheckboxKey, Submit   string
	// Frozen: the card shows a grey status instead of its inputs.
	Frozen bool
}

// keys are the callback keys the card still offers (nil when frozen).
func (c loopCard) keys() []string {
	if c.Frozen {
		return nil
	}
	if c.Submit != "" {
		return append(slices.Clone(c.Buttons), c.Submit)
	}
	return c.Buttons
}

// loopDriver is one chat platform as a user experiences it.
type loopDriver interface {
	name() string
	// configure enables the platform in the app's configuration (starting
	// its fake API); called before the app is built.
	configure(t *testing.T, clk *clock.Fake, cfg *config.Config)
	// wire connects the driver to the built app; called once before the scenario.
	wire(t *testing.T, w *alertWorld)
	text(t *testing.T, u *models.User, text string) []string
	location(t *testing.T, u *models.User, lat, lng float64) []string
	click(t *testing.T, u *models.User, c loopCard, key string, sel ...bot.Selection) []string
	// cards lists the cards u received, oldest first.
	cards(t *testing.T, u *models.User) []loopCard
	// textsTo lists every text u received.
	textsTo(t *testing.T, u *models.User) []string
	// updated reports whether u's card taskID was replaced by an update.
	updated(t *testing.T, u *models.User, taskID string) bool
	// frozen reports whether u's card taskID now shows as submitted (inputs disabled).
	frozen(t *testing.T, u *models.User, taskID string) bool
	// live lists the callback keys u's current copy of card taskID still
	// offers (nil when it is frozen).
	live(t *testing.T, u *models.User, taskID string) []string
}

// loopOutcome is what the scenario leaves in the database, free of ids and
// platform details, so every platform must produce the same one.
type loopOutcome struct {
	Plans, Recommended, Planned, Skipped int
	Verified, Completed                  int
	CheckIns, Unverified                 int
	Feedback                             string
	FollowUps, MustVisits                int
	AlertStatus                          string
	RepNoticed                           bool
}

// runLoop is the whole daily loop: morning push → accept → check-in →
// two-step feedback → note → manager alert → 指派, through driver d.
func runLoop(t *testing.T, s *models.Store, d loopDriver) loopOutcome {
	ctx := context.Background()
	w := newAlertWorld(t, s, func(cfg *config.Config) { d.configure(t, s.Clock().(*clock.Fake), cfg) })
	for _, u := range []*models.User{w.mgr, w.mgr2, w.rep, w.rep2, w.rep3, w.admin} {
		must(t, s.DB(ctx).Model(&models.User{}).Where("id = ?", u.ID).Updates(map[string]any{
			"wecom_user_id": "wx-" + u.UserID, "dingtalk_user_id": "dt-" + u.UserID}).Error)
	}
	d.wire(t, w)
	fl := w.flows

	// Morning push: exactly one visit-list card.
	res, err := fl.MorningPush(ctx, testDay, []string{"rep01"})
	must(t, err)
	if res.Cards != 1 {
		t.Fatalf("push: %+v", res)
	}
	w.drain(t)
	list := only(t, d.cards(t, w.rep), func(c loopCard) bool { return slices.Contains(c.Buttons, cards.ActionPlanAccept) })

	// Another user's click is refused.
	if r := d.click(t, w.rep2, list, cards.ActionPlanAccept); !slices.Contains(r, bot.MsgNotYourCard) {
		t.Fatalf("%s: foreign click answered %q", d.name(), r)
	}
	// Skip one doctor with a reason: a replacement is offered, the list card is updated.
	d.click(t, w.rep, list, cards.ActionPlanSkip)
	w.drain(t)
	// Asking for the skip form leaves the list card usable.
	if keys := d.live(t, w.rep, list.TaskID); !slices.Contains(keys, cards.ActionPlanAccept) {
		t.Fatalf("%s: after 跳过某位 the list offers %q", d.name(), keys)
	}
	form := only(t, d.cards(t, w.rep), func(c loopCard) bool { return c.Submit == cards.ActionSkipSubmit })
	if r := d.click(t, w.rep, form, cards.ActionSkipSubmit, bot.Selection{QuestionKey: form.Selects[0].QuestionKey, OptionIDs: []string{form.Selects[0].Options[1].ID}},
		bot.Selection{QuestionKey: form.Selects[1].QuestionKey, OptionIDs: []string{"cancelled"}}); !slices.ContainsFunc(r, func(s string) bool { return strings.Contains(s, "为您补上") }) {
		t.Fatalf("%s: skip answered %q", d.name(), r)
	}
	w.drain(t)
	if !d.updated(t, w.rep, list.TaskID) {
		t.Fatalf("%s: the visit-list card was not updated after the skip", d.name())
	}
	if keys := d.live(t, w.rep, list.TaskID); !slices.Contains(keys, cards.ActionPlanAccept) {
		t.Fatalf("%s: after the skip the list offers %q", d.name(), keys)
	}
	if r := d.click(t, w.rep, list, cards.ActionPlanAccept); !containsPrefix(r, "已记录今日计划") {
		t.Fatalf("%s: accept answered %q", d.name(), r)
	}
	w.drain(t)
	// Accepted: 跳过 stays (and 查看路线, a link), 接受今日计划 is done.
	if keys := d.live(t, w.rep, list.TaskID); !slices.Equal(keys, []string{cards.ActionPlanSkip}) {
		t.Fatalf("%s: the accepted list offers %q", d.name(), keys)
	}

	// Check-in outside the fence (≈1.7 km): recorded, unverified, said plainly.
	d.text(t, w.rep, "签到")
	if r := d.location(t, w.rep, w.hosp.Lat+0.0155, w.hosp.Lng); !slices.ContainsFunc(r, func(s string) bool { return strings.Contains(s, "未核验") }) {
		t.Fatalf("%s: far check-in answered %q", d.name(), r)
	}
	w.drain(t)
	if slices.ContainsFunc(d.cards(t, w.rep), func(c loopCard) bool { return c.Submit == "fb:step1" }) {
		t.Fatalf("%s: an unverified check-in opened a feedback form", d.name())
	}
	only(t, d.cards(t, w.rep), func(c loopCard) bool { return slices.Contains(c.Buttons, "checkin:confirm") })
	// Check-in inside the fence: verified, a feedback form per doctor there.
	d.text(t, w.rep, "签到")
	if r := d.location(t, w.rep, w.hosp.Lat+0.001, w.hosp.Lng); !containsPrefix(r, "签到成功") {
		t.Fatalf("%s: check-in answered %q", d.name(), r)
	}
	w.drain(t)
	step1 := only(t, d.cards(t, w.rep), func(c loopCard) bool { return c.Layout == string(cards.MultipleInteraction) && c.Submit == "fb:step1" })
	pick := func(s cards.Select, i int) bot.Selection {
		return bot.Selection{QuestionKey: s.QuestionKey, OptionIDs: []string{s.Options[i].ID}}
	}
	// A missing answer: the prompt names the doctor and the form stays live.
	if r := d.click(t, w.rep, step1, "fb:step1", pick(step1.Selects[0], 0)); !slices.ContainsFunc(r, func(s string) bool {
		return strings.HasPrefix(s, "请完成：") && strings.Contains(s, "）的异议类型")
	}) {
		t.Fatalf("%s: incomplete step 1 answered %q", d.name(), r)
	}
	w.drain(t)
	if keys := d.live(t, w.rep, step1.TaskID); !slices.Contains(keys, "fb:step1") {
		t.Fatalf("%s: after the prompt step 1 offers %q", d.name(), keys)
	}
	d.click(t, w.rep, step1, "fb:step1", pick(step1.Selects[0], 0), pick(step1.Selects[1], 1), pick(step1.Selects[2], 1))
	w.drain(t)
	step2 := only(t, d.cards(t, w.rep), func(c loopCard) bool { return c.Layout == string(cards.VoteInteraction) })
	if r := d.click(t, w.rep, step2, "fb:step2", bot.Selection{QuestionKey: step2.CheckboxKey, OptionIDs: step2.Checkbox[:1]}); !containsPrefix(r, "反馈已保存") {
		t.Fatalf("%s: step 2 answered %q", d.name(), r)
	}
	w.drain(t)
	if !d.frozen(t, w.rep, step2.TaskID) {
		t.Fatalf("%s: the submitted form was not frozen", d.name())
	}
	// Text within the note window is a question, not a silent note.
	d.text(t, w.rep, "明天几点开会？")
	w.drain(t)
	question := only(t, d.cards(t, w.rep), func(c loopCard) bool { return slices.Contains(c.Buttons, "note:drop") })
	if r := d.click(t, w.rep, question, "note:drop"); !slices.Contains(r, flows.MsgNoteDropped) {
		t.Fatalf("%s: 不是备注 answered %q", d.name(), r)
	}
	w.drain(t)
	// 添加备注, then the text is the note.
	offer := only(t, d.cards(t, w.rep), func(c loopCard) bool { return slices.Contains(c.Buttons, "note:add") })
	d.click(t, w.rep, offer, "note:add")
	w.drain(t)
	if r := d.text(t, w.rep, "主任关心医保报销比例"); !containsPrefix(r, "备注已保存到") {
		t.Fatalf("%s: note answered %q", d.name(), r)
	}
	w.drain(t)

	// Manager alert → 指派 to a rep of the manager's team.
	_, err = fl.AlertScan(ctx, testDay)
	must(t, err)
	w.drain(t)
	var alert loopCard
	var mgr *models.User
	for _, m := range []*models.User{w.mgr, w.mgr2} {
		for _, c := range d.cards(t, m) {
			if slices.Contains(c.Buttons, cards.ActionAlertAssign) {
				alert, mgr = c, m
			}
		}
	}
	if mgr == nil {
		t.Fatalf("%s: no alert card reached a manager", d.name())
	}
	assignee := alert.Selection.Options[0].ID
	if r := d.click(t, w.rep, alert, cards.ActionAlertAssign, bot.Selection{QuestionKey: alert.Selection.QuestionKey, OptionIDs: []string{assignee}}); !slices.Contains(r, bot.MsgNotYourCard) {
		t.Fatalf("%s: a rep acted on the manager's alert: %q", d.name(), r)
	}
	d.click(t, mgr, alert, cards.ActionAlertAssign, bot.Selection{QuestionKey: alert.Selection.QuestionKey, OptionIDs: []string{assignee}})
	w.drain(t)

	// Every chat text anyone received keeps to the glossary.
	for _, u := range []*models.User{w.mgr, w.mgr2, w.rep, w.rep2, w.rep3, w.admin} {
		for _, text := range d.textsTo(t, u) {
			for _, bad := range cards.ForeignTerms(text) {
				t.Errorf("%s: %s received %q, which says %q; the glossary term is %q", d.name(), u.UserID, text, bad.Wrong, bad.Term)
			}
			if strings.Contains(text, "|") {
				t.Errorf("%s: %s received prose with a pipe: %q", d.name(), u.UserID, text)
			}
		}
	}

	var out loopOutcome
	if d.name() != "console" { // chat platforms queue non-passive reply parts in the outbox
		var n int64
		must(t, s.DB(ctx).Model(&models.OutboxMessage{}).Where("platform = ? AND purpose LIKE ? AND status = ?", d.name(), "reply:%", models.OutboxSent).Count(&n).Error)
		if n == 0 {
			t.Fatalf("%s: no reply went through the outbox", d.name())
		}
	}
	count := func(m any, where string, args ...any) int {
		var n int64
		must(t, s.DB(ctx).Model(m).Where(where, args...).Count(&n).Error)
		return int(n)
	}
	out.Plans = count(&models.DailyPlan{}, "day = ?", testDay)
	out.Recommended = count(&models.Recommendation{}, "day = ? AND rep_id = ?", testDay, w.rep.ID)
	out.Planned = count(&models.Visit{}, "planned = ?", true)
	out.Skipped = count(&models.Visit{}, "status = ?", models.VisitSkipped)
	out.Verified = count(&models.Visit{}, "verified = ?", true)
	out.CheckIns = count(&models.CheckIn{}, "rep_id = ?", w.rep.ID)
	out.Unverified = count(&models.CheckIn{}, "rep_id = ? AND verified = ?", w.rep.ID, false)
	out.Completed = count(&models.Visit{}, "status = ?", models.VisitCompleted)
	var fb models.VisitFeedback
	must(t, s.DB(ctx).Take(&fb).Error)
	out.Feedback = strings.Join([]string{fb.Concerns, fb.Objection, fb.FollowUp, fb.Commitments, fb.Note, strconv.FormatFloat(fb.QualityScore, 'f', 1, 64)}, "/")
	out.FollowUps = count(&models.MustVisit{}, "source = ?", models.RecFollowUp)
	out.MustVisits = count(&models.MustVisit{}, "source = ? AND ref_key LIKE ?", models.RecMustVisit, "alert:%")
	var a models.Alert
	must(t, s.DB(ctx).Where("status <> ?", models.AlertOpen).Take(&a).Error)
	out.AlertStatus = a.Status
	var repID uint
	fmt.Sscan(assignee, &repID)
	for _, u := range []*models.User{w.rep, w.rep2, w.rep3} {
		if u.ID == repID {
			out.RepNoticed = containsPrefix(d.textsTo(t, u), mgr.Name+"指派您拜访")
		}
	}
	return out
}

func only(t *testing.T, cs []loopCard, match func(loopCard) bool) loopCard {
	t.Helper()
	var found []loopCard
	for _, c := range cs {
		if match(c) {
			found = append(found, c)
		}
	}
	if len(found) == 0 {
		t.Fatalf("no such card among %d", len(cs))
	}
	return found[len(found)-1]
}

func containsPrefix(texts []string, prefix string) bool {
	return slices.ContainsFunc(texts, func(s string) bool { return strings.HasPrefix(s, prefix) })
}

// TestDailyLoopOnEveryPlatform runs the same scenario through the console,
// the encrypted WeCom callback and DingTalk's robot and card callbacks, each
// on the app wired for that platform; all must leave the same database.
func TestDailyLoopOnEveryPlatform(t *testing.T) {
	for _, db := range modelstest.Drivers() {
		t.Run(db, func(t *testing.T) {
			outcomes := map[string]loopOutcome{}
			for _, d := range []loopDriver{&consoleDriver{}, &wecomDriver{}, &dingtalkDriver{}} {
				t.Run(d.name(), func(t *testing.T) {
					s, _ := modelstest.Open(t, db, clock.NewFake(time.Date(2026, 12, 1, 9, 0, 0, 0, modelstest.Shanghai)))
					outcomes[d.name()] = runLoop(t, s, d)
				})
			}
			want := outcomes["console"]
			t.Logf("outcomes: %+v", outcomes)
			if want.Plans != 1 || want.Recommended != 6 || want.Planned != 5 || want.Skipped != 1 || want.CheckIns != 2 || want.Unverified != 1 || want.Verified == 0 || want.Completed != 1 || want.FollowUps != 1 || want.MustVisits != 1 ||
				want.AlertStatus != models.AlertAssigned || !want.RepNoticed {
				t.Fatalf("console outcome = %+v", want)
			}
			for name, got := range outcomes {
				if got != want {
					t.Errorf("%s outcome %+v differs from console %+v", name, got, want)
				}
			}
		})
	}
}

// ---- console ----

type consoleDriver struct{ w *world }

func (d *consoleDriver) name() string                                      { return "console" }
func (d *consoleDriver) configure(*testing.T, *clock.Fake, *config.Config) {}
func (d *consoleDriver) wire(_ *testing.T, w *alertWorld)                  { d.w = w.world }

func (d *consoleDriver) post(t *testing.T, u *models.User, ev bot.Event) []string {
	t.Helper()
	return d.w.post(t, u, ev).Texts
}
func (d *consoleDriver) text(t *testing.T, u *models.User, s string) []string {
	return d.post(t, u, bot.Event{Kind: bot.EventText, Text: s})
}
func (d *consoleDriver) location(t *testing.T, u *models.User, lat, lng float64) []string {
	return d.post(t, u, bot.Event{Kind: bot.EventLocation, Location: &bot.Location{Lat: lat, Lng: lng}})
}
func (d *consoleDriver) click(t *testing.T, u *models.User, c loopCard, key string, sel ...bot.Selection) []string {
	return d.post(t, u, bot.Event{Kind: bot.EventCardAction, Action: &bot.CardAction{TaskID: c.TaskID, Key: key, Selected: sel}})
}
func (d *consoleDriver) cards(t *testing.T, u *models.User) []loopCard {
	var out []loopCard
	for _, b := range d.w.bodies(t, u) {
		if c := b.Card; c != nil {
			lc := loopCard{TaskID: c.TaskID, Layout: string(c.Layout), Title: c.Title, Selection: c.Selection, Selects: c.Selects}
			for _, bt := range c.Buttons {
				if bt.Key != "" {
					lc.Buttons = append(lc.Buttons, bt.Key)
				}
			}
			if c.Checkbox != nil {
				lc.CheckboxKey = c.Checkbox.QuestionKey
				for _, o := range c.Checkbox.Options {
					lc.Checkbox = append(lc.Checkbox, o.ID)
				}
			}
			if c.Submit != nil {
				lc.Submit = c.Submit.Key
			}
			out = append(out, lc)
		}
	}
	return out
}
func (d *consoleDriver) textsTo(t *testing.T, u *models.User) []string {
	var out []string
	for _, b := range d.w.bodies(t, u) {
		if b.Text != "" {
			out = append(out, b.Text)
		}
	}
	return out
}

// ---- WeCom ----

type wecomDriver struct {
	w     *alertWorld
	fake  *wecomfake.Server
	side  *weComSide
	msgID int
	// clicked maps the fresh response_code of each click to its card.
	clicked map[string]string
}

func (d *wecomDriver) name() string { return "wecom" }

func (d *wecomDriver) configure(t *testing.T, clk *clock.Fake, cfg *config.Config) {
	d.fake = enableWeCom(t, clk, cfg)
}

func (d *wecomDriver) wire(t *testing.T, w *alertWorld) {
	d.w = w
	d.side = newWeComSide(t, w.app.Server().Handler(), w.clk)
}

// post delivers plain as WeCom does and returns the user's new texts: the
// passive reply plus what the outbox then sent through the API.
func (d *wecomDriver) post(t *testing.T, u *models.User, plain string) []string {
	t.Helper()
	before := len(d.fake.Sent())
	var texts []string
	if p, ok := d.side.post(t, plain); ok && p.MsgType == "text" {
		texts = append(texts, p.Content)
	}
	d.w.drain(t)
	for _, m := range d.fake.Sent()[before:] {
		if m.ToUser == "wx-"+u.UserID && m.Text != "" {
			texts = append(texts, m.Text)
		}
	}
	d.w.clk.Advance(1e9) // events are deduplicated by sender and CreateTime
	return texts
}

func (d *wecomDriver) head(u *models.User) string { return weComHead("wx-"+u.UserID, d.w.clk.Now()) }

func (d *wecomDriver) text(t *testing.T, u *models.User, s string) []string {
	d.msgID++
	return d.post(t, u, fmt.Sprintf("<xml>%s<MsgType><![CDATA[text]]></MsgType><Content><![CDATA[%s]]></Content><MsgId>%d</MsgId></xml>", d.head(u), s, 7000+d.msgID))
}

func (d *wecomDriver) location(t *testing.T, u *models.User, lat, lng float64) []string {
	d.msgID++
	return d.post(t, u, fmt.Sprintf("<xml>%s<MsgType><![CDATA[location]]></MsgType><Location_X>%f</Location_X><Location_Y>%f</Location_Y><Scale>15</Scale><Label><![CDATA[医院]]></Label><MsgId>%d</MsgId></xml>",
		d.head(u), lat, lng, 7000+d.msgID))
}

func (d *wecomDriver) click(t *testing.T, u *models.User, c loopCard, key string, sel ...bot.Selection) []string {
	// Every click event carries a fresh single-use response_code, as WeCom's do.
	code := d.fake.IssueResponseCode()
	if d.clicked == nil {
		d.clicked = map[string]string{}
	}
	d.clicked[code] = c.TaskID
	return d.post(t, u, weComCardEvent("wx-"+u.UserID, d.w.clk.Now(), c.TaskID, c.Layout, code, key, sel...))
}

func (d *wecomDriver) cards(t *testing.T, u *models.User) []loopCard {
	var out []loopCard
	for _, m := range d.fake.Sent() {
		if m.ToUser != "wx-"+u.UserID || m.Card == nil {
			continue
		}
		out = append(out, loopCardOfWeCom(m.Card, m.ResponseCode))
	}
	return out
}

// loopCardOfWeCom reads a sent or updated template card back into what a user can act on.
func loopCardOfWeCom(c *wecomfake.Card, code string) loopCard {
	lc := loopCard{TaskID: c.TaskID, Layout: c.CardType, ResponseCode: code, Frozen: c.ReplaceText != ""}
	if c.MainTitle != nil {
		lc.Title = c.MainTitle.Title
	}
	for _, b := range c.ButtonList {
		if b.Key != "" {
			lc.Buttons = append(lc.Buttons, b.Key)
		}
	}
	conv := func(q, title string, opts []wecomfake.Option) cards.Select {
		s := cards.Select{QuestionKey: q, Title: title}
		for _, o := range opts {
			s.Options = append(s.Options, cards.Option{ID: o.ID, Text: o.Text})
		}
		return s
	}
	if bs := c.ButtonSelection; bs != nil {
		s := conv(bs.QuestionKey, bs.Title, bs.OptionList)
		lc.Selection = &s
	}
	for _, s := range c.SelectList {
		lc.Selects = append(lc.Selects, conv(s.QuestionKey, s.Title, s.OptionList))
	}
	if c.Checkbox != nil {
		lc.CheckboxKey = c.Checkbox.QuestionKey
		for _, o := range c.Checkbox.OptionList {
			lc.Checkbox = append(lc.Checkbox, o.ID)
		}
	}
	if c.SubmitButton != nil {
		lc.Submit = c.SubmitButton.Key
	}
	return lc
}

func (d *wecomDriver) textsTo(t *testing.T, u *models.User) []string {
	var out []string
	for _, m := range d.fake.Sent() {
		if m.ToUser == "wx-"+u.UserID && m.Text != "" {
			out = append(out, m.Text)
		}
	}
	return out
}

func (d *consoleDriver) updated(t *testing.T, u *models.User, taskID string) bool {
	for _, b := range d.w.bodies(t, u) {
		if b.Card != nil && b.Card.TaskID == taskID {
			// The console rewrites the card in place: the skipped doctor is gone
			// and the replacement is the fifth row.
			return len(b.Card.Fields) == 5 && b.Card.ReplaceText == ""
		}
	}
	return false
}

func (d *wecomDriver) updated(t *testing.T, u *models.User, taskID string) bool {
	for _, up := range d.fake.Updates() {
		if up.Card != nil && up.Card.TaskID == taskID && slices.Contains(up.UserIDs, "wx-"+u.UserID) {
			return true
		}
	}
	return false
}

func (d *consoleDriver) frozen(t *testing.T, u *models.User, taskID string) bool {
	for _, b := range d.w.bodies(t, u) {
		if b.Card != nil && b.Card.TaskID == taskID {
			return b.Card.ReplaceText != ""
		}
	}
	return false
}

func (d *wecomDriver) frozen(t *testing.T, u *models.User, taskID string) bool {
	for _, up := range d.fake.Updates() {
		if slices.Contains(up.UserIDs, "wx-"+u.UserID) && (up.Card != nil && up.Card.TaskID == taskID && up.Card.ReplaceText != "") {
			return true
		}
	}
	return false
}

func (d *consoleDriver) live(t *testing.T, u *models.User, taskID string) []string {
	for _, b := range d.w.bodies(t, u) {
		if b.Card != nil && b.Card.TaskID == taskID && b.Card.ReplaceText == "" {
			return b.Card.ActionKeys()
		}
	}
	return nil
}

// live on WeCom is the newest whole-card update of the task, else the card as sent.
func (d *wecomDriver) live(t *testing.T, u *models.User, taskID string) []string {
	var keys []string
	for _, m := range d.fake.Sent() {
		if m.ToUser == "wx-"+u.UserID && m.Card != nil && m.Card.TaskID == taskID {
			keys = loopCardOfWeCom(m.Card, "").keys()
		}
	}
	for _, up := range d.fake.Updates() {
		if !slices.Contains(up.UserIDs, "wx-"+u.UserID) {
			continue
		}
		switch {
		case up.Card != nil && up.Card.TaskID == taskID:
			keys = loopCardOfWeCom(up.Card, "").keys()
		case up.Card == nil && up.ReplaceName != "" && d.clicked[up.ResponseCode] == taskID:
			keys = nil // update_button greys the buttons of the clicked card
		}
	}
	return keys
}
