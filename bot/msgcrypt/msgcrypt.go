// Package msgcrypt is the callback crypto WeCom and DingTalk share (Tencent's
// WXBizMsgCrypt scheme, which DingTalk adopted for event subscriptions):
//
//	signature = hex(sha1(sorted(token, timestamp, nonce, encrypt) joined))
//	encrypt   = base64(AES-256-CBC(key, iv = key[:16],
//	            PKCS#7₃₂(random16 ‖ uint32be(len msg) ‖ msg ‖ receiveID)))
//	key       = base64decode(EncodingAESKey + "=")
//
// The receive id is the CorpID on WeCom and the app key ("owner key") on
// DingTalk. Each platform package wraps a Cipher with its own names.
package msgcrypt

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

// Errors of Verify and Decrypt. A callback failing any of them is answered
// non-200 before any data is touched.
var (
	ErrSignature  = errors.New("callback signature does not match")
	ErrReceiveID  = errors.New("callback payload is for another receiver (corp id / app key)")
	ErrCiphertext = errors.New("malformed callback ciphertext")
)

// KeyLen is the length of an EncodingAESKey (43 base64 characters = 32 bytes).
const KeyLen = 43

// Block is the PKCS#7 block size of the scheme: 32, not AES's 16, so padding
// bytes run 1..32.
const Block = 32

// MaxCiphertext bounds the base64 ciphertext Decrypt accepts before decoding.
const MaxCiphertext = 1 << 20

// Cipher signs, verifies, encrypts and decrypts for one (token, key,
// receive id). It is safe for concurrent use.
type Cipher struct {
	token     string
	receiveID string
	key       []byte
	block     cipher.Block
	// Random supplies the 16-byte prefix of every encryption (crypto/rand by default).
	Random io.Reader
}

// New checks the key and returns a Cipher.
func New(token, encodingAESKey, receiveID string) (*Cipher, error) {
	if token == "" || receiveID == "" {
		return nil, errors.New("token and receive id are required")
	}
	if len(encodingAESKey) != KeyLen {
		return nil, fmt.Errorf("the AES key must be %d characters, got %d", KeyLen, len(encodingAESKey))
	}
	key, err := base64.StdEncoding.DecodeString(encodingAESKey + "=")
	if err != nil || len(key) != 32 {
		return nil, errors.New("the AES key is not valid base64 of 32 bytes")
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	return &Cipher{token: token, receiveID: receiveID, key: key, block: block, Random: rand.Reader}, nil
}

// ReceiveID is the id every decrypted payload must end with.
func (c *Cipher) ReceiveID() string { return c.receiveID }

// Sign is the signature over token, timestamp, nonce and ciphertext.
func (c *Cipher) Sign(timestamp, nonce, encrypt string) string {
	parts := []string{c.token, timestamp, nonce, encrypt}
	sort.Strings(parts)
	sum := sha1.Sum([]byte(strings.Join(parts, "")))
	return hex.EncodeToString(sum[:])
}

// Verify checks a signature in constant time (hex case-insensitive).
func (c *Cipher) Verify(signature, timestamp, nonce, encrypt string) error {
	want := c.Sign(timestamp, nonce, encrypt)
	if subtle.ConstantTimeCompare([]byte(strings.ToLower(signature)), []byte(want)) != 1 {
		return ErrSignature
	}
	return nil
}

// Decrypt opens a base64 ciphertext and checks its receive id.
func (c *Cipher) Decrypt(encrypt string) ([]byte, error) {
	if len(encrypt) == 0 || len(encrypt) > MaxCiphertext {
		return nil, fmt.Errorf("%w: length %d", ErrCiphertext, len(encrypt))
	}
	raw, err := base64.StdEncoding.DecodeString(encrypt)
	if err != nil {
		return nil, fmt.Errorf("%w: base64: %w", ErrCiphertext, err)
	}
	if len(raw) < Block || len(raw)%aes.BlockSize != 0 {
		return nil, fmt.Errorf("%w: %d bytes is not a whole number of blocks", ErrCiphertext, len(raw))
	}
	plain := make([]byte, len(raw))
	cipher.NewCBCDecrypter(c.block, c.key[:aes.BlockSize]).CryptBlocks(plain, raw)
	pad := int(plain[len(plain)-1])
	if pad < 1 || pad > Block || pad > len(plain) {
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

// Encrypt seals msg for this receiver with a fresh random prefix.
func (c *Cipher) Encrypt(msg []byte) (string, error) {
	var random [16]byte
	if _, err := io.ReadFull(c.Random, random[:]); err != nil {
		return "", fmt.Errorf("encrypt: random: %w", err)
	}
	return c.EncryptFor(random, msg, c.receiveID), nil
}

// EncryptFor seals msg with a given random prefix and receive id (tests
// forge payloads for other receivers with it).
func (c *Cipher) EncryptFor(random [16]byte, msg []byte, receiveID string) string {
	n := 20 + len(msg) + len(receiveID)
	pad := Block - n%Block
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
