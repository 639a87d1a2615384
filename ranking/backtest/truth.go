package backtest

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"slices"
	"time"

	"visitbot/ranking"
)

// HighShare is the share of doctors that are "high-value" on a day when the
// answer key is the self-supervised target (the top fifth).
const HighShare = 0.2

// Truth is a simulated market's answer key, by doctor code: the true value
// of every doctor on every day from Start, the value at which a doctor is
// high-value, the risers with the day each becomes high-value, and the
// doctors high-value on every day.
type Truth struct {
	Start      string               `json:"start"`
	HighAt     float64              `json:"high_at"`
	Values     map[string][]float64 `json:"values"`
	Risers     map[string]string    `json:"risers"`
	SteadyHigh []string             `json:"steady_high"`
}

// ReadTruth decodes a truth file (JSON), checking that it is one.
func ReadTruth(r io.Reader) (*Truth, error) {
	var t Truth
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&t); err != nil {
		return nil, fmt.Errorf("truth: %w", err)
	}
	if _, err := time.Parse(time.DateOnly, t.Start); err != nil {
		return nil, fmt.Errorf("truth: start %q: %w", t.Start, err)
	}
	if len(t.Values) == 0 {
		return nil, fmt.Errorf("truth: no values")
	}
	if math.IsNaN(t.HighAt) || math.IsInf(t.HighAt, 0) {
		return nil, fmt.Errorf("truth: high_at %v is not a number", t.HighAt)
	}
	for code, day := range t.Risers {
		if _, err := time.Parse(time.DateOnly, day); err != nil {
			return nil, fmt.Errorf("truth: riser %s: day %q: %w", code, day, err)
		}
	}
	return &t, nil
}

// answer is what lists are measured against: a value per doctor per day,
// who is high-value, the risers and the steadily high-value doctors.
type answer struct {
	name   string
	values func(day string) map[uint]float64
	high   func(day string, values map[uint]float64) map[uint]bool
	// risers maps doctor id → the day it becomes high-value.
	risers map[uint]string
	// steady lists the doctors high-value all along (nil: derived from the
	// days, those high on at least 80% of them).
	steady []uint
}

func truthAnswer(h *History, t *Truth) answer {
	start, _ := time.Parse(time.DateOnly, t.Start)
	ids := map[string]uint{}
	for _, d := range h.Doctors {
		ids[d.Code] = d.ID
	}
	a := answer{name: "simulated truth", risers: map[uint]string{}}
	a.values = func(day string) map[uint]float64 {
		dt, _ := time.Parse(time.DateOnly, day)
		i := int(dt.Sub(start).Hours() / 24)
		out := map[uint]float64{}
		for code, vs := range t.Values {
			if id, ok := ids[code]; ok && i >= 0 && i < len(vs) {
				out[id] = vs[i]
			}
		}
		return out
	}
	a.high = func(_ string, values map[uint]float64) map[uint]bool {
		out := map[uint]bool{}
		for id, v := range values {
			if v >= t.HighAt {
				out[id] = true
			}
		}
		return out
	}
	for code, day := range t.Risers {
		if id, ok := ids[code]; ok {
			a.risers[id] = day
		}
	}
	a.steady = []uint{}
	for _, code := range t.SteadyHigh {
		if id, ok := ids[code]; ok {
			a.steady = append(a.steady, id)
		}
	}
	return a
}

func targetAnswer(h *History) answer {
	return answer{name: "self-supervised target", values: h.Target, high: topShare}
}

// topShare marks the HighShare of doctors with the highest values.
func topShare(_ string, values map[uint]float64) map[uint]bool {
	ids := make([]uint, 0, len(values))
	for id := range values {
		ids = append(ids, id)
	}
	slices.SortFunc(ids, func(a, b uint) int {
		if values[a] != values[b] {
			if values[a] > values[b] {
				return -1
			}
			return 1
		}
		return int(a) - int(b)
	})
	out := map[uint]bool{}
	for _, id := range ids[:int(HighShare*float64(len(ids))+0.5)] {
		out[id] = true
	}
	return out
}

// Oracle ranks by the answer key's own value of the day: the ceiling any
// method can reach with this planner.
func Oracle(h *History, t *Truth) Method {
	ans := truthAnswer(h, t)
	cache := map[string]map[uint]float64{}
	return Method{Name: "oracle (true value)", Value: func(d *Doctor, _ ranking.Heat, asOf time.Time) float64 {
		day := asOf.In(h.Loc).Format(time.DateOnly)
		if cache[day] == nil {
			cache = map[string]map[uint]float64{day: ans.values(day)}
		}
		return 100 * cache[day][d.ID]
	}}
}
