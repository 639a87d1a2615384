// Package wecomfake is a fake WeCom server API for tests: gettoken,
// message/send and message/update_template_card over httptest. Like WeCom
// it checks the access token (40014 unknown, 42001 expired), validates
// template cards against its own copy of WeCom's documented limits
// (limits.go, from shared/specs/wecom.md; never visitbot's cards package)
// and rejects invalid ones with WeCom's errcodes (42045, 40058), honours
// enable_duplicate_check like WeCom (a message with the same member, type
// and content within duplicate_check_interval, default 1800 s, at most 4 h,
// is answered but not shown again), can answer late (SetLatency), requires
// agentid as an integer (40056), can rate-limit (45009) or fail with 5xx on
// demand, and silently drops a member's messages beyond 30 per minute or
// 1000 per hour (answering errcode 0, as WeCom does).
package wecomfake

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"visitbot/clock"
)

// WeCom's silent caps on messages to one member.
const (
	PerMemberPerMinute = 30
	PerMemberPerHour   = 1000
)

// TokenTTL is the expires_in the fake hands out (WeCom: 7200 s).
const TokenTTL = 7200 * time.Second

// Sent is one accepted message/send call for one member.
type Sent struct {
	ToUser       string
	MsgType      string
	AgentID      int
	Text         string
	Card         *Card
	MsgID        string
	ResponseCode string
	At           time.Time
	// DuplicateCheck and DuplicateCheckInterval (seconds) are what the call carried.
	DuplicateCheck         bool
	DuplicateCheckInterval int
	// content is the member, type and content the duplicate check compares.
	content string
}

// Update is one accepted update_template_card call.
type Update struct {
	UserIDs      []string
	ResponseCode string
	ReplaceName  string
	Card         *Card
}

// Server is the fake. Create it with New; it closes at test end.
type Server struct {
	URL     string
	CorpID  string
	Secret  string
	AgentID int

	clock clock.Clock
	srv   *httptest.Server

	mu         sync.Mutex
	tokens     map[string]time.Time
	current    string
	tokenCalls int
	calls      map[string]int
	rateLimit  int
	fail5xx    int
	sent       []Sent
	dropped    []Sent
	updates    []Update
	recent     map[string][]time.Time
	codes      map[string]bool // response_code → unused
	seq        int
	// shown is when each content was last shown to its member, and the message.
	shown      map[string]Sent
	suppressed []Sent
	latency    time.Duration
}

// WeCom's duplicate_check_interval: its default and its ceiling (seconds).
const (
	DefaultDuplicateCheckInterval = 1800
	MaxDuplicateCheckInterval     = 4 * 3600
)

// New starts a fake for one corp and app.
func New(t testing.TB, clk clock.Clock, corpID, secret string, agentID int) *Server {
	t.Helper()
	f := &Server{
		CorpID: corpID, Secret: secret, AgentID: agentID, clock: clk,
		tokens: map[string]time.Time{}, calls: map[string]int{}, recent: map[string][]time.Time{}, codes: map[string]bool{},
		shown: map[string]Sent{},
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /cgi-bin/gettoken", f.getToken)
	mux.HandleFunc("POST /cgi-bin/message/send", f.authed(f.send))
	mux.HandleFunc("POST /cgi-bin/message/update_template_card", f.authed(f.update))
	f.srv = httptest.NewServer(mux)
	f.URL = f.srv.URL
	t.Cleanup(f.srv.Close)
	return f
}

// ExpireTokens makes every issued token answer 42001 from now on.
func (f *Server) ExpireTokens() {
	f.mu.Lock()
	defer f.mu.Unlock()
	for tok := range f.tokens {
		f.tokens[tok] = f.clock.Now().Add(-time.Second)
	}
	f.current = ""
}

// RateLimitNext makes the next n authenticated calls answer 45009.
func (f *Server) RateLimitNext(n int) { f.mu.Lock(); f.rateLimit = n; f.mu.Unlock() }

// FailNext makes the next n authenticated calls answer HTTP 502.
func (f *Server) FailNext(n int) { f.mu.Lock(); f.fail5xx = n; f.mu.Unlock() }

// SetLatency makes message/send answer d (wall time) after it accepted the
// message, as WeCom does over a slow network: a sender that dies or times
// out in between has sent a message it does not know about.
func (f *Server) SetLatency(d time.Duration) { f.mu.Lock(); f.latency = d; f.mu.Unlock() }

// Suppressed lists sends WeCom answered but did not show because the
// duplicate check found the same content shown within the interval.
func (f *Server) Suppressed() []Sent {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]Sent(nil), f.suppressed...)
}

// TokenCalls counts gettoken calls that issued a token.
func (f *Server) TokenCalls() int { f.mu.Lock(); defer f.mu.Unlock(); return f.tokenCalls }

// Calls counts requests per path, accepted or not.
func (f *Server) Calls(path string) int { f.mu.Lock(); defer f.mu.Unlock(); return f.calls[path] }

// Sent lists the messages delivered to members, in order.
func (f *Server) Sent() []Sent {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]Sent(nil), f.sent...)
}

// Dropped lists messages WeCom accepted but silently did not deliver (over 30/min).
func (f *Server) Dropped() []Sent {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]Sent(nil), f.dropped...)
}

// Updates lists accepted card updates.
func (f *Server) Updates() []Update {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]Update(nil), f.updates...)
}

// IssueResponseCode returns a fresh single-use response_code, as WeCom puts
// in a template_card_event when a member clicks.
func (f *Server) IssueResponseCode() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	code := f.newID("rc")
	f.codes[code] = true
	return code
}

func (f *Server) newID(prefix string) string {
	f.seq++
	var b [6]byte
	_, _ = rand.Read(b[:])
	return fmt.Sprintf("%s%d_%s", prefix, f.seq, hex.EncodeToString(b[:]))
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}

func apiErr(w http.ResponseWriter, code int, msg string) {
	writeJSON(w, map[string]any{"errcode": code, "errmsg": msg})
}

func (f *Server) getToken(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls[r.URL.Path]++
	q := r.URL.Query()
	if q.Get("corpid") != f.CorpID {
		apiErr(w, errInvalidCorpID, "invalid corpid")
		return
	}
	if q.Get("corpsecret") != f.Secret {
		apiErr(w, errInvalidCredential, "invalid credential")
		return
	}
	now := f.clock.Now()
	// Inside its validity WeCom hands out the same token again.
	if exp, ok := f.tokens[f.current]; !ok || !now.Before(exp) {
		f.current = f.newID("tok")
		f.tokens[f.current] = now.Add(TokenTTL)
	}
	f.tokenCalls++
	writeJSON(w, map[string]any{"errcode": 0, "errmsg": "ok", "access_token": f.current, "expires_in": int(TokenTTL.Seconds())})
}

// authed checks the access token and applies injected failures.
func (f *Server) authed(h func(w http.ResponseWriter, body []byte)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		f.calls[r.URL.Path]++
		tok := r.URL.Query().Get("access_token")
		exp, known := f.tokens[tok]
		now := f.clock.Now()
		switch {
		case f.fail5xx > 0:
			f.fail5xx--
			f.mu.Unlock()
			http.Error(w, "bad gateway", http.StatusBadGateway)
			return
		case !known:
			f.mu.Unlock()
			apiErr(w, errInvalidToken, "invalid access_token")
			return
		case !now.Before(exp):
			f.mu.Unlock()
			apiErr(w, errTokenExpired, "access_token expired")
			return
		case f.rateLimit > 0:
			f.rateLimit--
			f.mu.Unlock()
			apiErr(w, errRateLimited, "api freq out of limit")
			return
		}
		f.mu.Unlock()
		var buf bytes.Buffer
		if _, err := buf.ReadFrom(http.MaxBytesReader(w, r.Body, 1<<20)); err != nil {
			apiErr(w, errEmpty, "empty or oversized body")
			return
		}
		h(w, buf.Bytes())
	}
}

// call is what message/send and update_template_card share: the app
// sending and, for cards, the template_card.
type call struct {
	AgentID      json.RawMessage `json:"agentid"`
	TemplateCard json.RawMessage `json:"template_card"`
}

// open decodes a send or update body into req (which embeds call) and
// checks agentid: a JSON integer equal to the app's (40056 otherwise). It
// has answered the error when ok is false.
func (f *Server) open(w http.ResponseWriter, body []byte, req any, c *call) (agent int, ok bool) {
	if err := json.Unmarshal(body, req); err != nil {
		apiErr(w, errInvalidParam, "invalid json")
		return 0, false
	}
	raw := c.AgentID
	if len(raw) == 0 || raw[0] == '"' || json.Unmarshal(raw, &agent) != nil || agent != f.AgentID {
		apiErr(w, errInvalidAgentID, "invalid agentid")
		return 0, false
	}
	return agent, true
}

// card decodes and checks a template_card (cardRules); it has answered the
// error when it returns nil.
func card(w http.ResponseWriter, raw json.RawMessage) *Card {
	var c Card
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&c); err != nil {
		apiErr(w, errInvalidParam, "invalid template_card: "+err.Error())
		return nil
	}
	if code, why := cardRules(&c); code != 0 {
		apiErr(w, code, why)
		return nil
	}
	return &c
}

// members checks a recipient count against WeCom's cap (40058 otherwise).
func members(w http.ResponseWriter, n, max int, field string) bool {
	if n == 0 || n > max {
		apiErr(w, errInvalidParam, fmt.Sprintf("%s must name 1-%d members, got %d", field, max, n))
		return false
	}
	return true
}

func (f *Server) send(w http.ResponseWriter, body []byte) {
	var req struct {
		call
		ToUser  string                    `json:"touser"`
		MsgType string                    `json:"msgtype"`
		Text    *struct{ Content string } `json:"text"`
		// Absent means 0 (no check) and 1800 s, as WeCom documents.
		EnableDuplicateCheck   *json.Number `json:"enable_duplicate_check"`
		DuplicateCheckInterval *json.Number `json:"duplicate_check_interval"`
	}
	agent, ok := f.open(w, body, &req, &req.call)
	if !ok {
		return
	}
	check, interval, why := duplicateCheck(req.EnableDuplicateCheck, req.DuplicateCheckInterval)
	if why != "" {
		apiErr(w, errInvalidParam, why)
		return
	}
	users := strings.Split(req.ToUser, "|")
	if req.ToUser == "" {
		users = nil
	}
	if !members(w, len(users), maxToUser, "touser") {
		return
	}
	msg := Sent{MsgType: req.MsgType, AgentID: agent, DuplicateCheck: check, DuplicateCheckInterval: interval}
	switch req.MsgType {
	case "text":
		if req.Text == nil || req.Text.Content == "" {
			apiErr(w, errEmpty, "text content empty")
			return
		}
		msg.Text = req.Text.Content
		msg.content = "text\x00" + msg.Text
	case "template_card":
		if msg.Card = card(w, req.TemplateCard); msg.Card == nil {
			return
		}
		msg.content = "template_card\x00" + string(req.TemplateCard)
	default:
		apiErr(w, errInvalidMsgType, "invalid message type")
		return
	}
	f.mu.Lock()
	now := f.clock.Now()
	msg.MsgID, msg.At = f.newID("msg"), now
	if msg.Card != nil && msg.Card.TaskID != "" {
		msg.ResponseCode = f.newID("rc")
		f.codes[msg.ResponseCode] = true
	}
	for _, u := range users {
		m := msg
		m.ToUser = u
		key := u + "\x00" + m.content
		if prev, ok := f.shown[key]; ok && check && now.Sub(prev.At) < time.Duration(interval)*time.Second {
			f.suppressed = append(f.suppressed, m)
			continue
		}
		if f.overLimit(u, now) {
			f.dropped = append(f.dropped, m)
			continue
		}
		f.shown[key] = m
		f.sent = append(f.sent, m)
	}
	latency := f.latency
	f.mu.Unlock()
	time.Sleep(latency)
	writeJSON(w, map[string]any{"errcode": 0, "errmsg": "ok", "invaliduser": "", "msgid": msg.MsgID, "response_code": msg.ResponseCode})
}

// duplicateCheck reads enable_duplicate_check (0 or 1) and
// duplicate_check_interval (1 s to 4 h), with WeCom's defaults.
func duplicateCheck(enable, interval *json.Number) (bool, int, string) {
	check, secs := false, DefaultDuplicateCheckInterval
	if enable != nil {
		switch enable.String() {
		case "0":
		case "1":
			check = true
		default:
			return false, 0, "enable_duplicate_check must be 0 or 1"
		}
	}
	if interval != nil {
		n, err := interval.Int64()
		if err != nil || n < 1 || n > MaxDuplicateCheckInterval {
			return false, 0, fmt.Sprintf("duplicate_check_interval must be 1-%d seconds", MaxDuplicateCheckInterval)
		}
		secs = int(n)
	}
	return check, secs, ""
}

// overLimit records a message to user and reports whether it is beyond 30
// in the last minute or 1000 in the last hour (then WeCom drops it without
// telling anyone).
func (f *Server) overLimit(user string, now time.Time) bool {
	var hour []time.Time
	perMinute := 0
	for _, t := range f.recent[user] {
		if now.Sub(t) < time.Hour {
			hour = append(hour, t)
			if now.Sub(t) < time.Minute {
				perMinute++
			}
		}
	}
	if perMinute >= PerMemberPerMinute || len(hour) >= PerMemberPerHour {
		f.recent[user] = hour
		return true
	}
	f.recent[user] = append(hour, now)
	return false
}

func (f *Server) update(w http.ResponseWriter, body []byte) {
	var req struct {
		call
		UserIDs      []string `json:"userids"`
		ResponseCode string   `json:"response_code"`
		Button       *struct {
			ReplaceName string `json:"replace_name"`
		} `json:"button"`
	}
	if _, ok := f.open(w, body, &req, &req.call); !ok || !members(w, len(req.UserIDs), maxUpdateUserIDs, "userids") {
		return
	}
	upd := Update{UserIDs: req.UserIDs, ResponseCode: req.ResponseCode}
	switch {
	case req.Button != nil && len(req.TemplateCard) == 0:
		if n := utf8.RuneCountInString(req.Button.ReplaceName); n == 0 || n > maxReplaceText {
			apiErr(w, errInvalidParam, fmt.Sprintf("button.replace_name must be 1-%d characters", maxReplaceText))
			return
		}
		upd.ReplaceName = req.Button.ReplaceName
	case req.Button == nil && len(req.TemplateCard) > 0:
		if upd.Card = card(w, req.TemplateCard); upd.Card == nil {
			return
		}
	default:
		apiErr(w, errInvalidParam, "exactly one of button and template_card is required")
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if !f.codes[req.ResponseCode] {
		apiErr(w, errInvalidParam, "invalid response_code (unknown or already used)")
		return
	}
	f.codes[req.ResponseCode] = false
	f.updates = append(f.updates, upd)
	writeJSON(w, map[string]any{"errcode": 0, "errmsg": "ok", "invaliduser": []string{}})
}
