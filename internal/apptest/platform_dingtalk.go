package apptest

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"testing"

	"visitbot/bot/dingtalk"
	"visitbot/bot/dingtalk/dingtalkfake"
	"visitbot/config"
	"visitbot/models"
)

// DingTalk test app credentials (any valid values; the fake is made for them).
const (
	DingTalkAppKey     = "dingappkey0001"
	DingTalkAppSecret  = "dt-app-secret-0123456789abcdef"
	DingTalkRobotCode  = "dingrobot0001"
	DingTalkCardToken  = "card-path-token-0123456789abcdef"
	DingTalkEventToken = "dtEventToken"
	DingTalkEventAES   = "o1w0aum42yaptlz8alnhwikjd3jenzt9cb9wmzptgus"
)

// DingTalk is the wired app with DingTalk enabled (api_base and oapi_base =
// the fake) and the console off. It plays DingTalk's side of the callbacks:
// robot messages signed with the app secret, card callbacks on the path
// token, events encrypted for the app.
type DingTalk struct {
	served
	// Fake is the DingTalk API the app sends to (every configured card
	// template is allowed on it).
	Fake *dingtalkfake.Fake
	// Crypto is the event subscription crypto.
	Crypto *dingtalk.Crypto
}

// NewDingTalk wires the app on s (whose clock must be a *clock.Fake) with
// DingTalk enabled in mode "http" against a new fake; edit may change the
// config (mode "stream", card templates …) before the app is built.
func NewDingTalk(t testing.TB, s *models.Store, edit func(*config.Config)) *DingTalk {
	t.Helper()
	d := &DingTalk{}
	d.served = serve(t, s, func(c *config.Config) {
		dt := &c.DingTalk
		dt.Enabled, dt.AppKey, dt.AppSecret, dt.RobotCode = true, DingTalkAppKey, DingTalkAppSecret, DingTalkRobotCode
		dt.EventToken, dt.EventAESKey, dt.CardCallbackToken = DingTalkEventToken, DingTalkEventAES, DingTalkCardToken
		if edit != nil {
			edit(c)
		}
		d.Fake = dingtalkfake.New(dt.AppKey, dt.AppSecret, dt.RobotCode)
		t.Cleanup(d.Fake.Close)
		for _, id := range dt.CardTemplates {
			d.Fake.AllowTemplate(id)
		}
		dt.APIBase, dt.OAPIBase = d.Fake.URL(), d.Fake.URL()
	})
	cfg := d.Config.DingTalk
	var err error
	if d.Crypto, err = dingtalk.NewCrypto(cfg.EventToken, cfg.EventAESKey, cfg.AppKey); err != nil {
		t.Fatal(err)
	}
	return d
}

// Do serves one request.
func (d *DingTalk) Do(req *http.Request) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	d.Handler.ServeHTTP(rec, req)
	return rec
}

func jsonRequest(method, target string, body []byte) *http.Request {
	req := httptest.NewRequest(method, target, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	return req
}

// PostRobot posts a robot message with the given timestamp and sign headers
// (an empty one is left out).
func (d *DingTalk) PostRobot(body []byte, ts, sign string) *httptest.ResponseRecorder {
	req := jsonRequest(http.MethodPost, "/dingtalk/robot", body)
	if ts != "" {
		req.Header.Set("timestamp", ts)
	}
	if sign != "" {
		req.Header.Set("sign", sign)
	}
	return d.Do(req)
}

// Robot posts a robot message signed like DingTalk at the clock's time.
func (d *DingTalk) Robot(body []byte) *httptest.ResponseRecorder {
	ts := strconv.FormatInt(d.Clock.Now().UnixMilli(), 10)
	return d.PostRobot(body, ts, dingtalk.RobotSign(d.Config.DingTalk.AppSecret, ts))
}

// Card posts an advanced card callback to the route of path token.
func (d *DingTalk) Card(token string, body []byte) *httptest.ResponseRecorder {
	return d.Do(jsonRequest(http.MethodPost, "/dingtalk/card/"+token, body))
}

// CardBody is a card callback of userID on outTrackID whose button sent params.
func CardBody(outTrackID, userID string, params map[string]any) []byte {
	content, _ := json.Marshal(map[string]any{"cardPrivateData": map[string]any{"actionIds": []string{"accept"}, "params": params}})
	b, _ := json.Marshal(map[string]any{"type": "actionCallback", "outTrackId": outTrackID, "corpId": "dingcorp", "userId": userID,
		"spaceType": "IM", "spaceId": "x", "content": string(content)})
	return b
}

// Event posts plain as an encrypted event callback; mutate may change the
// signed query before it is sent.
func (d *DingTalk) Event(plain string, mutate func(q url.Values)) *httptest.ResponseRecorder {
	d.t.Helper()
	env, err := d.Crypto.Seal([]byte(plain), strconv.FormatInt(d.Clock.Now().UnixMilli(), 10), "nonce123")
	if err != nil {
		d.t.Fatal(err)
	}
	q := url.Values{"msg_signature": {env.MsgSignature}, "timeStamp": {env.TimeStamp}, "nonce": {env.Nonce}}
	if mutate != nil {
		mutate(q)
	}
	body, _ := json.Marshal(map[string]string{"encrypt": env.Encrypt})
	return d.Do(jsonRequest(http.MethodPost, "/dingtalk/event?"+q.Encode(), body))
}
