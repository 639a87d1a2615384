package flows_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"visitbot/bot"
	"visitbot/bot/dingtalk"
	"visitbot/bot/dingtalk/dingtalkfake"
	"visitbot/cards"
	"visitbot/clock"
	"visitbot/config"
	"visitbot/models"
)

// ---- DingTalk ----

const (
	dlAppKey    = "dingloopappkey01"
	dlAppSecret = "ding-loop-app-secret-0123456789"
	dlRobot     = "dinglooprobot01"
	dlCardToken = "loop-card-token-0123456789abcdef"
)

// dingtalkDriver plays DingTalk: signed robot messages and advanced card
// callbacks through the app's routes, against the fake DingTalk API. Every
// card kind has a template, so cards arrive as advanced cards and clicks
// come back as card callbacks.
type dingtalkDriver struct {
	w     *alertWorld
	fake  *dingtalkfake.Fake
	srv   http.Handler
	msgID int
}

func (d *dingtalkDriver) name() string { return "dingtalk" }

// configure makes DingTalk (mode http) the only platform, on the fake.
func (d *dingtalkDriver) configure(t *testing.T, _ *clock.Fake, cfg *config.Config) {
	d.fake = dingtalkfake.New(dlAppKey, dlAppSecret, dlRobot)
	t.Cleanup(d.fake.Close)
	templates := map[string]string{}
	for _, kind := range []string{"visit_list", "skip_form", "feedback_step1", "feedback_step2", "alert", "checkin_pick", "checkin_confirm", "note_offer", "note_question", "weekly_digest"} {
		templates[kind] = "tpl-" + kind
		d.fake.AllowTemplate(templates[kind])
	}
	cfg.Console.Enabled = false
	dt := &cfg.DingTalk
	dt.Enabled, dt.AppKey, dt.AppSecret, dt.RobotCode = true, dlAppKey, dlAppSecret, dlRobot
	dt.APIBase, dt.OAPIBase, dt.CardCallbackToken, dt.CardTemplates = d.fake.URL(), d.fake.URL(), dlCardToken, templates
	cfg.Server.PublicURL = "https://visitbot.example.com"
}

func (d *dingtalkDriver) wire(_ *testing.T, w *alertWorld) {
	d.w, d.srv = w, w.app.Server().Handler()
}

func dtID(u *models.User) string { return "dt-" + u.UserID }

// newTexts collects the robot messages sent to u through the API since the
// mark (every reply goes through the outbox; none through the sessionWebhook).
func (d *dingtalkDriver) newTexts(u *models.User, msgs int) []string {
	var out []string
	for _, m := range d.fake.Messages()[msgs:] {
		if m.UserID == dtID(u) && m.MsgKey == cards.DingTalkMsgMarkdown {
			out = append(out, strings.ReplaceAll(m.MsgParam["text"], "  \n", "\n"))
		}
	}
	return out
}

func (d *dingtalkDriver) robot(t *testing.T, u *models.User, msg map[string]any) []string {
	t.Helper()
	d.msgID++
	msg["msgId"] = fmt.Sprintf("loop-msg-%d", d.msgID)
	msg["senderStaffId"], msg["conversationType"], msg["robotCode"] = dtID(u), "1", dlRobot
	msg["sessionWebhook"] = d.fake.SessionWebhook(fmt.Sprintf("%s-%d", dtID(u), d.msgID))
	msg["sessionWebhookExpiredTime"] = d.w.clk.Now().Add(90 * time.Minute).UnixMilli()
	msg["createAt"] = d.w.clk.Now().UnixMilli()
	body, err := json.Marshal(msg)
	must(t, err)
	msgs := len(d.fake.Messages())
	ts := strconv.FormatInt(d.w.clk.Now().UnixMilli(), 10)
	req := httptest.NewRequest(http.MethodPost, "/dingtalk/robot", bytes.NewReader(body))
	req.Header.Set("timestamp", ts)
	req.Header.Set("sign", dingtalk.RobotSign(dlAppSecret, ts))
	rec := httptest.NewRecorder()
	d.srv.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK {
		t.Fatalf("dingtalk robot: %d %q", rec.Code, rec.Body.String())
	}
	d.w.drain(t)
	if n := len(d.fake.Sessions()); n != 0 {
		t.Fatalf("dingtalk: %d replies through the sessionWebhook, want every reply through the outbox", n)
	}
	return d.newTexts(u, msgs)
}

func (d *dingtalkDriver) text(t *testing.T, u *models.User, s string) []string {
	return d.robot(t, u, map[string]any{"msgtype": "text", "text": map[string]string{"content": s}})
}

func (d *dingtalkDriver) location(t *testing.T, u *models.User, lat, lng float64) []string {
	return d.robot(t, u, map[string]any{"msgtype": "location", "content": map[string]any{"latitude": lat, "longitude": lng, "title": "医院"}})
}

func (d *dingtalkDriver) click(t *testing.T, u *models.User, c loopCard, key string, sel ...bot.Selection) []string {
	t.Helper()
	params := map[string]any{cards.DingTalkParamAction: key}
	for _, s := range sel {
		if len(s.OptionIDs) == 1 {
			params[s.QuestionKey] = s.OptionIDs[0]
		} else {
			params[s.QuestionKey] = s.OptionIDs
		}
	}
	content, err := json.Marshal(map[string]any{"cardPrivateData": map[string]any{"actionIds": []string{"submit"}, "params": params}})
	must(t, err)
	body, err := json.Marshal(map[string]any{"type": "actionCallback", "outTrackId": c.TaskID, "userId": dtID(u), "corpId": "dingcorp",
		"spaceType": "IM_ROBOT", "content": string(content)})
	must(t, err)
	msgs := len(d.fake.Messages())
	rec := httptest.NewRecorder()
	d.srv.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/dingtalk/card/"+dlCardToken, bytes.NewReader(body)))
	if rec.Code != http.StatusOK {
		t.Fatalf("dingtalk card callback: %d %q", rec.Code, rec.Body.String())
	}
	var ans struct {
		CardData *struct {
			CardParamMap map[string]string `json:"cardParamMap"`
		} `json:"cardData"`
	}
	must(t, json.Unmarshal(rec.Body.Bytes(), &ans))
	if ans.CardData != nil {
		// DingTalk applies the answer to the card the user sees.
		d.fake.Apply(c.TaskID, ans.CardData.CardParamMap)
	}
	d.w.drain(t)
	d.w.clk.Advance(time.Second)
	return d.newTexts(u, msgs)
}

// loopCardOf reads an advanced card's cardParamMap back into what a user can act on.
func loopCardOf(t *testing.T, c dingtalkfake.Card) loopCard {
	p := c.Params
	lc := loopCard{TaskID: c.OutTrackID, Layout: p[cards.DingTalkKeyLayout], Title: p[cards.DingTalkKeyTitle]}
	var buttons []cards.DingTalkButton
	must(t, json.Unmarshal([]byte(p[cards.DingTalkKeyButtons]), &buttons))
	for _, b := range buttons {
		if b.Action != "" {
			lc.Buttons = append(lc.Buttons, b.Action)
		}
	}
	var selects []cards.DingTalkSelect
	must(t, json.Unmarshal([]byte(p[cards.DingTalkKeySelects]), &selects))
	for _, s := range selects {
		sel := cards.Select{QuestionKey: s.Key, Title: s.Title, SelectedID: s.Selected}
		for _, o := range s.Options {
			sel.Options = append(sel.Options, cards.Option{ID: o.ID, Text: o.Text})
		}
		lc.Selects = append(lc.Selects, sel)
	}
	if v := p[cards.DingTalkKeyCheckbox]; v != "" {
		var cb cards.DingTalkCheckbox
		must(t, json.Unmarshal([]byte(v), &cb))
		lc.CheckboxKey = cb.Key
		for _, o := range cb.Options {
			lc.Checkbox = append(lc.Checkbox, o.ID)
		}
	}
	if v := p[cards.DingTalkKeySubmit]; v != "" {
		var sb cards.DingTalkButton
		must(t, json.Unmarshal([]byte(v), &sb))
		lc.Submit = sb.Action
	}
	// A button card's single select is WeCom's button_selection.
	if lc.Submit == "" && len(lc.Selects) == 1 {
		lc.Selection, lc.Selects = &lc.Selects[0], nil
	}
	return lc
}

func (d *dingtalkDriver) cards(t *testing.T, u *models.User) []loopCard {
	var out []loopCard
	for _, c := range d.fake.Cards() {
		if c.UserID == dtID(u) {
			out = append(out, loopCardOf(t, c))
		}
	}
	return out
}

func (d *dingtalkDriver) textsTo(t *testing.T, u *models.User) []string {
	return d.newTexts(u, 0)
}

func (d *dingtalkDriver) updated(t *testing.T, u *models.User, taskID string) bool {
	for _, up := range d.fake.Updates() {
		if up.OutTrackID == taskID {
			return true
		}
	}
	return false
}

func (d *dingtalkDriver) frozen(t *testing.T, u *models.User, taskID string) bool {
	c, ok := d.fake.Card(taskID)
	return ok && c.Params[cards.DingTalkKeyFrozen] == "true"
}

func (d *dingtalkDriver) live(t *testing.T, u *models.User, taskID string) []string {
	c, ok := d.fake.Card(taskID)
	if !ok {
		return nil
	}
	lc := loopCardOf(t, c)
	lc.Frozen = c.Params[cards.DingTalkKeyFrozen] == "true"
	return lc.keys()
}
