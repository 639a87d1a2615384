package dingtalk

import (
	"bytes"
	"crypto/aes"
	"encoding/base64"
	"errors"
	"strings"
	"testing"
)

// The published vectors of open-dingtalk/DingTalk-Callback-Crypto (shared specs/dingtalk.md).
func TestCryptoPublishedVectors(t *testing.T) {
	cases := []struct {
		name, token, aesKey, owner, ts, nonce, sig, encrypt, want string
	}{
		{
			name: "check_create_suite_url", token: "123456", aesKey: "4g5j64qlyl3zvetqxz5jiocdr586fn2zvjpa8zls3ij",
			owner: "suite4xxxxxxxxxxxxxxx", ts: "1445827045067", nonce: "nEXhMP4r", sig: "5a65ceeef9aab2d149439f82dc191dd6c5cbe2c0",
			encrypt: "1a3NBxmCFwkCJvfoQ7WhJHB+iX3qHPsc9JbaDznE1i03peOk1LaOQoRz3+nlyGNhwmwJ3vDMG+OzrHMeiZI7gTRWVdUBmfxjZ8Ej23JVYa9VrYeJ5as7XM/ZpulX8NEQis44w53h1qAgnC3PRzM7Zc/D6Ibr0rgUathB6zRHP8PYrfgnNOS9PhSBdHlegK+AGGanfwjXuQ9+0pZcy0w9lQ==",
			want:    `{"EventType":"check_create_suite_url","Random":"LPIdSnlF","TestSuiteKey":"suite4xxxxxxxxxxxxxxx"}`,
		},
		{
			name: "success", token: "tokenxxxx", aesKey: "o1w0aum42yaptlz8alnhwikjd3jenzt9cb9wmzptgus",
			owner: "dingxxxxxx", ts: "1605695694141", nonce: "WelUQl6bCqcBa2fM", sig: "f36f4ba5337d426c7d4bca0dbcb06b3ddc1388fc",
			encrypt: "X1VSe9cTJUMZu60d3kyLYTrBq5578ZRJtteU94wG0Q4Uk6E/wQYeJRIC0/UFW5Wkya1Ihz9oXAdLlyC9TRaqsQ==",
			want:    "success",
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, err := NewCrypto(tc.token, tc.aesKey, tc.owner)
			if err != nil {
				t.Fatal(err)
			}
			if got := c.Sign(tc.ts, tc.nonce, tc.encrypt); got != tc.sig {
				t.Fatalf("signature = %s, want %s", got, tc.sig)
			}
			if err := c.Verify(strings.ToUpper(tc.sig), tc.ts, tc.nonce, tc.encrypt); err != nil {
				t.Fatalf("verify: %v", err)
			}
			plain, err := c.Decrypt(tc.encrypt)
			if err != nil {
				t.Fatal(err)
			}
			if string(plain) != tc.want {
				t.Fatalf("plaintext = %s, want %s", plain, tc.want)
			}
			other, _ := NewCrypto(tc.token, tc.aesKey, "another-app")
			if _, err := other.Decrypt(tc.encrypt); !errors.Is(err, ErrOwnerKey) {
				t.Fatalf("wrong owner key: got %v, want ErrOwnerKey", err)
			}
			if err := c.Verify(tc.sig, tc.ts, tc.nonce+"x", tc.encrypt); !errors.Is(err, ErrSignature) {
				t.Fatalf("tampered nonce: got %v", err)
			}
		})
	}
}

// Every message length exercises one padding size from 1 to 32.
func TestCryptoRoundTripEveryPadding(t *testing.T) {
	c, err := NewCrypto("tok", "o1w0aum42yaptlz8alnhwikjd3jenzt9cb9wmzptgus", "dingapp")
	if err != nil {
		t.Fatal(err)
	}
	pads := map[int]bool{}
	for n := 0; n < 64; n++ {
		msg := bytes.Repeat([]byte("x"), n)
		enc, err := c.Encrypt(msg)
		if err != nil {
			t.Fatal(err)
		}
		pads[32-(20+n+len("dingapp"))%32] = true
		got, err := c.Decrypt(enc)
		if err != nil || !bytes.Equal(got, msg) {
			t.Fatalf("n=%d: got %q, %v", n, got, err)
		}
	}
	if len(pads) != 32 {
		t.Fatalf("covered %d padding sizes, want 32", len(pads))
	}
}

func TestCryptoRejectsMalformed(t *testing.T) {
	c, _ := NewCrypto("tok", "o1w0aum42yaptlz8alnhwikjd3jenzt9cb9wmzptgus", "dingapp")
	good, _ := c.Encrypt([]byte("hello"))
	for name, in := range map[string]string{
		"empty":       "",
		"not base64":  "%%%",
		"short":       "AAAA",
		"not blocks":  cut(t, good, 1),
		"one block":   cut(t, good, 48),
		"bit flipped": flipPadding(t, good),
	} {
		if _, err := c.Decrypt(in); err == nil {
			t.Errorf("%s: decrypted", name)
		}
	}
	for _, key := range []string{"short", strings.Repeat("!", AESKeyLen)} {
		if _, err := NewCrypto("tok", key, "app"); err == nil {
			t.Errorf("key %q accepted", key)
		}
	}
}

// cut drops n bytes from the end of the ciphertext.
func cut(t *testing.T, enc string, n int) string {
	t.Helper()
	raw, err := base64.StdEncoding.DecodeString(enc)
	if err != nil {
		t.Fatal(err)
	}
	return base64.StdEncoding.EncodeToString(raw[:len(raw)-n])
}

// flipPadding flips the last plaintext byte (the padding length) through
// the previous ciphertext block, which CBC decryption XORs into it.
func flipPadding(t *testing.T, enc string) string {
	t.Helper()
	raw, err := base64.StdEncoding.DecodeString(enc)
	if err != nil {
		t.Fatal(err)
	}
	raw[len(raw)-aes.BlockSize-1] ^= 0x01
	return base64.StdEncoding.EncodeToString(raw)
}

func TestSealAnswerVerifies(t *testing.T) {
	c, _ := NewCrypto("tok", "o1w0aum42yaptlz8alnhwikjd3jenzt9cb9wmzptgus", "dingapp")
	env, err := c.Seal([]byte("success"), "1700000000000", "n0nce")
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Verify(env.MsgSignature, env.TimeStamp, env.Nonce, env.Encrypt); err != nil {
		t.Fatal(err)
	}
	if p, err := c.Decrypt(env.Encrypt); err != nil || string(p) != "success" {
		t.Fatalf("%q %v", p, err)
	}
}
