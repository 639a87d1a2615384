package ranking

import (
	"testing"

	"visitbot/signals"
)

// Every class of the registry has its scorer here (adding a class is one
// registry entry plus this).
func TestEveryRegisteredClassHasAScorer(t *testing.T) {
	for _, k := range signals.Keys() {
		if _, ok := saturation[k]; !ok {
			t.Errorf("class %s has no saturation in ranking", k)
		}
		if classIndex(k) < 0 {
			t.Errorf("class %s is not in the breakdown order", k)
		}
	}
}
