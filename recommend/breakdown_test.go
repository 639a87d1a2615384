package recommend

import (
	"encoding/json"
	"math"
	"testing"
)

// TestMarshalBreakdownEqualsJSON: the hand-written encoding is byte for
// byte json.Marshal's, exponent forms and odd keys included (they fall back).
func TestMarshalBreakdownEqualsJSON(t *testing.T) {
	for _, f := range []map[string]float64{
		{},
		{"heat": 71.234, "due": 1, "score": 0, "distance_km": 12.5, "heat_lecture": -3.25, "route_min": 35.000001},
		{"tiny": 1e-7, "huge": 3e21, "neg_tiny": -2.5e-8},
		{"Heat": 1, "a-b": 2, "引号": 3, `q"`: 4},
		{"whole": 1e20, "third": 1.0 / 3, "max": math.MaxFloat64 / 1e300},
	} {
		want, err := json.Marshal(f)
		if err != nil {
			t.Fatal(err)
		}
		got, err := marshalBreakdown(f)
		if err != nil || string(got) != string(want) {
			t.Errorf("marshalBreakdown(%v) = %s, %v; json.Marshal %s", f, got, err, want)
		}
	}
}

// FuzzMarshalBreakdown: any key and value encode as json.Marshal does.
func FuzzMarshalBreakdown(f *testing.F) {
	f.Add("heat", 71.5, "due_ratio", 1.25)
	f.Add("x", 1e-9, "y", -0.0)
	f.Fuzz(func(t *testing.T, k1 string, v1 float64, k2 string, v2 float64) {
		m := map[string]float64{k1: v1, k2: v2}
		want, err := json.Marshal(m)
		got, err2 := marshalBreakdown(m)
		if (err != nil) != (err2 != nil) || string(got) != string(want) {
			t.Errorf("%v: %s (%v), json %s (%v)", m, got, err2, want, err)
		}
	})
}
