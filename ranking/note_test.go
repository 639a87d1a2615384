package ranking

import (
	"encoding/json"
	"reflect"
	"slices"
	"testing"
	"unicode/utf8"
)

// TestNoteKeepsWhatListsShow: a heat through its stored note gives the same
// class points (to 3 decimals, as breakdowns round), bonus and first phrases.
func TestNoteKeepsWhatListsShow(t *testing.T) {
	h := Heat{Score: 71.5, Bonus: 20.00049, Phrases: []string{"参与临床试验", "连续3次参加线上讲座", "近3月参加学术会议2次", "KOL专家"}}
	for i, c := range classes {
		h.Classes[i] = ClassScore{Class: c, Points: float64(i) * 1.23456, Sub: 0.5, Recent: i}
	}
	s, err := MarshalNote(h.Note())
	if err != nil {
		t.Fatal(err)
	}
	n, err := UnmarshalNote(s)
	if err != nil {
		t.Fatal(err)
	}
	got := n.Heat(h.Score)
	if got.Score != 71.5 || got.Bonus != 20 || !slices.Equal(got.Phrases, h.Phrases[:NotePhrases]) {
		t.Errorf("note gave %+v", got)
	}
	for i, c := range got.Classes {
		if c.Class != classes[i] || c.Points != round3(h.Classes[i].Points) {
			t.Errorf("class %d: %+v, want %s %.3f", i, c, classes[i], h.Classes[i].Points)
		}
	}
	if len(s) > 300 { // every class, three phrases: a short row
		t.Errorf("note of %d bytes: %s", len(s), s)
	}
	if _, err := UnmarshalNote("{broken"); err == nil {
		t.Error("a broken note decoded without an error")
	}
}

// FuzzUnmarshalNote: a stored note is outside input to the morning run (a
// row anyone with database access can edit). The fast decoder must never
// panic, it must refuse invalid UTF-8 (never written), and whatever the
// standard library reads as a note it must read the same; on input the
// standard library rejects it must fail too, so the caller falls back on the
// doctor's signals.
func FuzzUnmarshalNote(f *testing.F) {
	f.Add(`{"p":{"academic":12.5,"rx_trend":-3},"b":20,"r":["参与临床试验","KOL专家"],"s":{"recent":9,"base":2.5}}`)
	f.Add(`{"p":{}}`)
	f.Add(`{"r":["\u53c2\u4e0e","a\"b"],"b":1e2}`)
	f.Add(`{broken`)
	f.Add(`null`)
	f.Fuzz(func(t *testing.T, s string) {
		got, err := UnmarshalNote(s)
		if !utf8.ValidString(s) {
			if err == nil {
				t.Fatalf("%q: invalid UTF-8 decoded as %+v", s, got) // we never write it: fall back
			}
			return
		}
		var want HeatNote
		stdErr := json.Unmarshal([]byte(s), &want)
		if (err == nil) != (stdErr == nil) {
			t.Fatalf("%q: decoder error %v, standard library %v", s, err, stdErr)
		}
		if err == nil && !reflect.DeepEqual(got, want) {
			t.Fatalf("%q: decoded %+v, standard library %+v", s, got, want)
		}
	})
}

// BenchmarkUnmarshalNote decodes a full note (every class, three phrases, a
// surge) as the morning run does for each pick; standard_library is the
// encoding/json baseline it replaced.
func BenchmarkUnmarshalNote(b *testing.B) {
	h := Heat{Score: 71.5, Bonus: 20, Phrases: []string{"参与临床试验", "连续3次参加线上讲座", "近3月参加学术会议2次"},
		Surge: Surge{Recent: 9, Expected: 2.5, Baseline: 15, P: 0.001, Since: "2026-11-20"}}
	for i, c := range classes {
		h.Classes[i] = ClassScore{Class: c, Points: float64(i) * 1.23456}
	}
	s, err := MarshalNote(h.Note())
	if err != nil {
		b.Fatal(err)
	}
	b.Run("note", func(b *testing.B) {
		for b.Loop() {
			if _, err := UnmarshalNote(s); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("standard_library", func(b *testing.B) {
		for b.Loop() {
			var n HeatNote
			if err := json.Unmarshal([]byte(s), &n); err != nil {
				b.Fatal(err)
			}
		}
	})
}
