package flows_test

import (
	"bytes"
	"context"
	"encoding/xml"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"visitbot/bot"
	"visitbot/bot/wecom"
	"visitbot/bot/wecom/wecomfake"
	"visitbot/cards"
	"visitbot/flows"
	"visitbot/handlers"
	"visitbot/internal/botstore"
	"visitbot/models"
	"visitbot/models/modelstest"
	"visitbot/outbox"
)

const (
	awToken  = "alertToken"
	awCorp   = "ww00000000alerts00"
	awAESKey = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
	awSecret = "alert-app-secret-for-tests"
	awAgent  = 1000002
)

// The same alert flow through the real WeCom stack: the card is sent with
// message/send to a fake WeCom API (which validates template cards), the
// manager's 指派 arrives as an encrypted template_card_event on
// /wecom/callback, and the rep's notice goes out through the API.
func TestAlertAssignThroughWeComCallback(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, s *models.Store) {
		w := newAlertWorld(t, s)
		ctx := context.Background()
		for u, id := range map[*models.User]string{w.mgr: "wangjl", w.mgr2: "lijl", w.rep: "zhangsan", w.rep2: "lisi", w.rep3: "zhaoliu", w.admin: "admin"} {
			must(t, s.DB(ctx).Model(&models.User{}).Where("id = ?", u.ID).Update("wecom_user_id", id).Error)
		}
		log := slog.New(slog.DiscardHandler)
		b := bot.New(botstore.New(s), w.clk, modelstest.Shanghai, log)
		deps := flows.Deps{Store: s, Clock: w.clk, Log: log, Config: w.cfg, Recommend: w.rec, Platforms: flows.Platforms{WeCom: true}}
		flows.Register(b, deps)
		must(t, b.Seal())
		crypto, err := wecom.NewCrypto(awToken, awAESKey, awCorp)
		must(t, err)
		fake := wecomfake.New(t, w.clk, awCorp, awSecret, awAgent)
		client, err := wecom.NewClient(wecom.ClientOptions{APIBase: fake.URL, CorpID: awCorp, Secret: awSecret, AgentID: awAgent, Cache: wecom.NewStoreCache(s)})
		must(t, err)
		messenger := wecom.NewMessenger(client, s, log)
		opts := wecom.CallbackOptions{Crypto: crypto, Bot: b, Messenger: messenger, Clock: w.clk, Log: log}
		if s.Driver() == "sqlite" {
			opts.MaxInFlight = 1
		}
		cb, err := wecom.NewCallback(opts)
		must(t, err)
		srv := handlers.New(handlers.Deps{Store: s, Bot: b, Log: log, Clock: w.clk, Registry: prometheus.NewRegistry(), MaxBodyBytes: 1 << 20, WeCom: cb}).Handler()
		disp, err := outbox.NewDispatcher(outbox.DispatcherOptions{Store: s, Messengers: map[bot.Platform]bot.Messenger{bot.WeCom: messenger},
			Config: w.cfg.Outbox, Clock: w.clk, Log: log})
		must(t, err)

		_, err = flows.New(deps).AlertScan(ctx, testDay)
		must(t, err)
		must(t, disp.Drain(ctx))
		var card *cards.WeComCard
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
			sel := ""
			if rep != 0 {
				sel = fmt.Sprintf(`<SelectedItems><SelectedItem><QuestionKey><![CDATA[%s]]></QuestionKey><OptionIds><OptionId><![CDATA[%d]]></OptionId></OptionIds></SelectedItem></SelectedItems>`, cards.QuestionAlertRep, rep)
			}
			plain := fmt.Sprintf(`<xml><ToUserName><![CDATA[%s]]></ToUserName><FromUserName><![CDATA[%s]]></FromUserName><CreateTime>%d</CreateTime><MsgType><![CDATA[event]]></MsgType><Event><![CDATA[template_card_event]]></Event><EventKey><![CDATA[%s]]></EventKey><TaskId><![CDATA[%s]]></TaskId><CardType><![CDATA[button_interaction]]></CardType><ResponseCode><![CDATA[%s]]></ResponseCode><AgentID>%d</AgentID>%s</xml>`,
				awCorp, from, w.clk.Now().Unix(), key, card.TaskID, code, awAgent, sel)
			enc, err := crypto.Encrypt([]byte(plain))
			must(t, err)
			ts := strconv.FormatInt(w.clk.Now().Unix(), 10)
			q := url.Values{"msg_signature": {crypto.Sign(ts, "n"+ts, enc)}, "timestamp": {ts}, "nonce": {"n" + ts}}
			body := fmt.Sprintf("<xml><ToUserName><![CDATA[%s]]></ToUserName><AgentID><![CDATA[%d]]></AgentID><Encrypt><![CDATA[%s]]></Encrypt></xml>", awCorp, awAgent, enc)
			rec := httptest.NewRecorder()
			srv.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/wecom/callback?"+q.Encode(), bytes.NewReader([]byte(body))))
			if rec.Code != http.StatusOK || rec.Body.Len() == 0 {
				t.Fatalf("callback: %d %q", rec.Code, rec.Body.String())
			}
			plainReply, err := crypto.OpenReply(rec.Body.Bytes())
			must(t, err)
			var p passiveReply
			must(t, xml.Unmarshal(plainReply, &p))
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
		must(t, cb.Wait(ctx))
		must(t, disp.Drain(ctx))
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

type passiveReply struct {
	MsgType string `xml:"MsgType"`
	Content string `xml:"Content"`
	Button  struct {
		ReplaceName string `xml:"ReplaceName"`
	} `xml:"Button"`
}
