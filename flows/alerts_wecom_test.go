package flows_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"visitbot/bot"
	"visitbot/bot/wecom/wecomfake"
	"visitbot/cards"
	"visitbot/config"
	"visitbot/models"
	"visitbot/models/modelstest"
)

// The same alert flow through the real WeCom stack: the card is sent with
// message/send to a fake WeCom API (which validates template cards), the
// manager's 指派 arrives as an encrypted template_card_event on
// /wecom/callback, and the rep's notice goes out through the API.
func TestAlertAssignThroughWeComCallback(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, s *models.Store) {
		var fake *wecomfake.Server
		w := newAlertWorld(t, s, func(cfg *config.Config) { fake = enableWeCom(t, s.Clock(), cfg) })
		ctx := context.Background()
		for u, id := range map[*models.User]string{w.mgr: "wangjl", w.mgr2: "lijl", w.rep: "zhangsan", w.rep2: "lisi", w.rep3: "zhaoliu", w.admin: "admin"} {
			must(t, s.DB(ctx).Model(&models.User{}).Where("id = ?", u.ID).Update("wecom_user_id", id).Error)
		}
		wc := newWeComSide(t, w.app.Server().Handler(), w.clk)

		_, err := w.flows.AlertScan(ctx, testDay)
		must(t, err)
		w.drain(t)
		var card *wecomfake.Card
		code := ""
		for _, m := range fake.Sent() {
			if m.ToUser == "wangjl" && m.Card != nil {
				card, code = m.Card, m.ResponseCode
			}
		}
		if card == nil || card.CardType != "button_interaction" || card.EmphasisContent == nil || card.EmphasisContent.Title != "21天" {
			t.Fatalf("alert card sent to WeCom: %+v", fake.Sent())
		}

		click := func(from, key string, rep uint) passiveReply {
			t.Helper()
			var sel []bot.Selection
			if rep != 0 {
				sel = append(sel, bot.Selection{QuestionKey: cards.QuestionAlertRep, OptionIDs: []string{fmt.Sprint(rep)}})
			}
			p, ok := wc.post(t, weComCardEvent(from, w.clk.Now(), card.TaskID, "button_interaction", code, key, sel...))
			if !ok {
				t.Fatalf("callback: no passive reply")
			}
			w.clk.Advance(1e9) // the next event has another CreateTime (WeCom's dedupe key)
			return p
		}

		// Another team's manager: refused, nothing changes.
		if p := click("lijl", cards.ActionAlertAssign, w.rep3.ID); p.MsgType != "text" || p.Content != bot.MsgNotYourCard {
			t.Fatalf("foreign click: %+v", p)
		}
		// The alert's manager assigns 张三.
		if p := click("wangjl", cards.ActionAlertAssign, w.rep.ID); p.MsgType != "update_button" || p.Button.ReplaceName != "已指派给张三" {
			t.Fatalf("assign reply: %+v", p)
		}
		w.drain(t)
		var notice string
		for _, m := range fake.Sent() {
			if m.ToUser == "zhangsan" {
				notice = m.Text
			}
		}
		if !strings.HasPrefix(notice, "王经理指派您拜访：张主任（浙大一院）") {
			t.Fatalf("rep notice through WeCom = %q (sent %+v)", notice, fake.Sent())
		}
		next, err := w.rec.ForRep(ctx, w.rep.ID, "2026-12-02", false)
		must(t, err)
		if len(next) == 0 || next[0].DoctorID != w.kol.ID || next[0].Kind != models.RecMustVisit {
			t.Fatalf("next list = %+v", next)
		}
	})
}
