package web

import (
	"testing"
	"time"
	"visitbot/clock"
)

// testSecret is a 32-byte session key for the signer tests.
const testSecret = "0123456789abcdef0123456789abcdef"

func TestSessionCookieTampering(t *testing.T) {
	s := &signer{key: []byte(testSecret)}
	v := s.seal("session", session{UserID: 1, Expires: 1 << 40})
	var got session
	if err := s.open("session", v, &got); err != nil || got.UserID != 1 {
		t.Fatalf("open = %v %+v", err, got)
	}
	if err := s.open("state", v, &got); err == nil {
		t.Fatal("a session value passed as state")
	}
	forged := (&signer{key: []byte("another-secret-another-secret-xx")}).seal("session", session{UserID: 2, Expires: 1 << 40})
	if err := s.open("session", forged, &got); err == nil {
		t.Fatal("forged cookie accepted")
	}
	for _, bad := range []string{"", "x", "a.b", v + "x"} {
		if err := s.open("session", bad, &got); err == nil {
			t.Fatalf("%q accepted", bad)
		}
	}
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
