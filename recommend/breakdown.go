package recommend

import (
	"encoding/json"
	"math"
	"slices"
	"strconv"
)

// marshalBreakdown encodes a pick's breakdown exactly as json.Marshal does
// (keys sorted, shortest float form), without its reflection: 3,000 picks
// of ~20 factors each are a fifth of the morning run's conversion. Keys
// other than [a-z0-9_] and floats json writes in exponent form fall back to
// json.Marshal.
func marshalBreakdown(f map[string]float64) ([]byte, error) {
	keys := make([]string, 0, len(f))
	for k, v := range f {
		if !plainKey(k) || math.IsNaN(v) || math.IsInf(v, 0) || (v != 0 && (math.Abs(v) < 1e-6 || math.Abs(v) >= 1e21)) {
			return json.Marshal(f)
		}
		keys = append(keys, k)
	}
	slices.Sort(keys)
	b := make([]byte, 0, 24*len(keys)+2)
	b = append(b, '{')
	for i, k := range keys {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, '"')
		b = append(b, k...)
		b = append(b, '"', ':')
		b = strconv.AppendFloat(b, f[k], 'f', -1, 64)
	}
	return append(b, '}'), nil
}

// plainKey reports whether k needs no JSON escaping: [a-z0-9_]+.
func plainKey(k string) bool {
	if k == "" {
		return false
	}
	for i := 0; i < len(k); i++ {
		if c := k[i]; !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}
