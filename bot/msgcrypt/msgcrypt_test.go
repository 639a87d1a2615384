package msgcrypt

import (
	"errors"
	"strings"
	"testing"
)

// WeCom's published WXBizMsgCrypt sample (shared specs/wecom.md).
func TestWeComSampleVector(t *testing.T) {
	enc := "RypEvHKD8QQKFhvQ6QleEB4J58tiPdvo+rtK1I9qca6aM/wvqnLSV5zEPeusUiX5L5X/0lWfrf0QADHHhGd3QczcdCUpj911L3vg3W/sYYvuJTs3TUUkSUXxaccAS0qhxchrRYt66wiSpGLYL42aM6A8dTT+6k4aSknmPj48kzJs8qLjvd4Xgpue06DOdnLxAUHzM6+kDZ+HMZfJYuR+LtwGc2hgf5gsijff0ekUNXZiqATP7PF5mZxZ3Izoun1s4zG4LUMnvw2r+KqCKIw+3IQH03v+BCA9nMELNqbSf6tiWSrXJB3LAVGUcallcrw8V2t9EL4EhzJWrQUax5wLVMNS0+rUPA3k22Ncx4XXZS9o0MBH27Bo6BpNelZpS+/uh9KsNlY6bHCmJU9p8g7m3fVKn28H3KDYA5Pl/T8Z1ptDAVe0lXdQ2YoyyH2uyPIGHBZZIs2pDBS8R07+qN+E7Q=="
	c := verifiedCipher(t, cipherKeys{"QDG6eK", "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C", "wx5823bf96d3bd56c7"}, "477715d11cdb4164915debcba66cb864d751f3e6", "1409659813", "1372623149", enc)
	msg, err := c.Decrypt(enc)
	if err != nil || !strings.Contains(string(msg), "<Content><![CDATA[hello]]></Content>") {
		t.Fatalf("decrypt: %q %v", msg, err)
	}
}

// DingTalk's published vector 2 (shared specs/dingtalk.md).
func TestDingTalkVector(t *testing.T) {
	enc := "X1VSe9cTJUMZu60d3kyLYTrBq5578ZRJtteU94wG0Q4Uk6E/wQYeJRIC0/UFW5Wkya1Ihz9oXAdLlyC9TRaqsQ=="
	c := verifiedCipher(t, cipherKeys{"tokenxxxx", "o1w0aum42yaptlz8alnhwikjd3jenzt9cb9wmzptgus", "dingxxxxxx"}, "f36f4ba5337d426c7d4bca0dbcb06b3ddc1388fc", "1605695694141", "WelUQl6bCqcBa2fM", enc)
	if msg, err := c.Decrypt(enc); err != nil || string(msg) != "success" {
		t.Fatalf("decrypt: %q %v", msg, err)
	}
}

func TestRoundTripEveryPaddingAndErrors(t *testing.T) {
	c, err := New("tok", "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG", "corp")
	if err != nil {
		t.Fatal(err)
	}
	for n := 0; n < 2*Block; n++ {
		msg := []byte(strings.Repeat("x", n))
		enc, err := c.Encrypt(msg)
		if err != nil {
			t.Fatal(err)
		}
		got, err := c.Decrypt(enc)
		if err != nil || string(got) != string(msg) {
			t.Fatalf("len %d: %q %v", n, got, err)
		}
	}
	other := c.EncryptFor([16]byte{}, []byte("hi"), "other")
	if _, err := c.Decrypt(other); !errors.Is(err, ErrReceiveID) {
		t.Fatalf("other receiver: %v", err)
	}
	for _, bad := range []string{"", "%%%", "AAAA", strings.Repeat("A", MaxCiphertext+4)} {
		if _, err := c.Decrypt(bad); !errors.Is(err, ErrCiphertext) {
			t.Errorf("%.10q: %v", bad, err)
		}
	}
	if err := c.Verify("00", "1", "2", "3"); !errors.Is(err, ErrSignature) {
		t.Fatalf("verify: %v", err)
	}
	if _, err := New("tok", "short", "corp"); err == nil {
		t.Fatal("short key accepted")
	}
}

// cipherKeys are the arguments of New.
type cipherKeys struct{ token, encodingAESKey, receiveID string }

// verifiedCipher is the cipher of keys, after checking that it verifies the
// signature of enc at timestamp and nonce.
func verifiedCipher(t *testing.T, keys cipherKeys, signature, timestamp, nonce, enc string) *Cipher {
	t.Helper()
	c, err := New(keys.token, keys.encodingAESKey, keys.receiveID)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Verify(signature, timestamp, nonce, enc); err != nil {
		t.Fatal(err)
	}
	return c
}
