package web

import (
	"testing"
	"time"

	"visitbot/clock"
	"visitbot/models/modelstest"
)

// FuzzParseWeek: ?week= is outside input; a parsed week is a Monday..Sunday
// whose label prints back to the input.
func FuzzParseWeek(f *testing.F) {
	for _, s := range []string{"2026-W49", "2026-W01", "2026-W53", "2025-W53", "x", "-W", "2026-W-1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		w, err := parseWeek(s, modelstest.Shanghai)
		if err != nil {
			return
		}
		from, err1 := time.Parse(time.DateOnly, w.From)
		to, err2 := time.Parse(time.DateOnly, w.To)
		if err1 != nil || err2 != nil || from.Weekday() != time.Monday || to.Sub(from) != 6*24*time.Hour || w.Label != s {
			t.Fatalf("parseWeek(%q) = %+v", s, w)
		}
	})
}

// FuzzSessionCookie: a cookie value is outside input. Opening never
// panics, and only the one value this signer sealed (or a re-encoding of the
// same bytes) opens: nothing else forges a session.
func FuzzSessionCookie(f *testing.F) {
	s := &signer{key: []byte(testSecret), clock: clock.NewFake(time.Unix(1, 0))}
	want := session{UserID: 7, Nonce: "n", Expires: 1 << 40}
	f.Add(s.seal("session", want))
	f.Add("e30.AAAA")
	f.Add("")
	f.Fuzz(func(t *testing.T, v string) {
		var got session
		if err := s.open("session", v, &got); err == nil && got != want {
			t.Fatalf("forged session %+v opened from %q", got, v)
		}
	})
}
