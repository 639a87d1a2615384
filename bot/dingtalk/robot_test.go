package dingtalk

import (
	"errors"
	"os"
	"strconv"
	"testing"
	"time"

	"visitbot/bot"
)

func TestVerifyRobotSign(t *testing.T) {
	now := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	ts := func(d time.Duration) string { return strconv.FormatInt(now.Add(d).UnixMilli(), 10) }
	const secret = "robot-secret-0123456789"
	cases := []struct {
		name, ts, sign string
		want           error
	}{
		{"valid", ts(0), RobotSign(secret, ts(0)), nil},
		{"valid 59 min old", ts(-59 * time.Minute), RobotSign(secret, ts(-59*time.Minute)), nil},
		{"wrong secret", ts(0), RobotSign("other-secret", ts(0)), ErrRobotSign},
		{"stale", ts(-61 * time.Minute), RobotSign(secret, ts(-61*time.Minute)), ErrRobotTimestamp},
		{"future", ts(61 * time.Minute), RobotSign(secret, ts(61*time.Minute)), ErrRobotTimestamp},
		{"missing sign", ts(0), "", ErrRobotSignMissing},
		{"missing timestamp", "", RobotSign(secret, ts(0)), ErrRobotSignMissing},
		{"timestamp not a number", "abc", RobotSign(secret, "abc"), ErrRobotTimestamp},
		{"sign of another timestamp", ts(0), RobotSign(secret, ts(-time.Second)), ErrRobotSign},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := VerifyRobotSign(secret, tc.ts, tc.sign, now)
			if !errors.Is(err, tc.want) || (tc.want == nil && err != nil) {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
		})
	}
}

func TestParseRobotText(t *testing.T) {
	ev := parseRobotFixture(t, "testdata/robot_text.json")
	if ev.Kind != bot.EventText || ev.Text != "帮助" || ev.From != "dt-rep01" || ev.DeliveryKey != "msg:msgWuZ8yXw2Q6fF9VqU0o4Ukw==" {
		t.Fatalf("event = %+v", ev)
	}
}

func TestParseRobotLocation(t *testing.T) {
	ev := parseRobotFixture(t, "testdata/robot_location.json")
	if ev.Kind != bot.EventLocation || ev.Location == nil {
		t.Fatalf("event = %+v", ev)
	}
	if l := ev.Location; l.Lat != 31.230416 || l.Lng != 121.473701 || l.Label != "市第一人民医院 上海市虹口区武进路85号" {
		t.Fatalf("location = %+v", l)
	}
	// The other shapes seen in the wild: a "location" object with short names, a JSON string.
	for name, body := range map[string]string{
		"location object": `{"msgId":"m1","senderStaffId":"u","msgtype":"location","location":{"lat":31.2,"lng":121.4,"name":"医院"}}`,
		"string content":  `{"msgId":"m1","senderStaffId":"u","msgtype":"location","content":"{\"latitude\":31.2,\"longitude\":121.4}"}`,
	} {
		if ev := parseRobotBody(t, []byte(body)); ev.Kind != bot.EventLocation || ev.Location.Lat != 31.2 || ev.Location.Lng != 121.4 {
			t.Errorf("%s: %+v", name, ev)
		}
	}
	// Out of range, zero or NaN coordinates are not a location: kept as an unknown event.
	for _, body := range []string{
		`{"msgId":"m1","senderStaffId":"u","msgtype":"location","content":{"latitude":91,"longitude":10}}`,
		`{"msgId":"m1","senderStaffId":"u","msgtype":"location","content":{"latitude":0,"longitude":0}}`,
		`{"msgId":"m1","senderStaffId":"u","msgtype":"location","content":{"latitude":"NaN","longitude":"1"}}`,
		`{"msgId":"m1","senderStaffId":"u","msgtype":"picture","content":{"downloadCode":"x"}}`,
	} {
		if ev := parseRobotBody(t, []byte(body)); ev.Kind != bot.EventUnknown || ev.Raw != body {
			t.Errorf("%s: %+v", body, ev)
		}
	}
}

func TestParseRobotRejects(t *testing.T) {
	for _, body := range []string{``, `[]`, `{"msgId":"m"}`, `{"senderStaffId":"u"}`, `{"msgId":1,"senderStaffId":"u"}`} {
		if _, err := ParseRobotMessage([]byte(body)); !errors.Is(err, ErrRobotMessage) {
			t.Errorf("%q: got %v", body, err)
		}
	}
}

func TestParseCardCommand(t *testing.T) {
	a, ok := parseCardCommand("#卡片 vl-rep01-20261201 skip:submit skip_doctor=12 skip_reason=cancelled")
	if !ok || a.TaskID != "vl-rep01-20261201" || a.Key != "skip:submit" || len(a.Answer("skip_doctor")) != 1 || a.Answer("skip_reason")[0] != "cancelled" {
		t.Fatalf("%+v %v", a, ok)
	}
	for _, s := range []string{"帮助", "#卡片 only-task", "#卡片 t k bad", "#卡片 t k =x"} {
		if _, ok := parseCardCommand(s); ok {
			t.Errorf("%q parsed as a card command", s)
		}
	}
}

// parseRobotFixture parses the robot message stored in the file at path and
// returns its event.
func parseRobotFixture(t *testing.T, path string) bot.Event {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return parseRobotBody(t, raw)
}

// parseRobotBody parses one robot message body and returns its event.
func parseRobotBody(t *testing.T, raw []byte) bot.Event {
	t.Helper()
	m, err := ParseRobotMessage(raw)
	if err != nil {
		t.Fatal(err)
	}
	return m.Event(raw)
}
