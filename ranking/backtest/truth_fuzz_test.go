package backtest

import (
	"bytes"
	"encoding/json"
	"testing"
)

// FuzzReadTruth: any input is either refused or a truth that replays
// without panicking and survives a round trip.
func FuzzReadTruth(f *testing.F) {
	f.Add([]byte(`{"start":"2026-05-01","high_at":0.6,"values":{"C1":[0.1,0.7]},"risers":{"C1":"2026-05-02"},"steady_high":[]}`))
	f.Add([]byte(`{"start":"2026-13-01","values":{}}`))
	f.Add([]byte(`{"start":"2026-05-01","values":{"C1":[]},"risers":{"C1":"soon"}}`))
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, data []byte) {
		tr, err := ReadTruth(bytes.NewReader(data))
		if err != nil {
			return
		}
		h := &History{Doctors: []Doctor{{Code: "C1"}}}
		h.Doctors[0].ID = 1
		h.Normalize()
		a := truthAnswer(h, tr)
		a.high(tr.Start, a.values(tr.Start))
		b, err := json.Marshal(tr)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := ReadTruth(bytes.NewReader(b)); err != nil {
			t.Fatalf("round trip refused: %v", err)
		}
	})
}
