package signals

import "testing"

func TestRegistryIsConsistent(t *testing.T) {
	seen := map[string]bool{}
	labels := map[string]string{}
	if N != len(Keys()) || N != len(All()) {
		t.Fatalf("N = %d, keys %d", N, len(Keys()))
	}
	for _, c := range All() {
		if c.Key == "" || c.Name == "" || c.Weight < 0 || c.Weight > 10 {
			t.Errorf("class %+v: key, name and a weight in 0..10 are required", c)
		}
		if seen[c.Key] {
			t.Errorf("class %s registered twice", c.Key)
		}
		seen[c.Key] = true
		for _, l := range append([]string{c.Name}, c.Labels...) {
			if other, dup := labels[l]; dup {
				t.Errorf("label %q names both %s and %s", l, other, c.Key)
			}
			labels[l] = c.Key
		}
		if got, ok := Lookup(c.Key); !ok || got.Name != Name(c.Key) {
			t.Errorf("Lookup(%s) = %+v, %v", c.Key, got, ok)
		}
	}
	if Name("nope") != "nope" {
		t.Error("an unknown key names itself")
	}
	w := Weights()
	w[Filing] = 99
	if Weights()[Filing] == 99 {
		t.Error("Weights must return a copy")
	}
}
