package dingtalk

import (
	"strconv"
	"testing"
	"time"
)

// go test -run XXX -bench . -benchmem ./bot/dingtalk/

func BenchmarkEventDecrypt(b *testing.B) {
	c, _ := NewCrypto("tok", "o1w0aum42yaptlz8alnhwikjd3jenzt9cb9wmzptgus", "dingapp")
	enc, _ := c.Encrypt([]byte(`{"EventType":"user_add_org","TimeStamp":"1764550800000","UserId":["u1","u2"],"CorpId":"dingcorp"}`))
	sig := c.Sign("1764550800000", "nonce", enc)
	b.ReportAllocs()
	for b.Loop() {
		if err := c.Verify(sig, "1764550800000", "nonce", enc); err != nil {
			b.Fatal(err)
		}
		p, err := c.Decrypt(enc)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := ParseSubscriptionEvent(p); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkRobotSignAndParse(b *testing.B) {
	now := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	ts := strconv.FormatInt(now.UnixMilli(), 10)
	sign := RobotSign(testAppSecret, ts)
	body := []byte(`{"msgtype":"text","text":{"content":" 帮助 "},"msgId":"msgWuZ8yXw2Q6fF9VqU0o4Ukw==","senderStaffId":"dt-rep01","conversationType":"1","sessionWebhook":"https://oapi.dingtalk.com/robot/sendBySession?session=abc","sessionWebhookExpiredTime":1764571200000}`)
	b.ReportAllocs()
	for b.Loop() {
		if err := VerifyRobotSign(testAppSecret, ts, sign, now); err != nil {
			b.Fatal(err)
		}
		m, err := ParseRobotMessage(body)
		if err != nil {
			b.Fatal(err)
		}
		_ = m.Event(body)
	}
}

func BenchmarkParseCardCallback(b *testing.B) {
	body := callbackBody("fb2-42", "dt-rep01", map[string]any{"action": "fb:42:2", "objection": "o2", "concerns": []any{"c1", "c3"}})
	b.ReportAllocs()
	for b.Loop() {
		cb, err := ParseCardCallback(body)
		if err != nil {
			b.Fatal(err)
		}
		_ = cb.Event()
	}
}
