package wecom

import (
	"bytes"
	"testing"
)

// FuzzDecrypt feeds arbitrary Encrypt values to the decryptor: it must
// never panic, and whatever it accepts must carry this corp's receive id
// (checked by re-sealing and opening again).
func FuzzDecrypt(f *testing.F) {
	c := sampleCrypto(f)
	f.Add(sampleEncrypt)
	f.Add(sampleEncrypt[:len(sampleEncrypt)-4])
	f.Add("")
	f.Add("AAAA")
	f.Fuzz(func(t *testing.T, enc string) {
		msg, err := c.Decrypt(enc)
		if err != nil {
			return
		}
		again, err := c.Encrypt(msg)
		if err != nil {
			t.Fatal(err)
		}
		back, err := c.Decrypt(again)
		if err != nil || !bytes.Equal(back, msg) {
			t.Fatalf("round trip of accepted message failed: %v", err)
		}
	})
}

// FuzzParseEnvelope feeds arbitrary bodies to the envelope and message
// parsers and the event conversion: no panic, and an accepted envelope
// always has an Encrypt value.
func FuzzParseEnvelope(f *testing.F) {
	f.Add([]byte("<xml><ToUserName><![CDATA[" + sampleCorpID + "]]></ToUserName><AgentID><![CDATA[218]]></AgentID><Encrypt><![CDATA[" + sampleEncrypt + "]]></Encrypt></xml>"))
	f.Add([]byte("<xml><Encrypt>x</Encrypt></xml>"))
	f.Add([]byte(cardEventXML))
	f.Add([]byte("<xml><FromUserName>u</FromUserName><MsgType>event</MsgType><Event>LOCATION</Event><Latitude>31.2</Latitude><Longitude>121.5</Longitude></xml>"))
	f.Add([]byte("<"))
	f.Fuzz(func(t *testing.T, body []byte) {
		if env, err := ParseEnvelope(body); err == nil && env.Encrypt == "" {
			t.Fatal("accepted envelope without Encrypt")
		}
		if m, err := ParseMessage(body); err == nil {
			ev := m.BotEvent()
			if ev.DeliveryKey == "" || len(ev.DeliveryKey) > maxDeliveryKey {
				t.Fatalf("delivery key %q", ev.DeliveryKey)
			}
		}
	})
}
