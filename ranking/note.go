package ranking

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"unicode/utf8"

	gojson "github.com/goccy/go-json"
)

// HeatNote is the part of a doctor's heat the lists show: each class's
// points, the rules' bonus and the first reasons. The nightly scoring keeps
// one per doctor and day, so the morning run explains its picks without
// loading their signals again (at national scale, 100,000 picks).
type HeatNote struct {
	// Points are the classes' contributions to the 0–100 heat, by class;
	// classes without points are left out.
	Points map[string]float64 `json:"p,omitempty"`
	Bonus  float64            `json:"b,omitempty"`
	// Phrases are the first heat reasons, strongest first: a pick shows
	// two (see reasonsFor), a note keeps NotePhrases.
	Phrases []string `json:"r,omitempty"`
	// Surge is kept only when it is one (Surge.Rising): the morning run
	// lifts the day's clearest surge (PlanDay).
	Surge *Surge `json:"s,omitempty"`
}

// NotePhrases is how many heat phrases a note keeps: the two a pick shows
// and one spare.
const NotePhrases = 3

// Note is h's note.
func (h Heat) Note() HeatNote {
	n := HeatNote{Bonus: round3(h.Bonus), Phrases: h.Phrases[:min(NotePhrases, len(h.Phrases))]}
	if h.Surge.Rising() {
		g := h.Surge
		n.Surge = &g
	}
	for _, c := range h.Classes {
		if p := round3(c.Points); p != 0 {
			if n.Points == nil {
				n.Points = map[string]float64{}
			}
			n.Points[c.Class] = p
		}
	}
	return n
}

// Heat is the heat of score explained by the note: what a candidate ranks
// by when its heat comes from the nightly scoring.
func (n HeatNote) Heat(score float64) Heat {
	h := Heat{Score: score, Bonus: n.Bonus, Phrases: n.Phrases}
	if n.Surge != nil {
		h.Surge = *n.Surge
	}
	for i, c := range classes {
		h.Classes[i] = ClassScore{Class: c, Points: n.Points[c]}
	}
	return h
}

// round3 rounds to the 3 decimals of breakdowns, picks and notes (a note
// keeps no digit a card or a breakdown could not show).
func round3(v float64) float64 { return math.Round(v*1000) / 1000 }

// MarshalNote encodes a note for storage (compact JSON; map keys sorted).
func MarshalNote(n HeatNote) (string, error) {
	b, err := json.Marshal(n)
	if err != nil {
		return "", fmt.Errorf("heat note: %w", err)
	}
	return string(b), nil
}

// UnmarshalNote decodes a stored note; a malformed one is an error for the
// caller to fall back on the doctor's signals. The morning run decodes the
// note of every pick (3,000 at 600 reps): go-json decodes it in about half
// the standard library's time, but it skips unknown fields without checking
// them and keeps invalid UTF-8 as is, so the text is checked first
// (json.Valid, utf8.Valid: no allocation) and the two read every note we
// could have written alike (FuzzUnmarshalNote).
func UnmarshalNote(s string) (HeatNote, error) {
	var n HeatNote
	b := []byte(s)
	if !utf8.Valid(b) || !json.Valid(b) {
		return n, errors.New("heat note: not valid UTF-8 JSON")
	}
	if err := gojson.UnmarshalNoEscape(b, &n); err != nil {
		return n, fmt.Errorf("heat note: %w", err)
	}
	return n, nil
}
