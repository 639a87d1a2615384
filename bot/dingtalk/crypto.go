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
	"fmt"

	"visitbot/bot/msgcrypt"
)

// Event callback rejection causes. Each is answered non-200 before any data is touched.
var (
	ErrSignature  = msgcrypt.ErrSignature
	ErrOwnerKey   = msgcrypt.ErrReceiveID
	ErrCiphertext = msgcrypt.ErrCiphertext
)

// AESKeyLen is the length of the event subscription's aes_key; base64-decoded
// with one "=" appended it is the 32-byte AES-256 key.
const AESKeyLen = msgcrypt.KeyLen

// Crypto signs, verifies, encrypts and decrypts event subscription payloads
// for one (token, aes_key, owner key): the msgcrypt scheme WeCom uses too.
// The owner key of an enterprise-internal app's subscription is its app_key.
// Safe for concurrent use.
type Crypto struct{ *msgcrypt.Cipher }

// NewCrypto checks the key and returns a Crypto.
func NewCrypto(token, aesKey, ownerKey string) (*Crypto, error) {
	c, err := msgcrypt.New(token, aesKey, ownerKey)
	if err != nil {
		return nil, fmt.Errorf("dingtalk crypto: %w", err)
	}
	return &Crypto{c}, nil
}

// encrypt seals msg for another owner key (tests forge payloads with it).
func (c *Crypto) encrypt(random [16]byte, msg []byte, ownerKey string) string {
	return c.EncryptFor(random, msg, ownerKey)
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
