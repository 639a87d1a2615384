package wecom

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/xml"
	"fmt"
	"strconv"
	"time"
)

// passiveReply is the plaintext XML of a passive reply (document 90241):
// a text, or update_button to grey the clicked card's buttons.
type passiveReply struct {
	XMLName      xml.Name       `xml:"xml"`
	ToUserName   cdata          `xml:"ToUserName"`
	FromUserName cdata          `xml:"FromUserName"`
	CreateTime   int64          `xml:"CreateTime"`
	MsgType      cdata          `xml:"MsgType"`
	Content      *cdata         `xml:"Content,omitempty"`
	Button       *replaceButton `xml:"Button,omitempty"`
}

type replaceButton struct {
	ReplaceName cdata `xml:"ReplaceName"`
}

// PassiveText is the plaintext XML of a passive text reply to user.
func (cb *Callback) passiveText(to string, now time.Time, text string) ([]byte, error) {
	return xml.Marshal(passiveReply{
		ToUserName: cdata{to}, FromUserName: cdata{cb.crypto.ReceiveID()}, CreateTime: now.Unix(),
		MsgType: cdata{"text"}, Content: &cdata{text},
	})
}

// passiveUpdateButton greys every button of the clicked card and shows replaceName.
func (cb *Callback) passiveUpdateButton(to string, now time.Time, replaceName string) ([]byte, error) {
	return xml.Marshal(passiveReply{
		ToUserName: cdata{to}, FromUserName: cdata{cb.crypto.ReceiveID()}, CreateTime: now.Unix(),
		MsgType: cdata{"update_button"}, Button: &replaceButton{ReplaceName: cdata{replaceName}},
	})
}

// seal encrypts and signs plaintext reply XML into the envelope WeCom expects.
func (cb *Callback) seal(plain []byte, now time.Time) ([]byte, error) {
	enc, err := cb.crypto.Encrypt(plain)
	if err != nil {
		return nil, err
	}
	var n [8]byte
	if _, err := rand.Read(n[:]); err != nil {
		return nil, fmt.Errorf("wecom reply nonce: %w", err)
	}
	nonce := hex.EncodeToString(n[:])
	ts := now.Unix()
	return xml.Marshal(replyEnvelope{
		Encrypt: cdata{enc}, MsgSignature: cdata{cb.crypto.Sign(strconv.FormatInt(ts, 10), nonce, enc)},
		TimeStamp: ts, Nonce: cdata{nonce},
	})
}

// OpenReply decrypts a passive reply after checking its signature: what
// WeCom does with our answer. Tests and the load tool use it.
func (c *Crypto) OpenReply(body []byte) ([]byte, error) {
	var env struct {
		Encrypt      string `xml:"Encrypt"`
		MsgSignature string `xml:"MsgSignature"`
		TimeStamp    string `xml:"TimeStamp"`
		Nonce        string `xml:"Nonce"`
	}
	if err := xml.Unmarshal(body, &env); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrEnvelope, err)
	}
	if err := c.Verify(env.MsgSignature, env.TimeStamp, env.Nonce, env.Encrypt); err != nil {
		return nil, err
	}
	return c.Decrypt(env.Encrypt)
}
