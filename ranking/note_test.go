package ranking

import (
	"slices"
	"testing"
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
