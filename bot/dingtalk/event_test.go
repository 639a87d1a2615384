package dingtalk

import (
	"errors"
	"testing"

	"visitbot/bot"
)

func TestParseSubscriptionEvent(t *testing.T) {
	plain := []byte(`{"EventType":"user_add_org","TimeStamp":"1700000000000","UserId":["u1"],"CorpId":"ding1"}`)
	ev, err := ParseSubscriptionEvent(plain)
	if err != nil {
		t.Fatal(err)
	}
	again, _ := ParseSubscriptionEvent(plain)
	if ev.Type != "user_add_org" || ev.Key != again.Key || len(ev.Key) > 80 {
		t.Fatalf("%+v", ev)
	}
	be := ev.Event()
	if be.Kind != bot.EventUnknown || be.RawType != "user_add_org" || be.Raw != string(plain) || be.DeliveryKey != ev.Key {
		t.Fatalf("%+v", be)
	}
	for _, bad := range []string{"", "success", `{"EventType":""}`, `{"EventType":1}`, `[]`} {
		if _, err := ParseSubscriptionEvent([]byte(bad)); !errors.Is(err, ErrEvent) {
			t.Errorf("%q: %v", bad, err)
		}
	}
}

// FuzzEventPayload drives the whole inbound event path after the signature:
// decrypt, then parse. Nothing may panic, and every failure is a known error.
func FuzzEventPayload(f *testing.F) {
	c, err := NewCrypto("tokenxxxx", "o1w0aum42yaptlz8alnhwikjd3jenzt9cb9wmzptgus", "dingxxxxxx")
	if err != nil {
		f.Fatal(err)
	}
	f.Add("X1VSe9cTJUMZu60d3kyLYTrBq5578ZRJtteU94wG0Q4Uk6E/wQYeJRIC0/UFW5Wkya1Ihz9oXAdLlyC9TRaqsQ==", []byte(`{"EventType":"check_url"}`))
	f.Add("", []byte(`{"EventType":"user_add_org","UserId":["u"]}`))
	f.Fuzz(func(t *testing.T, encrypt string, plain []byte) {
		if p, err := c.Decrypt(encrypt); err == nil {
			_, _ = ParseSubscriptionEvent(p)
		} else if !errors.Is(err, ErrCiphertext) && !errors.Is(err, ErrOwnerKey) {
			t.Fatalf("unexpected error kind: %v", err)
		}
		// A fixed random prefix keeps the target deterministic for the fuzzer.
		enc := c.encrypt([16]byte{1, 2, 3}, plain, "dingxxxxxx")
		got, err := c.Decrypt(enc)
		if err != nil || string(got) != string(plain) {
			t.Fatalf("round trip: %v", err)
		}
		ev, err := ParseSubscriptionEvent(plain)
		if err != nil {
			if !errors.Is(err, ErrEvent) {
				t.Fatalf("unexpected error kind: %v", err)
			}
			return
		}
		if ev.Type == "" || len(ev.Type) > 64 || len("dingtalk:"+ev.Key) > 191 {
			t.Fatalf("bad event %+v", ev)
		}
	})
}
