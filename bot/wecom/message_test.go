package wecom

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"visitbot/bot"
	"visitbot/cards"
)

// cardEventXML is a template_card_event with two answered questions, in
// the shape of WeCom's document 90240.
const cardEventXML = `<xml><ToUserName><![CDATA[wx5823bf96d3bd56c7]]></ToUserName><FromUserName><![CDATA[zhangsan]]></FromUserName><CreateTime>1764550800</CreateTime><MsgType><![CDATA[event]]></MsgType><Event><![CDATA[template_card_event]]></Event><EventKey><![CDATA[fb:42:2]]></EventKey><TaskId><![CDATA[fb2-42]]></TaskId><CardType><![CDATA[multiple_interaction]]></CardType><ResponseCode><![CDATA[rc-abc]]></ResponseCode><AgentID>1000002</AgentID><SelectedItems><SelectedItem><QuestionKey><![CDATA[objection]]></QuestionKey><OptionIds><OptionId><![CDATA[o2]]></OptionId></OptionIds></SelectedItem><SelectedItem><QuestionKey><![CDATA[concerns]]></QuestionKey><OptionIds><OptionId><![CDATA[c1]]></OptionId><OptionId><![CDATA[c3]]></OptionId></OptionIds></SelectedItem></SelectedItems></xml>`

func parse(t *testing.T, x string) bot.Event {
	t.Helper()
	m, err := ParseMessage([]byte(x))
	if err != nil {
		t.Fatal(err)
	}
	return m.BotEvent()
}

func TestParseCardEvent(t *testing.T) {
	ev := parse(t, cardEventXML)
	want := &bot.CardAction{
		TaskID: "fb2-42", Key: "fb:42:2", CardType: "multiple_interaction", ResponseCode: "rc-abc",
		Selected: []bot.Selection{{QuestionKey: "objection", OptionIDs: []string{"o2"}}, {QuestionKey: "concerns", OptionIDs: []string{"c1", "c3"}}},
	}
	if ev.Kind != bot.EventCardAction || ev.From != "zhangsan" || !reflect.DeepEqual(ev.Action, want) {
		t.Fatalf("got %+v / %+v", ev, ev.Action)
	}
	if ev.DeliveryKey != "ev|zhangsan|1764550800|fb2-42|fb:42:2" || !ev.At.Equal(time.Unix(1764550800, 0)) {
		t.Fatalf("key %q at %v", ev.DeliveryKey, ev.At)
	}
	if got := ev.Action.Answer("concerns"); !reflect.DeepEqual(got, []string{"c1", "c3"}) {
		t.Fatalf("answer %v", got)
	}
}

func TestParseKinds(t *testing.T) {
	const head = `<xml><ToUserName>wx</ToUserName><FromUserName>lisi</FromUserName><CreateTime>1764550800</CreateTime>`
	cases := []struct {
		name string
		xml  string
		kind bot.EventKind
		key  string
		chk  func(t *testing.T, ev bot.Event)
	}{
		{"text", head + `<MsgType>text</MsgType><Content><![CDATA[帮助]]></Content><MsgId>123</MsgId></xml>`, bot.EventText, "msg|123",
			func(t *testing.T, ev bot.Event) {
				if ev.Text != "帮助" {
					t.Fatal(ev.Text)
				}
			}},
		{"location message", head + `<MsgType>location</MsgType><Location_X>31.2304</Location_X><Location_Y>121.4737</Location_Y><Scale>15</Scale><Label><![CDATA[上海市第一人民医院]]></Label><MsgId>124</MsgId></xml>`, bot.EventLocation, "msg|124",
			func(t *testing.T, ev bot.Event) {
				if l := ev.Location; l.Lat != 31.2304 || l.Lng != 121.4737 || l.Label != "上海市第一人民医院" || l.Reported {
					t.Fatalf("%+v", l)
				}
			}},
		{"reported location", head + `<MsgType>event</MsgType><Event>LOCATION</Event><Latitude>31.1</Latitude><Longitude>121.2</Longitude><Precision>65.0</Precision></xml>`, bot.EventLocation, "ev|lisi|1764550800|event|LOCATION",
			func(t *testing.T, ev bot.Event) {
				if l := ev.Location; l.Lat != 31.1 || l.Lng != 121.2 || !l.Reported || l.PrecisionM != 65 {
					t.Fatalf("%+v", l)
				}
			}},
		{"bad coordinates stay unknown", head + `<MsgType>event</MsgType><Event>LOCATION</Event><Latitude>abc</Latitude><Longitude>121.2</Longitude></xml>`, bot.EventUnknown, "ev|lisi|1764550800|event|LOCATION", nil},
		{"enter_agent", head + `<MsgType>event</MsgType><Event>enter_agent</Event><EventKey></EventKey></xml>`, bot.EventEnter, "ev|lisi|1764550800|event|enter_agent", nil},
		{"menu", head + `<MsgType>event</MsgType><Event>template_card_menu_event</Event><EventKey>mute</EventKey><TaskId>t1</TaskId><CardType>text_notice</CardType><ResponseCode>rc</ResponseCode></xml>`, bot.EventCardAction, "ev|lisi|1764550800|t1|mute",
			func(t *testing.T, ev bot.Event) {
				if !ev.Action.Menu || ev.Action.Key != "mute" {
					t.Fatalf("%+v", ev.Action)
				}
			}},
		{"image is unknown", head + `<MsgType>image</MsgType><PicUrl>u</PicUrl><MsgId>125</MsgId></xml>`, bot.EventUnknown, "msg|125",
			func(t *testing.T, ev bot.Event) {
				if ev.RawType != "image" || !strings.Contains(ev.Raw, "PicUrl") {
					t.Fatalf("%q %q", ev.RawType, ev.Raw)
				}
			}},
		{"unknown event", head + `<MsgType>event</MsgType><Event>change_contact</Event></xml>`, bot.EventUnknown, "ev|lisi|1764550800|event|change_contact",
			func(t *testing.T, ev bot.Event) {
				if ev.RawType != "event:change_contact" {
					t.Fatal(ev.RawType)
				}
			}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ev := parse(t, tc.xml)
			if ev.Kind != tc.kind || ev.DeliveryKey != tc.key || ev.From != "lisi" {
				t.Fatalf("kind %s key %q from %q", ev.Kind, ev.DeliveryKey, ev.From)
			}
			if tc.chk != nil {
				tc.chk(t, ev)
			}
		})
	}
}

func TestLongEventKeyIsHashed(t *testing.T) {
	x := strings.Replace(cardEventXML, "fb:42:2", "fb:"+strings.Repeat("x", 1000), 1)
	ev := parse(t, x)
	if !strings.HasPrefix(ev.DeliveryKey, "h|") || len(ev.DeliveryKey) > maxDeliveryKey {
		t.Fatalf("key %q", ev.DeliveryKey)
	}
	if parse(t, x).DeliveryKey != ev.DeliveryKey {
		t.Fatal("hash not stable")
	}
}

func TestParseRejects(t *testing.T) {
	for _, x := range []string{"", "<xml>", "<xml><MsgType>text</MsgType></xml>", "not xml"} {
		if _, err := ParseMessage([]byte(x)); !errors.Is(err, ErrMessage) {
			t.Errorf("%q: %v", x, err)
		}
	}
	for _, x := range []string{"", "<xml></xml>", "<xml><Encrypt>  </Encrypt></xml>", "<<<"} {
		if _, err := ParseEnvelope([]byte(x)); !errors.Is(err, ErrEnvelope) {
			t.Errorf("%q: %v", x, err)
		}
	}
}

func TestPlanReply(t *testing.T) {
	click := bot.Event{Kind: bot.EventCardAction, Action: &bot.CardAction{TaskID: "t1", ResponseCode: "rc1"}}
	p := planReply(click, bot.Reply{Texts: []string{"已记录"}, Update: &bot.CardUpdate{ReplaceName: "已提交"}})
	if p.passiveButton != "已提交" || p.passiveText != "" || len(p.later) != 1 || p.update != nil {
		t.Fatalf("button + text: %+v", p)
	}
	p = planReply(bot.Event{Kind: bot.EventText}, bot.Reply{Texts: []string{"a", "b"}})
	if p.passiveText != "a" || len(p.later) != 1 || p.later[0].Text != "b" {
		t.Fatalf("two texts: %+v", p)
	}
	p = planReply(click, bot.Reply{Update: &bot.CardUpdate{ReplaceName: "x"}})
	if p.passiveButton != "x" || len(p.later) != 0 {
		t.Fatalf("button only: %+v", p)
	}
	// A button replace outside a click cannot be passive: it goes through the API.
	p = planReply(bot.Event{Kind: bot.EventText}, bot.Reply{Update: &bot.CardUpdate{TaskID: "t9", ReplaceName: "x"}})
	if p.passiveButton != "" || p.update == nil || p.update.TaskID != "t9" {
		t.Fatalf("button outside a click: %+v", p)
	}
	p = planReply(click, bot.Reply{Texts: []string{"ok"}, Update: &bot.CardUpdate{Card: &cards.Card{Title: "新"}}})
	if p.update == nil || p.update.TaskID != "t1" || p.update.ResponseCode != "rc1" || p.passiveText != "ok" {
		t.Fatalf("whole-card update: %+v", p)
	}
}
