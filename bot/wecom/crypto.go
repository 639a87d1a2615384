// Package wecom makes WeCom (企业微信) a visitbot platform: the callback
// protocol (signature, timestamp window, AES-256-CBC envelope, receive id),
// decoding of messages and events into bot.Events, passive encrypted replies,
// and an API client (access token with a shared cache, message/send with
// template_card, update_template_card) behind bot.Messenger.
// Protocol facts: developer.work.weixin.qq.com/document/path/90968 (crypto),
// 90240 (events), 90241 (passive replies), 90236 (send), 94888 (update).
package wecom

import (
	"errors"
	"fmt"

	"visitbot/bot/msgcrypt"
)

// Callback rejection causes. Each is answered non-200 before any data is touched.
var (
	ErrSignature  = msgcrypt.ErrSignature
	ErrTimestamp  = errors.New("wecom: timestamp missing or outside the accepted window")
	ErrReceiveID  = msgcrypt.ErrReceiveID
	ErrCiphertext = msgcrypt.ErrCiphertext
	ErrEnvelope   = errors.New("wecom: malformed callback envelope")
	ErrMessage    = errors.New("wecom: malformed decrypted message")
	ErrTooLarge   = errors.New("wecom: callback body too large")
)

// EncodingAESKeyLen is the length of the EncodingAESKey shown in the WeCom
// admin console; base64-decoded with one "=" appended it is the 32-byte AES key.
const EncodingAESKeyLen = msgcrypt.KeyLen

// Crypto signs, verifies, encrypts and decrypts WeCom callback payloads for
// one app (Token, EncodingAESKey) and receive id (the CorpID of a self-built
// app): the shared msgcrypt scheme. It is safe for concurrent use.
type Crypto struct{ *msgcrypt.Cipher }

// NewCrypto checks the key and returns a Crypto.
func NewCrypto(token, encodingAESKey, receiveID string) (*Crypto, error) {
	c, err := msgcrypt.New(token, encodingAESKey, receiveID)
	if err != nil {
		return nil, fmt.Errorf("wecom crypto: %w", err)
	}
	return &Crypto{c}, nil
}

// encrypt seals msg for another receive id (tests forge payloads with it).
func (c *Crypto) encrypt(random [16]byte, msg []byte, receiveID string) string {
	return c.EncryptFor(random, msg, receiveID)
}
