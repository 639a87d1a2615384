package dingtalk

import (
	"encoding/json"
	"errors"
	"testing"

	"visitbot/bot"
)

func callbackBody(outTrackID, userID string, params map[string]any) []byte {
	content, _ := json.Marshal(map[string]any{"cardPrivateData": map[string]any{"actionIds": []string{"btn1"}, "params": params}})
	b, _ := json.Marshal(map[string]any{"type": "actionCallback", "outTrackId": outTrackID, "corpId": "dingcorp", "userId": userID,
		"spaceType": "IM_ROBOT", "spaceId": "x", "content": string(content)})
	return b
}

func TestParseCardCallback(t *testing.T) {
	body := callbackBody("fb2-42", "dt-rep01", map[string]any{
		"action": "fb:42:2", "objection": "o2", "concerns": []any{"c1", "c3"}, "follow_up": map[string]any{"value": "f2"}, "count": 3, "empty": "",
	})
	cb, err := ParseCardCallback(body)
	if err != nil {
		t.Fatal(err)
	}
	ev := cb.Event()
	if ev.Kind != bot.EventCardAction || ev.From != "dt-rep01" || ev.Action.TaskID != "fb2-42" || ev.Action.Key != "fb:42:2" {
		t.Fatalf("event = %+v", ev)
	}
	want := map[string][]string{"concerns": {"c1", "c3"}, "count": {"3"}, "follow_up": {"f2"}, "objection": {"o2"}}
	if len(ev.Action.Selected) != len(want) {
		t.Fatalf("selected = %+v", ev.Action.Selected)
	}
	for k, ids := range want {
		got := ev.Action.Answer(k)
		if len(got) != len(ids) || got[0] != ids[0] {
			t.Errorf("%s = %v, want %v", k, got, ids)
		}
	}
	// Same content → same key; another submit on the same card → another key.
	again, _ := ParseCardCallback(body)
	other, _ := ParseCardCallback(callbackBody("fb2-42", "dt-rep01", map[string]any{"action": "fb:42:2", "objection": "o1"}))
	if again.DeliveryKey() != cb.DeliveryKey() || other.DeliveryKey() == cb.DeliveryKey() {
		t.Fatal("delivery keys do not separate deliveries from retries")
	}
	if len(cb.DeliveryKey()) > 170 {
		t.Fatalf("delivery key %d bytes", len(cb.DeliveryKey()))
	}
}

func TestParseCardCallbackRejects(t *testing.T) {
	cases := map[string][]byte{
		"not json":        []byte("{"),
		"no outTrackId":   callbackBody("", "u", map[string]any{"action": "a:b"}),
		"no userId":       callbackBody("t", "", map[string]any{"action": "a:b"}),
		"no action":       callbackBody("t", "u", map[string]any{"x": "1"}),
		"action not text": callbackBody("t", "u", map[string]any{"action": 1}),
		"content not json": func() []byte {
			b, _ := json.Marshal(map[string]any{"outTrackId": "t", "userId": "u", "content": "{"})
			return b
		}(),
		"other type": func() []byte {
			b, _ := json.Marshal(map[string]any{"type": "other", "outTrackId": "t", "userId": "u"})
			return b
		}(),
	}
	for name, body := range cases {
		if _, err := ParseCardCallback(body); !errors.Is(err, ErrCardCallback) {
			t.Errorf("%s: got %v", name, err)
		}
	}
}

func TestAnswerFor(t *testing.T) {
	ans, err := AnswerFor(&bot.CardUpdate{ReplaceName: "已接受"})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(ans)
	want := `{"cardUpdateOptions":{"updateCardDataByKey":true,"updatePrivateDataByKey":true},"cardData":{"cardParamMap":{"frozen":"true","status":"已接受"}}}`
	if string(b) != want {
		t.Fatalf("answer = %s\nwant %s", b, want)
	}
	empty, _ := AnswerFor(nil)
	if b, _ := json.Marshal(empty); string(b) != "{}" {
		t.Fatalf("empty answer = %s", b)
	}
}

func FuzzParseCardCallback(f *testing.F) {
	f.Add(callbackBody("fb2-42", "dt-rep01", map[string]any{"action": "fb:42:2", "objection": "o2", "concerns": []any{"c1"}}))
	f.Add(callbackBody("t", "u", map[string]any{"action": "plan:accept", "x": []any{map[string]any{"id": 1}}}))
	f.Add([]byte(`{"outTrackId":"t","userId":"u","content":"{\"cardPrivateData\":{\"actionIds\":[\"a:b\"]}}"}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		cb, err := ParseCardCallback(body)
		if err != nil {
			if !errors.Is(err, ErrCardCallback) {
				t.Fatalf("error not wrapped: %v", err)
			}
			return
		}
		ev := cb.Event()
		if ev.Action == nil || ev.Action.Key == "" || ev.Action.TaskID == "" || ev.From == "" {
			t.Fatalf("accepted callback without task, key or user: %+v", ev)
		}
		if len("dingtalk:"+ev.DeliveryKey) > 191 {
			t.Fatalf("delivery key too long: %d", len(ev.DeliveryKey))
		}
		if len(ev.Action.Selected) > maxSelections {
			t.Fatalf("%d selections", len(ev.Action.Selected))
		}
	})
}
