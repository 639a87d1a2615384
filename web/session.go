package web

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"time"

	"visitbot/clock"
)

// Cookie names.
const (
	// SessionCookie holds the signed session of a signed-in user.
	SessionCookie = "vb_session"
	stateCookie   = "vb_oauth_state"
	// stateTTL bounds the WeCom round trip: the user only taps 同意/continues.
	stateTTL = 10 * time.Minute
)

var errBadCookie = errors.New("invalid or expired cookie")

// session is what the signed cookie carries. UserID is the users.id; the
// user is re-read on every request, so a deactivated user is out at once.
type session struct {
	UserID   uint   `json:"u"`
	Platform string `json:"p"`
	Nonce    string `json:"n"`
	Expires  int64  `json:"e"`
}

// signer makes and checks HMAC-SHA256 signed cookie values
// "base64url(json).base64url(mac)". Each purpose has its own MAC prefix so a
// state cookie can never pass as a session.
type signer struct {
	key    []byte
	clock  clock.Clock
	ttl    time.Duration
	secure bool
}

func (s *signer) mac(purpose string, payload []byte) []byte {
	m := hmac.New(sha256.New, s.key)
	m.Write([]byte(purpose))
	m.Write([]byte{0})
	m.Write(payload)
	return m.Sum(nil)
}

func (s *signer) seal(purpose string, v any) string {
	raw, _ := json.Marshal(v)
	enc := base64.RawURLEncoding
	return enc.EncodeToString(raw) + "." + enc.EncodeToString(s.mac(purpose, raw))
}

func (s *signer) open(purpose, value string, v any) error {
	body, sig, ok := strings.Cut(value, ".")
	if !ok {
		return errBadCookie
	}
	enc := base64.RawURLEncoding
	raw, err1 := enc.DecodeString(body)
	mac, err2 := enc.DecodeString(sig)
	if err1 != nil || err2 != nil || !hmac.Equal(mac, s.mac(purpose, raw)) {
		return errBadCookie
	}
	if json.Unmarshal(raw, v) != nil {
		return errBadCookie
	}
	return nil
}

func (s *signer) cookie(name, value string, maxAge time.Duration) *http.Cookie {
	return &http.Cookie{Name: name, Value: value, Path: "/", MaxAge: int(maxAge.Seconds()), HttpOnly: true,
		Secure: s.secure, SameSite: http.SameSiteLaxMode}
}

// issue sets a new session cookie for the user.
func (s *signer) issue(w http.ResponseWriter, userID uint, platform string) {
	sess := session{UserID: userID, Platform: platform, Nonce: randomToken(), Expires: s.clock.Now().Add(s.ttl).Unix()}
	http.SetCookie(w, s.cookie(SessionCookie, s.seal("session", sess), s.ttl))
}

// read returns the request's valid session.
func (s *signer) read(r *http.Request) (session, error) {
	var sess session
	c, err := r.Cookie(SessionCookie)
	if err != nil {
		return sess, errBadCookie
	}
	if err := s.open("session", c.Value, &sess); err != nil {
		return sess, err
	}
	if s.clock.Now().Unix() >= sess.Expires || sess.UserID == 0 {
		return sess, errBadCookie
	}
	return sess, nil
}

// csrf is the form token of a session: bound to its nonce, so it changes
// with every sign-in and is useless to another user.
func (s *signer) csrf(sess session) string {
	return hex.EncodeToString(s.mac("csrf", []byte(sess.Nonce)))
}

func (s *signer) checkCSRF(sess session, token string) bool {
	want := s.csrf(sess)
	return token != "" && hmac.Equal([]byte(want), []byte(token))
}

type oauthState struct {
	State   string `json:"s"`
	Next    string `json:"x,omitempty"`
	Expires int64  `json:"e"`
}

// newState stores a random OAuth state (and the page to return to) in a
// short-lived signed cookie.
func (s *signer) newState(w http.ResponseWriter, next string) string {
	st := oauthState{State: randomToken(), Next: next, Expires: s.clock.Now().Add(stateTTL).Unix()}
	http.SetCookie(w, s.cookie(stateCookie, s.seal("state", st), stateTTL))
	return st.State
}

// checkState compares the callback's state with the cookie (and clears
// it), returning the page to go to.
func (s *signer) checkState(w http.ResponseWriter, r *http.Request, got string) (next string, ok bool) {
	http.SetCookie(w, s.cookie(stateCookie, "", -time.Second))
	c, err := r.Cookie(stateCookie)
	if err != nil || got == "" {
		return "", false
	}
	var st oauthState
	if s.open("state", c.Value, &st) != nil || s.clock.Now().Unix() >= st.Expires {
		return "", false
	}
	return st.Next, hmac.Equal([]byte(st.State), []byte(got))
}

func randomToken() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// NewSessionSecret returns a random 32-byte secret (hex) for a process that
// was given none.
func NewSessionSecret() string {
	var b [32]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
