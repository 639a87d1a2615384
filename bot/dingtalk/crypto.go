// Package dingtalk makes DingTalk (钉钉) a visitbot platform: the robot
// callback (HMAC sign, ±1 h window), advanced interactive card callbacks,
// the encrypted event subscription, and an API client (shared access token,
// robot oToMessages/batchSend, card createAndDeliver / update, a per-API QPS
// limiter) behind bot.Messenger. It uses plain net/http: no official Go
// OpenAPI SDK is usable (see shared specs/dingtalk.md).
// Protocol facts: open.dingtalk.com/document/orgapp (receive-message,
// configure-event-subcription, event-callback-card, create-and-deliver-cards,
// interactive-card-update-interface) and open-dingtalk/DingTalk-Callback-Crypto.
package dingtalk

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha1"
	"crypto/subtle"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
)

// Event callback rejection causes. Each is answered non-200 before any data is touched.
var (
	ErrSignature  = errors.New("dingtalk: signature does not match")
	ErrOwnerKey   = errors.New("dingtalk: owner key is not this app")
	ErrCiphertext = errors.New("dingtalk: malformed ciphertext")
)

// AESKeyLen is the length of the event subscription's aes_key; base64-decoded
// with one "=" appended it is the 32-byte AES-256 key.
const AESKeyLen = 43

// pkcs7Block is DingTalk's padding block size (32, not AES's 16): padding
// bytes 1..32 are accepted.
const pkcs7Block = 32

// maxCiphertextB64 bounds what Decrypt accepts before decoding anything.
const maxCiphertextB64 = 1 << 20

// Crypto signs, verifies, encrypts and decrypts event subscription payloads
// for one (token, aes_key, owner key). The owner key of an enterprise-internal
// app's subscription is its app_key. Safe for concurrent use.
type Crypto struct {
	token    string
	ownerKey string
	key      []byte
	block    cipher.Block
	random   io.Reader
}

// NewCrypto checks the key and returns a Crypto.
func NewCrypto(token, aesKey, ownerKey string) (*Crypto, error) {
	if token == "" || ownerKey == "" {
		return nil, errors.New("dingtalk crypto: token and owner key are required")
	}
	if len(aesKey) != AESKeyLen {
		return nil, fmt.Errorf("dingtalk crypto: aes_key must be %d characters, got %d", AESKeyLen, len(aesKey))
	}
	key, err := base64.StdEncoding.DecodeString(aesKey + "=")
	if err != nil || len(key) != 32 {
		return nil, errors.New("dingtalk crypto: aes_key is not valid base64 of 32 bytes")
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("dingtalk crypto: %w", err)
	}
	return &Crypto{token: token, ownerKey: ownerKey, key: key, block: block, random: rand.Reader}, nil
}

// Sign is the signature: hex(sha1(sorted(token, timestamp, nonce, encrypt) joined)).
func (c *Crypto) Sign(timestamp, nonce, encrypt string) string {
	parts := []string{c.token, timestamp, nonce, encrypt}
	sort.Strings(parts)
	sum := sha1.Sum([]byte(strings.Join(parts, "")))
	return hex.EncodeToString(sum[:])
}

// Verify checks a signature in constant time.
func (c *Crypto) Verify(signature, timestamp, nonce, encrypt string) error {
	want := c.Sign(timestamp, nonce, encrypt)
	if subtle.ConstantTimeCompare([]byte(strings.ToLower(signature)), []byte(want)) != 1 {
		return ErrSignature
	}
	return nil
}

// Decrypt opens a base64 encrypt value: AES-256-CBC with IV = key[:16],
// PKCS#7 to 32 bytes, plaintext random(16) || len(4, big endian) || msg ||
// ownerKey. The owner key must be this app's (ErrOwnerKey otherwise).
func (c *Crypto) Decrypt(encrypt string) ([]byte, error) {
	if len(encrypt) == 0 || len(encrypt) > maxCiphertextB64 {
		return nil, fmt.Errorf("%w: length %d", ErrCiphertext, len(encrypt))
	}
	raw, err := base64.StdEncoding.DecodeString(encrypt)
	if err != nil {
		return nil, fmt.Errorf("%w: base64: %w", ErrCiphertext, err)
	}
	if len(raw) < pkcs7Block || len(raw)%aes.BlockSize != 0 {
		return nil, fmt.Errorf("%w: %d bytes is not a whole number of blocks", ErrCiphertext, len(raw))
	}
	plain := make([]byte, len(raw))
	cipher.NewCBCDecrypter(c.block, c.key[:aes.BlockSize]).CryptBlocks(plain, raw)
	pad := int(plain[len(plain)-1])
	if pad < 1 || pad > pkcs7Block || pad > len(plain) {
		return nil, fmt.Errorf("%w: bad padding", ErrCiphertext)
	}
	for _, b := range plain[len(plain)-pad:] {
		if int(b) != pad {
			return nil, fmt.Errorf("%w: bad padding", ErrCiphertext)
		}
	}
	content := plain[:len(plain)-pad]
	if len(content) < 20 {
		return nil, fmt.Errorf("%w: too short", ErrCiphertext)
	}
	n := binary.BigEndian.Uint32(content[16:20])
	if uint64(n) > uint64(len(content)-20) {
		return nil, fmt.Errorf("%w: message length %d exceeds payload", ErrCiphertext, n)
	}
	msg, owner := content[20:20+n], content[20+n:]
	if subtle.ConstantTimeCompare(owner, []byte(c.ownerKey)) != 1 {
		return nil, ErrOwnerKey
	}
	return msg, nil
}

// Encrypt seals msg for an answer (or for tests posing as DingTalk).
func (c *Crypto) Encrypt(msg []byte) (string, error) {
	var random [16]byte
	if _, err := io.ReadFull(c.random, random[:]); err != nil {
		return "", fmt.Errorf("dingtalk encrypt: random: %w", err)
	}
	return c.encrypt(random, msg, c.ownerKey), nil
}

// encrypt is Encrypt with a given random prefix and owner key (tests forge
// payloads for other apps with it).
func (c *Crypto) encrypt(random [16]byte, msg []byte, ownerKey string) string {
	n := 20 + len(msg) + len(ownerKey)
	pad := pkcs7Block - n%pkcs7Block
	plain := make([]byte, n+pad)
	copy(plain, random[:])
	binary.BigEndian.PutUint32(plain[16:20], uint32(len(msg)))
	copy(plain[20:], msg)
	copy(plain[20+len(msg):], ownerKey)
	for i := n; i < len(plain); i++ {
		plain[i] = byte(pad)
	}
	cipher.NewCBCEncrypter(c.block, c.key[:aes.BlockSize]).CryptBlocks(plain, plain)
	return base64.StdEncoding.EncodeToString(plain)
}

// Envelope is the encrypted answer DingTalk expects from an event callback
// (and the shape of its request body's encrypt field, signed).
type Envelope struct {
	MsgSignature string `json:"msg_signature"`
	TimeStamp    string `json:"timeStamp"`
	Nonce        string `json:"nonce"`
	Encrypt      string `json:"encrypt"`
}

// Seal encrypts msg and signs it with the given timestamp (ms) and nonce.
func (c *Crypto) Seal(msg []byte, timestamp, nonce string) (Envelope, error) {
	enc, err := c.Encrypt(msg)
	if err != nil {
		return Envelope{}, err
	}
	return Envelope{MsgSignature: c.Sign(timestamp, nonce, enc), TimeStamp: timestamp, Nonce: nonce, Encrypt: enc}, nil
}
