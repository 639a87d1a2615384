package wecom

import (
	"encoding/xml"
	"fmt"
	"strings"
)

// Envelope is the outer XML of a POST callback: the encrypted message and
// the (unencrypted) corp and agent it is addressed to.
type Envelope struct {
	XMLName    xml.Name `xml:"xml"`
	ToUserName string   `xml:"ToUserName"`
	AgentID    string   `xml:"AgentID"`
	Encrypt    string   `xml:"Encrypt"`
}

// ParseEnvelope decodes a callback body. It refuses anything without an
// Encrypt element; it never decrypts.
func ParseEnvelope(body []byte) (Envelope, error) {
	var env Envelope
	if err := xml.Unmarshal(body, &env); err != nil {
		return Envelope{}, fmt.Errorf("%w: %w", ErrEnvelope, err)
	}
	env.Encrypt = strings.TrimSpace(env.Encrypt)
	if env.Encrypt == "" {
		return Envelope{}, fmt.Errorf("%w: no Encrypt element", ErrEnvelope)
	}
	return env, nil
}

// replyEnvelope is the passive reply WeCom expects: the encrypted reply
// XML, its signature, and the timestamp and nonce that were signed.
type replyEnvelope struct {
	XMLName      xml.Name `xml:"xml"`
	Encrypt      cdata    `xml:"Encrypt"`
	MsgSignature cdata    `xml:"MsgSignature"`
	TimeStamp    int64    `xml:"TimeStamp"`
	Nonce        cdata    `xml:"Nonce"`
}

// cdata marshals as <![CDATA[…]]>, as WeCom's own samples do.
type cdata struct {
	Value string `xml:",cdata"`
}
