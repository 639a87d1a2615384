package wecom

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/silenceper/wechat/v2/util"

	"visitbot/bot"
)

// WeCom's published WXBizMsgCrypt sample (shared specs/wecom.md), checked
// with Tencent's @wecom/crypto.
const (
	sampleToken     = "QDG6eK"
	sampleCorpID    = "wx5823bf96d3bd56c7"
	sampleAESKey    = "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C"
	sampleTimestamp = "1409659813"
	sampleNonce     = "1372623149"
	sampleSignature = "477715d11cdb4164915debcba66cb864d751f3e6"
	sampleEncrypt   = "RypEvHKD8QQKFhvQ6QleEB4J58tiPdvo+rtK1I9qca6aM/wvqnLSV5zEPeusUiX5L5X/0lWfrf0QADHHhGd3QczcdCUpj911L3vg3W/sYYvuJTs3TUUkSUXxaccAS0qhxchrRYt66wiSpGLYL42aM6A8dTT+6k4aSknmPj48kzJs8qLjvd4Xgpue06DOdnLxAUHzM6+kDZ+HMZfJYuR+LtwGc2hgf5gsijff0ekUNXZiqATP7PF5mZxZ3Izoun1s4zG4LUMnvw2r+KqCKIw+3IQH03v+BCA9nMELNqbSf6tiWSrXJB3LAVGUcallcrw8V2t9EL4EhzJWrQUax5wLVMNS0+rUPA3k22Ncx4XXZS9o0MBH27Bo6BpNelZpS+/uh9KsNlY6bHCmJU9p8g7m3fVKn28H3KDYA5Pl/T8Z1ptDAVe0lXdQ2YoyyH2uyPIGHBZZIs2pDBS8R07+qN+E7Q=="
)

func sampleCrypto(t testing.TB) *Crypto {
	t.Helper()
	c, err := NewCrypto(sampleToken, sampleAESKey, sampleCorpID)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestOfficialSampleVector(t *testing.T) {
	c := sampleCrypto(t)
	if got := c.Sign(sampleTimestamp, sampleNonce, sampleEncrypt); got != sampleSignature {
		t.Fatalf("signature = %s, want %s", got, sampleSignature)
	}
	if err := c.Verify(sampleSignature, sampleTimestamp, sampleNonce, sampleEncrypt); err != nil {
		t.Fatal(err)
	}
	plain, err := c.Decrypt(sampleEncrypt)
	if err != nil {
		t.Fatal(err)
	}
	m, err := ParseMessage(plain)
	if err != nil {
		t.Fatal(err)
	}
	ev := m.BotEvent()
	if ev.Platform != bot.WeCom || ev.Kind != bot.EventText || ev.From != "mycreate" || ev.Text != "hello" ||
		m.MsgID != "4561255354251345929" || m.AgentID != "218" || ev.DeliveryKey != "msg|4561255354251345929" {
		t.Fatalf("decoded %+v from %s", ev, plain)
	}
}

// silenceper's util is an independent implementation of the same scheme:
// each side must open what the other sealed.
func TestCryptoAgreesWithSilenceper(t *testing.T) {
	c := sampleCrypto(t)
	msg := []byte("<xml><Content><![CDATA[今天拜访王主任]]></Content></xml>")
	theirs, err := util.EncryptMsg([]byte("0123456789abcdef"), msg, sampleCorpID, sampleAESKey)
	if err != nil {
		t.Fatal(err)
	}
	got, err := c.Decrypt(string(theirs))
	if err != nil || !bytes.Equal(got, msg) {
		t.Fatalf("decrypt silenceper ciphertext: %q, %v", got, err)
	}
	ours, err := c.Encrypt(msg)
	if err != nil {
		t.Fatal(err)
	}
	_, back, err := util.DecryptMsg(sampleCorpID, ours, sampleAESKey)
	if err != nil || !bytes.Equal(back, msg) {
		t.Fatalf("silenceper decrypt of ours: %q, %v", back, err)
	}
	if a, b := c.Sign("1", "2", ours), util.Signature(sampleToken, "1", "2", ours); a != b {
		t.Fatalf("signature %s != silenceper %s", a, b)
	}
}

func TestCryptoRejects(t *testing.T) {
	c := sampleCrypto(t)
	good, err := c.Encrypt([]byte("<xml/>"))
	if err != nil {
		t.Fatal(err)
	}
	var rnd [16]byte
	other := c.encrypt(rnd, []byte("<xml/>"), "wwOtherCorp")
	flipped := []byte(good)
	flipped[10] ^= 0x01
	cases := []struct {
		name string
		enc  string
		want error
	}{
		{"empty", "", ErrCiphertext},
		{"not base64", "%%%not-base64%%%", ErrCiphertext},
		{"truncated", good[:len(good)-8], ErrCiphertext},
		{"one block", good[:24], ErrCiphertext},
		{"garbage blocks", strings.Repeat("A", 64), ErrCiphertext},
		{"other corp", other, ErrReceiveID},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := c.Decrypt(tc.enc); !errors.Is(err, tc.want) {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
		})
	}
	// CBC has no integrity of its own (msg_signature provides it): a flipped
	// byte in the first block garbles the message but must never panic.
	_, _ = c.Decrypt(string(flipped))
	if err := c.Verify(strings.Repeat("0", 40), sampleTimestamp, sampleNonce, sampleEncrypt); !errors.Is(err, ErrSignature) {
		t.Fatalf("forged signature: %v", err)
	}
	if err := c.Verify(strings.ToUpper(sampleSignature), sampleTimestamp, sampleNonce, sampleEncrypt); err != nil {
		t.Fatalf("upper-case hex signature: %v", err)
	}
}

func TestNewCryptoChecksKey(t *testing.T) {
	for _, k := range []string{"", "short", sampleAESKey + "A", strings.Repeat("!", 43)} {
		if _, err := NewCrypto(sampleToken, k, sampleCorpID); err == nil {
			t.Errorf("key %q accepted", k)
		}
	}
	if _, err := NewCrypto("", sampleAESKey, sampleCorpID); err == nil {
		t.Error("empty token accepted")
	}
}
