// Package dingtalkfake is an in-process stand-in for DingTalk's OpenAPI in
// tests: the access token (checks appKey/appSecret, can expire every
// token), robot oToMessages/batchSend (checks userIds and msgParam against
// its own copy of the documented rules in limits.go, records, reports flow
// control and invalid users on request), advanced cards createAndDeliver /
// PUT card/instances (checks template id, outTrackId, the robot chat it is
// delivered to and string-only cardParamMap, records), a sessionWebhook
// endpoint (which visitbot must never post to: its replies go through the
// outbox and the send APIs), a Stream gateway (connections/open + WebSocket,
// StreamPush sends a callback frame), and a per-API QPS limit answering HTTP 403
// Forbidden.AccessDenied.QpsLimitForApi like DingTalk does.
package dingtalkfake

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"time"
)

// QPSLimit is DingTalk's standard-edition limit per app per API.
const QPSLimit = 20

// TokenHeader is the header DingTalk reads the access token from.
const TokenHeader = "x-acs-dingtalk-access-token"

// Message is one robot message delivered to one user.
type Message struct {
	UserID   string
	MsgKey   string
	MsgParam map[string]string
}

// Card is a created advanced card instance.
type Card struct {
	OutTrackID   string
	TemplateID   string
	UserID       string
	CallbackType string
	Params       map[string]string
}

// SessionReply is a text posted to a sessionWebhook.
type SessionReply struct {
	Session string
	MsgType string
	Text    string
}

// Fake is the fake DingTalk API. Create it with New and Close it.
type Fake struct {
	AppKey, AppSecret, RobotCode string
	server                       *httptest.Server

	mu            sync.Mutex
	tokens        map[string]bool
	tokenSeq      int
	tokenCalls    int
	limit         int
	window        time.Duration
	arrivals      map[string][]time.Time
	maxInWindow   map[string]int
	qpsRejections map[string]int
	calls         map[string]int
	templates     map[string]bool
	flowControl   map[string]int
	invalid       map[string]bool
	messages      []Message
	cards         map[string]*Card
	cardOrder     []string
	updates       []Card
	sessions      []SessionReply
	stream        *streamConn
	streamSeq     int
	connected     chan struct{}
}

// New starts a fake for one app.
func New(appKey, appSecret, robotCode string) *Fake {
	f := &Fake{
		AppKey: appKey, AppSecret: appSecret, RobotCode: robotCode,
		tokens: map[string]bool{}, limit: QPSLimit, window: time.Second,
		arrivals: map[string][]time.Time{}, maxInWindow: map[string]int{}, qpsRejections: map[string]int{},
		calls: map[string]int{}, templates: map[string]bool{}, flowControl: map[string]int{}, invalid: map[string]bool{},
		cards: map[string]*Card{}, connected: make(chan struct{}, 1),
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v1.0/oauth2/accessToken", f.limited(f.accessToken))
	mux.HandleFunc("POST /v1.0/robot/oToMessages/batchSend", f.limited(f.authed(f.batchSend)))
	mux.HandleFunc("POST /v1.0/card/instances/createAndDeliver", f.limited(f.authed(f.createCard)))
	mux.HandleFunc("PUT /v1.0/card/instances", f.limited(f.authed(f.updateCard)))
	mux.HandleFunc("POST /v1.0/card/callbacks/register", f.limited(f.authed(func(w http.ResponseWriter, _ *http.Request, _ []byte) {
		writeJSON(w, 200, map[string]any{"success": true})
	})))
	mux.HandleFunc("POST /robot/sendBySession", f.session)
	mux.HandleFunc("POST /v1.0/gateway/connections/open", f.gatewayOpen)
	mux.HandleFunc("GET /gateway/ws", f.gatewayWS)
	f.server = httptest.NewServer(mux)
	return f
}

// URL is the base URL (api_base and oapi_base of the tests).
func (f *Fake) URL() string { return f.server.URL }

// Close drops the Stream connection and stops the server.
func (f *Fake) Close() {
	f.mu.Lock()
	if f.stream != nil {
		_ = f.stream.ws.Close()
	}
	f.mu.Unlock()
	f.server.CloseClientConnections()
	f.server.Close()
}

// SetQPS changes the limit: at most limit calls per API within any window.
func (f *Fake) SetQPS(limit int, window time.Duration) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.limit, f.window = limit, window
}

// AllowTemplate registers a card template id createAndDeliver accepts.
func (f *Fake) AllowTemplate(id string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.templates[id] = true
}

// FlowControl makes the next n batchSends to userID report it in flowControlledStaffIdList.
func (f *Fake) FlowControl(userID string, n int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.flowControl[userID] = n
}

// Invalid makes batchSend report userID in invalidStaffIdList.
func (f *Fake) Invalid(userID string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.invalid[userID] = true
}

// ExpireTokens invalidates every token issued so far.
func (f *Fake) ExpireTokens() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.tokens = map[string]bool{}
}

// TokenCalls counts successful token requests.
func (f *Fake) TokenCalls() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.tokenCalls
}

// Calls counts accepted calls of an API ("POST /v1.0/robot/oToMessages/batchSend").
func (f *Fake) Calls(api string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls[api]
}

// MaxInWindow is the most calls of api seen within one window.
func (f *Fake) MaxInWindow(api string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.maxInWindow[api]
}

// QPSRejections counts calls of api answered with QpsLimitForApi.
func (f *Fake) QPSRejections(api string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.qpsRejections[api]
}

// Messages lists delivered robot messages in order.
func (f *Fake) Messages() []Message {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]Message(nil), f.messages...)
}

// Card returns the card with outTrackID, with every update applied.
func (f *Fake) Card(outTrackID string) (Card, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	c, ok := f.cards[outTrackID]
	if !ok {
		return Card{}, false
	}
	cp := *c
	cp.Params = map[string]string{}
	for k, v := range c.Params {
		cp.Params[k] = v
	}
	return cp, true
}

// Cards lists the created cards in creation order, with updates applied.
func (f *Fake) Cards() []Card {
	f.mu.Lock()
	ids := append([]string(nil), f.cardOrder...)
	f.mu.Unlock()
	out := make([]Card, 0, len(ids))
	for _, id := range ids {
		c, _ := f.Card(id)
		out = append(out, c)
	}
	return out
}

// CardCount is the number of created cards.
func (f *Fake) CardCount() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.cards)
}

// Updates lists card updates (OutTrackID and the params sent) in order.
func (f *Fake) Updates() []Card {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]Card(nil), f.updates...)
}

// Apply merges params into a card as DingTalk does with a callback's
// synchronous answer (which the fake does not see otherwise).
func (f *Fake) Apply(outTrackID string, params map[string]string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if c := f.cards[outTrackID]; c != nil {
		for k, v := range params {
			c.Params[k] = v
		}
	}
}

// Sessions lists texts posted to sessionWebhooks.
func (f *Fake) Sessions() []SessionReply {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]SessionReply(nil), f.sessions...)
}

// SessionWebhook is a sessionWebhook URL on the fake for session.
func (f *Fake) SessionWebhook(session string) string {
	return f.server.URL + "/robot/sendBySession?session=" + session
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, status int, code, msg string) {
	writeJSON(w, status, map[string]string{"code": code, "message": msg, "requestid": "fake-request"})
}

// limited enforces the per-API QPS over a sliding window, counting calls on
// arrival as DingTalk does.
func (f *Fake) limited(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		api := r.Method + " " + r.URL.Path
		now := time.Now()
		f.mu.Lock()
		kept := f.arrivals[api][:0]
		for _, t := range f.arrivals[api] {
			if now.Sub(t) < f.window {
				kept = append(kept, t)
			}
		}
		if len(kept) >= f.limit {
			f.arrivals[api] = kept
			f.qpsRejections[api]++
			f.mu.Unlock()
			writeError(w, http.StatusForbidden, "Forbidden.AccessDenied.QpsLimitForApi", "调用该接口触发了限流")
			return
		}
		kept = append(kept, now)
		f.arrivals[api] = kept
		if len(kept) > f.maxInWindow[api] {
			f.maxInWindow[api] = len(kept)
		}
		f.mu.Unlock()
		h(w, r)
	}
}

func (f *Fake) authed(h func(w http.ResponseWriter, r *http.Request, body []byte)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		ok := f.tokens[r.Header.Get(TokenHeader)]
		f.mu.Unlock()
		if !ok {
			writeError(w, http.StatusUnauthorized, "InvalidAuthentication", "不合法的access_token")
			return
		}
		var body json.RawMessage
		if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20)).Decode(&body); err != nil {
			writeError(w, http.StatusBadRequest, "InvalidParameter", "body is not JSON")
			return
		}
		h(w, r, body)
		f.mu.Lock()
		f.calls[r.Method+" "+r.URL.Path]++
		f.mu.Unlock()
	}
}

func (f *Fake) accessToken(w http.ResponseWriter, r *http.Request) {
	var in struct{ AppKey, AppSecret string }
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil || in.AppKey != f.AppKey || in.AppSecret != f.AppSecret {
		writeError(w, http.StatusBadRequest, "invalidClientIdOrSecret", "无效的clientId或者clientSecret")
		return
	}
	f.mu.Lock()
	f.tokenSeq++
	f.tokenCalls++
	tok := fmt.Sprintf("fake-token-%d", f.tokenSeq)
	f.tokens[tok] = true
	f.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{"accessToken": tok, "expireIn": 7200})
}

func (f *Fake) batchSend(w http.ResponseWriter, _ *http.Request, body []byte) {
	var in struct {
		RobotCode string   `json:"robotCode"`
		UserIDs   []string `json:"userIds"`
		MsgKey    string   `json:"msgKey"`
		MsgParam  string   `json:"msgParam"`
	}
	if err := json.Unmarshal(body, &in); err != nil {
		writeError(w, http.StatusBadRequest, "InvalidParameter", err.Error())
		return
	}
	var param map[string]string
	switch {
	case in.RobotCode != f.RobotCode:
		writeError(w, http.StatusBadRequest, "invalidParameter.robotCode", "robotCode不存在")
		return
	case len(in.UserIDs) == 0 || len(in.UserIDs) > maxBatchUsers:
		writeError(w, http.StatusBadRequest, "invalidParameter.userIds", fmt.Sprintf("userIds must hold 1-%d users", maxBatchUsers))
		return
	case msgParams[in.MsgKey] == nil:
		writeError(w, http.StatusBadRequest, "invalidParameter.msgKey", "unknown msgKey")
		return
	case json.Unmarshal([]byte(in.MsgParam), &param) != nil:
		writeError(w, http.StatusBadRequest, "invalidParameter.msgParam", "msgParam must be a JSON string of an object of strings")
		return
	}
	if why := msgParamErr(in.MsgKey, param); why != "" {
		writeError(w, http.StatusBadRequest, "invalidParameter.msgParam", why)
		return
	}
	out := map[string]any{"processQueryKey": fmt.Sprintf("pqk-%d", time.Now().UnixNano()), "invalidStaffIdList": []string{}, "flowControlledStaffIdList": []string{}}
	var invalid, throttled []string
	f.mu.Lock()
	for _, u := range in.UserIDs {
		switch {
		case f.invalid[u]:
			invalid = append(invalid, u)
		case f.flowControl[u] > 0:
			f.flowControl[u]--
			throttled = append(throttled, u)
		default:
			f.messages = append(f.messages, Message{UserID: u, MsgKey: in.MsgKey, MsgParam: param})
		}
	}
	f.mu.Unlock()
	if invalid != nil {
		out["invalidStaffIdList"] = invalid
	}
	if throttled != nil {
		out["flowControlledStaffIdList"] = throttled
	}
	writeJSON(w, http.StatusOK, out)
}

func (f *Fake) createCard(w http.ResponseWriter, _ *http.Request, body []byte) {
	var in struct {
		CardTemplateID   string `json:"cardTemplateId"`
		OutTrackID       string `json:"outTrackId"`
		CallbackType     string `json:"callbackType"`
		CallbackRouteKey string `json:"callbackRouteKey"`
		UserIDType       int    `json:"userIdType"`
		CardData         struct {
			CardParamMap map[string]string `json:"cardParamMap"`
		} `json:"cardData"`
		OpenSpaceID             string `json:"openSpaceId"`
		ImRobotOpenDeliverModel *struct {
			SpaceType string `json:"spaceType"`
			RobotCode string `json:"robotCode"`
		} `json:"imRobotOpenDeliverModel"`
	}
	if err := json.Unmarshal(body, &in); err != nil {
		writeError(w, http.StatusBadRequest, "InvalidParameter", "cardParamMap values must be strings: "+err.Error())
		return
	}
	user, ok := strings.CutPrefix(in.OpenSpaceID, openSpacePrefix)
	deliver := in.ImRobotOpenDeliverModel
	f.mu.Lock()
	defer f.mu.Unlock()
	switch {
	case !f.templates[in.CardTemplateID]:
		writeError(w, http.StatusBadRequest, "param.cardTemplateIdNotExist", "卡片模板不存在")
	case in.OutTrackID == "" || len(in.OutTrackID) > maxOutTrackIDBytes:
		writeError(w, http.StatusBadRequest, "param.outTrackIdInvalid", "outTrackId invalid")
	case f.cards[in.OutTrackID] != nil:
		writeError(w, http.StatusBadRequest, "param.outTrackIdExist", "outTrackId已存在")
	case !ok || user == "" || deliver == nil || deliver.SpaceType != robotSpace || deliver.RobotCode != f.RobotCode || in.UserIDType != staffIDType:
		writeError(w, http.StatusBadRequest, "param.openSpaceIdInvalid", "openSpaceId, userIdType or robot deliver model invalid")
	case !callbackTypes[in.CallbackType] || in.CallbackType == "HTTP" && in.CallbackRouteKey == "":
		writeError(w, http.StatusBadRequest, "param.callbackTypeInvalid", "callbackType invalid, or an HTTP callback without callbackRouteKey")
	default:
		f.cardOrder = append(f.cardOrder, in.OutTrackID)
		f.cards[in.OutTrackID] = &Card{OutTrackID: in.OutTrackID, TemplateID: in.CardTemplateID, UserID: user,
			CallbackType: in.CallbackType, Params: in.CardData.CardParamMap}
		writeJSON(w, http.StatusOK, map[string]any{"success": true, "result": map[string]any{"outTrackId": in.OutTrackID,
			"deliverResults": []map[string]any{{"spaceType": "IM_ROBOT", "spaceId": user, "success": true}}}})
	}
}

func (f *Fake) updateCard(w http.ResponseWriter, _ *http.Request, body []byte) {
	var in struct {
		OutTrackID string `json:"outTrackId"`
		CardData   struct {
			CardParamMap map[string]string `json:"cardParamMap"`
		} `json:"cardData"`
		CardUpdateOptions struct {
			UpdateCardDataByKey bool `json:"updateCardDataByKey"`
		} `json:"cardUpdateOptions"`
	}
	if err := json.Unmarshal(body, &in); err != nil {
		writeError(w, http.StatusBadRequest, "InvalidParameter", err.Error())
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	c := f.cards[in.OutTrackID]
	if c == nil {
		writeError(w, http.StatusBadRequest, "param.outTrackIdNotExist", "卡片不存在")
		return
	}
	if !in.CardUpdateOptions.UpdateCardDataByKey {
		c.Params = map[string]string{}
	}
	for k, v := range in.CardData.CardParamMap {
		c.Params[k] = v
	}
	f.updates = append(f.updates, Card{OutTrackID: in.OutTrackID, Params: in.CardData.CardParamMap})
	writeJSON(w, http.StatusOK, map[string]any{"success": true, "result": true})
}

func (f *Fake) session(w http.ResponseWriter, r *http.Request) {
	var in struct {
		MsgType string `json:"msgtype"`
		Text    struct {
			Content string `json:"content"`
		} `json:"text"`
		Markdown struct {
			Text string `json:"text"`
		} `json:"markdown"`
	}
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil || r.URL.Query().Get("session") == "" {
		writeJSON(w, http.StatusOK, map[string]any{"errcode": 300001, "errmsg": "session invalid"})
		return
	}
	text := in.Text.Content
	if in.MsgType == "markdown" {
		text = in.Markdown.Text
	}
	f.mu.Lock()
	f.sessions = append(f.sessions, SessionReply{Session: r.URL.Query().Get("session"), MsgType: in.MsgType, Text: text})
	f.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{"errcode": 0, "errmsg": "ok"})
}
