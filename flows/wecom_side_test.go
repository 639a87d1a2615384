package flows_test

import (
	"encoding/xml"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"visitbot/bot"
	"visitbot/bot/wecom"
	"visitbot/bot/wecom/wecomfake"
	"visitbot/clock"
	"visitbot/config"
)

const (
	awToken  = "alertToken"
	awCorp   = "ww00000000alerts00"
	awAESKey = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
	awSecret = "alert-app-secret-for-tests"
	awAgent  = 1000002
)

// enableWeCom starts a fake WeCom API (which validates template cards) and
// points the app's WeCom adapter at it; WeCom is then the only platform.
func enableWeCom(t testing.TB, clk clock.Clock, cfg *config.Config) *wecomfake.Server {
	fake := wecomfake.New(t, clk, awCorp, awSecret, awAgent)
	cfg.Console.Enabled = false
	cfg.WeCom.Enabled, cfg.WeCom.APIBase = true, fake.URL
	cfg.WeCom.CorpID, cfg.WeCom.AgentID, cfg.WeCom.Secret = awCorp, awAgent, awSecret
	cfg.WeCom.Token, cfg.WeCom.EncodingAESKey = awToken, awAESKey
	return fake
}

// weComSide plays WeCom towards the app: it encrypts and signs a callback
// as WeCom does, posts it to the app's /wecom/callback and opens the
// passive reply.
type weComSide struct {
	crypto *wecom.Crypto
	srv    http.Handler
	clk    clock.Clock
}

func newWeComSide(t *testing.T, srv http.Handler, clk clock.Clock) *weComSide {
	t.Helper()
	crypto, err := wecom.NewCrypto(awToken, awAESKey, awCorp)
	must(t, err)
	return &weComSide{crypto: crypto, srv: srv, clk: clk}
}

type passiveReply struct {
	MsgType string `xml:"MsgType"`
	Content string `xml:"Content"`
	Button  struct {
		ReplaceName string `xml:"ReplaceName"`
	} `xml:"Button"`
}

// post delivers the plain event XML; ok is false when the callback
// answered an empty 200 (no passive reply).
func (c *weComSide) post(t *testing.T, plain string) (p passiveReply, ok bool) {
	t.Helper()
	enc, err := c.crypto.Encrypt([]byte(plain))
	must(t, err)
	ts := strconv.FormatInt(c.clk.Now().Unix(), 10)
	q := url.Values{"msg_signature": {c.crypto.Sign(ts, "n"+ts, enc)}, "timestamp": {ts}, "nonce": {"n" + ts}}
	body := fmt.Sprintf("<xml><ToUserName><![CDATA[%s]]></ToUserName><AgentID><![CDATA[%d]]></AgentID><Encrypt><![CDATA[%s]]></Encrypt></xml>", awCorp, awAgent, enc)
	rec := httptest.NewRecorder()
	c.srv.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/wecom/callback?"+q.Encode(), strings.NewReader(body)))
	if rec.Code != http.StatusOK {
		t.Fatalf("wecom callback: %d %q", rec.Code, rec.Body.String())
	}
	if rec.Body.Len() == 0 {
		return p, false
	}
	reply, err := c.crypto.OpenReply(rec.Body.Bytes())
	must(t, err)
	must(t, xml.Unmarshal(reply, &p))
	return p, true
}

// weComHead is the common part of an event from the WeCom user from, sent at at.
func weComHead(from string, at time.Time) string {
	return fmt.Sprintf("<ToUserName><![CDATA[%s]]></ToUserName><FromUserName><![CDATA[%s]]></FromUserName><CreateTime>%d</CreateTime><AgentID>%d</AgentID>",
		awCorp, from, at.Unix(), awAgent)
}

// weComCardEvent is the template_card_event of from clicking key on the card taskID.
func weComCardEvent(from string, at time.Time, taskID, cardType, responseCode, key string, sel ...bot.Selection) string {
	var items strings.Builder
	if len(sel) > 0 {
		items.WriteString("<SelectedItems>")
		for _, s := range sel {
			fmt.Fprintf(&items, "<SelectedItem><QuestionKey><![CDATA[%s]]></QuestionKey><OptionIds>", s.QuestionKey)
			for _, id := range s.OptionIDs {
				fmt.Fprintf(&items, "<OptionId><![CDATA[%s]]></OptionId>", id)
			}
			items.WriteString("</OptionIds></SelectedItem>")
		}
		items.WriteString("</SelectedItems>")
	}
	return fmt.Sprintf("<xml>%s<MsgType><![CDATA[event]]></MsgType><Event><![CDATA[template_card_event]]></Event><EventKey><![CDATA[%s]]></EventKey><TaskId><![CDATA[%s]]></TaskId><CardType><![CDATA[%s]]></CardType><ResponseCode><![CDATA[%s]]></ResponseCode>%s</xml>",
		weComHead(from, at), key, taskID, cardType, responseCode, items.String())
}
