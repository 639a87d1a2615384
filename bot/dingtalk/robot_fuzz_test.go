package dingtalk

import (
	"math"
	"os"
	"testing"

	"visitbot/bot"
)

// FuzzParseRobotMessage feeds arbitrary robot callback bodies (and the
// fallback "#卡片" command text) to the parsers: no panic; an accepted message
// has a bounded delivery key; a location is always in range.
func FuzzParseRobotMessage(f *testing.F) {
	for _, name := range []string{"testdata/robot_text.json", "testdata/robot_location.json"} {
		if b, err := os.ReadFile(name); err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte(`{"msgId":"m","senderStaffId":"u","msgtype":"location","content":{"latitude":"30.2","longitude":"120.1"}}`))
	f.Add([]byte(`{"msgId":"m","senderStaffId":"u","msgtype":"text","text":{"content":"#卡片 vl-1 plan:accept"}}`))
	f.Add([]byte(`{`))
	f.Fuzz(func(t *testing.T, body []byte) {
		m, err := ParseRobotMessage(body)
		if err != nil {
			return
		}
		ev := m.Event(body)
		if ev.DeliveryKey == "" || len(ev.DeliveryKey) > 170 {
			t.Fatalf("delivery key %q", ev.DeliveryKey)
		}
		if ev.Kind == bot.EventLocation {
			l := ev.Location
			if l == nil || math.IsNaN(l.Lat) || math.IsNaN(l.Lng) || l.Lat < -90 || l.Lat > 90 || l.Lng < -180 || l.Lng > 180 {
				t.Fatalf("location out of range: %+v", l)
			}
		}
		if ev.Kind == bot.EventText {
			if act, ok := parseCardCommand(ev.Text); ok && (act == nil || act.TaskID == "" || act.Key == "") {
				t.Fatalf("card command without task or key: %+v", act)
			}
		}
	})
}
