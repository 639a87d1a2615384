package apptest

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"testing"

	"visitbot/bot/wecom"
	"visitbot/bot/wecom/wecomfake"
	"visitbot/config"
	"visitbot/models"
)

// WeCom test app credentials (any valid values; the fake is made for them).
const (
	WeComCorp   = "ww1234567890abcdef"
	WeComToken  = "visitbotToken"
	WeComAESKey = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
	WeComSecret = "app-secret-for-tests"
	WeComAgent  = 1000002
)

// WeCom is the wired app with WeCom enabled (wecom.api_base = the fake) and
// the console off: what WeCom sees of a deployment. It plays WeCom's side of
// the callback protocol: requests are encrypted and signed like WeCom's,
// passive replies opened like WeCom opens them.
type WeCom struct {
	served
	// Fake is the WeCom API the app sends to.
	Fake *wecomfake.Server
	// Crypto is the app's callback crypto (token, EncodingAESKey, corp id).
	Crypto *wecom.Crypto
}

// NewWeCom wires the app on s (whose clock must be a *clock.Fake) with
// WeCom enabled against a new fake WeCom API; edit may change the config
// (e.g. other credentials) before the fake is made for it.
func NewWeCom(t testing.TB, s *models.Store, edit func(*config.Config)) *WeCom {
	t.Helper()
	w := &WeCom{}
	w.served = serve(t, s, func(c *config.Config) {
		c.WeCom.Enabled, c.WeCom.CorpID, c.WeCom.AgentID, c.WeCom.Secret = true, WeComCorp, WeComAgent, WeComSecret
		c.WeCom.Token, c.WeCom.EncodingAESKey = WeComToken, WeComAESKey
		if edit != nil {
			edit(c)
		}
		w.Fake = wecomfake.New(t, s.Clock(), c.WeCom.CorpID, c.WeCom.Secret, c.WeCom.AgentID)
		c.WeCom.APIBase = w.Fake.URL
	})
	cfg := w.Config.WeCom
	var err error
	if w.Crypto, err = wecom.NewCrypto(cfg.Token, cfg.EncodingAESKey, cfg.CorpID); err != nil {
		t.Fatal(err)
	}
	return w
}

// Query is the signed query of a callback carrying encrypt, at the clock's time.
func (w *WeCom) Query(encrypt string) url.Values {
	ts := strconv.FormatInt(w.Clock.Now().Unix(), 10)
	nonce := "n" + ts
	return url.Values{"msg_signature": {w.Crypto.Sign(ts, nonce, encrypt)}, "timestamp": {ts}, "nonce": {nonce}}
}

// Envelope is the POST body WeCom sends: the ciphertext for corp.
func (w *WeCom) Envelope(corp, encrypt string) []byte {
	return []byte(fmt.Sprintf("<xml><ToUserName><![CDATA[%s]]></ToUserName><AgentID><![CDATA[%d]]></AgentID><Encrypt><![CDATA[%s]]></Encrypt></xml>",
		corp, w.Config.WeCom.AgentID, encrypt))
}

// Do serves one request to /wecom/callback.
func (w *WeCom) Do(method string, q url.Values, body []byte) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	w.Handler.ServeHTTP(rec, httptest.NewRequest(method, "/wecom/callback?"+q.Encode(), bytes.NewReader(body)))
	return rec
}

// Encrypt is plain sealed for the app, as WeCom encrypts a callback.
func (w *WeCom) Encrypt(plain string) string {
	w.t.Helper()
	enc, err := w.Crypto.Encrypt([]byte(plain))
	if err != nil {
		w.t.Fatal(err)
	}
	return enc
}

// Post encrypts and signs plain XML like WeCom and posts it.
func (w *WeCom) Post(plain string) *httptest.ResponseRecorder {
	w.t.Helper()
	enc := w.Encrypt(plain)
	return w.Do(http.MethodPost, w.Query(enc), w.Envelope(w.Config.WeCom.CorpID, enc))
}

// Passive is a decrypted passive reply: a text or update_button.
type Passive struct {
	ToUserName string `xml:"ToUserName"`
	MsgType    string `xml:"MsgType"`
	Content    string `xml:"Content"`
	Button     struct {
		ReplaceName string `xml:"ReplaceName"`
	} `xml:"Button"`
}

// Open checks that rec is a 200 with a passive reply and decrypts it as
// WeCom would (signature first).
func (w *WeCom) Open(rec *httptest.ResponseRecorder) Passive {
	w.t.Helper()
	if rec.Code != http.StatusOK || rec.Body.Len() == 0 {
		w.t.Fatalf("want 200 with a passive reply, got %d %q", rec.Code, rec.Body.String())
	}
	plain, err := w.Crypto.OpenReply(rec.Body.Bytes())
	if err != nil {
		w.t.Fatalf("open reply: %v", err)
	}
	var p Passive
	if err := xml.Unmarshal(plain, &p); err != nil {
		w.t.Fatal(err)
	}
	return p
}
