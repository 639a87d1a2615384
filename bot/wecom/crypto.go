// Package wecom makes WeCom (企业微信) a visitbot platform: the callback
// protocol (signature, timestamp window, AES-256-CBC envelope, receive id),
// decoding of messages and events into bot.Events, passive encrypted replies,
// and an API client (access token with a shared cache, message/send with
// template_card, update_template_card) behind bot.Messenger.
// Protocol facts: developer.work.weixin.qq.com/document/path/90968 (crypto),
// 90240 (events), 90241 (passive replies), 90236 (send), 94888 (update).
package wecom

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

// Callback rejection causes. Each is answered non-200 before any data is touched.
var (
	ErrSignature  = errors.New("wecom: msg_signature does not match")
	ErrTimestamp  = errors.New("wecom: timestamp missing or outside the accepted window")
	ErrReceiveID  = errors.New("wecom: receive id is not this corp")
	ErrCiphertext = errors.New("wecom: malformed ciphertext")
	ErrEnvelope   = errors.New("wecom: malformed callback envelope")
	ErrMessage    = errors.New("wecom: malformed decrypted message")
	ErrTooLarge   = errors.New("wecom: callback body too large")
)

// EncodingAESKeyLen is the length of the EncodingAESKey shown in the WeCom
// admin console; base64-decoded with one "=" appended it is the 32-byte AES key.
const EncodingAESKeyLen = 43

// pkcs7Block is the padding block size of WeCom's scheme (32, not AES's 16).
const pkcs7Block = 32

// maxCiphertextB64 bounds what Decrypt accepts before decoding anything.
const maxCiphertextB64 = 1 << 20

// Crypto signs, verifies, encrypts and decrypts WeCom callback payloads for
// one app (Token, EncodingAESKey) and receive id (the CorpID of a self-built
// app). It is safe for concurrent use.
type Crypto struct {
	token     string
	receiveID string
	key       []byte
	block     cipher.Block
	random    io.Reader
}

// NewCrypto checks the key and returns a Crypto.
func NewCrypto(token, encodingAESKey, receiveID string) (*Crypto, error) {
	if token == "" || receiveID == "" {
		return nil, errors.New("wecom crypto: token and receive id are required")
	}
	if len(encodingAESKey) != EncodingAESKeyLen {
		return nil, fmt.Errorf("wecom crypto: EncodingAESKey must be %d characters, got %d", EncodingAESKeyLen, len(encodingAESKey))
	}
	key, err := base64.StdEncoding.DecodeString(encodingAESKey + "=")
	if err != nil || len(key) != 32 {
		return nil, errors.New("wecom crypto: EncodingAESKey is not valid base64 of 32 bytes")
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("wecom crypto: %w", err)
	}
	return &Crypto{token: token, receiveID: receiveID, key: key, block: block, random: rand.Reader}, nil
}

// ReceiveID is the id every decrypted payload must end with.
func (c *Crypto) ReceiveID() string { return c.receiveID }

// Sign is msg_signature: hex(sha1(sorted(token, timestamp, nonce, encrypt) joined)).
func (c *Crypto) Sign(timestamp, nonce, encrypt string) string {
	parts := []string{c.token, timestamp, nonce, encrypt}
	sort.Strings(parts)
	sum := sha1.Sum([]byte(strings.Join(parts, "")))
	return hex.EncodeToString(sum[:])
}

// Verify checks msg_signature in constant time.
func (c *Crypto) Verify(signature, timestamp, nonce, encrypt string) error {
	want := c.Sign(timestamp, nonce, encrypt)
	if subtle.ConstantTimeCompare([]byte(strings.ToLower(signature)), []byte(want)) != 1 {
		return ErrSignature
	}
	return nil
}

// Decrypt opens a base64 Encrypt value: AES-256-CBC with IV = key[:16],
// PKCS#7 to 32 bytes, plaintext random(16) || len(4, big endian) || msg ||
// receiveid. The receive id must be this corp's (ErrReceiveID otherwise).
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
	msg, rid := content[20:20+n], content[20+n:]
	if subtle.ConstantTimeCompare(rid, []byte(c.receiveID)) != 1 {
		return nil, ErrReceiveID
	}
	return msg, nil
}

// Encrypt seals msg for a passive reply (or for tests posing as WeCom).
func (c *Crypto) Encrypt(msg []byte) (string, error) {
	var random [16]byte
	if _, err := io.ReadFull(c.random, random[:]); err != nil {
		return "", fmt.Errorf("wecom encrypt: random: %w", err)
	}
	return c.encrypt(random, msg, c.receiveID), nil
}

// encrypt is Encrypt with a given random prefix and receive id (tests forge
// payloads for other corps with it).
func (c *Crypto) encrypt(random [16]byte, msg []byte, receiveID string) string {
	n := 20 + len(msg) + len(receiveID)
	pad := pkcs7Block - n%pkcs7Block
	plain := make([]byte, n+pad)
	copy(plain, random[:])
	binary.BigEndian.PutUint32(plain[16:20], uint32(len(msg)))
	copy(plain[20:], msg)
	copy(plain[20+len(msg):], receiveID)
	for i := n; i < len(plain); i++ {
		plain[i] = byte(pad)
	}
	cipher.NewCBCEncrypter(c.block, c.key[:aes.BlockSize]).CryptBlocks(plain, plain)
	return base64.StdEncoding.EncodeToString(plain)
}
