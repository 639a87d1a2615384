package main

import "testing"

func TestISOWeek(t *testing.T) {
	cases := map[string][2]string{
		"2026-W49": {"2026-11-30", "2026-12-06"},
		"2026-W01": {"2025-12-29", "2026-01-04"},
		"2020-W53": {"2020-12-28", "2021-01-03"},
	}
	for in, want := range cases {
		from, to, err := isoWeek(in)
		if err != nil || from != want[0] || to != want[1] {
			t.Errorf("%s: %s %s %v, want %v", in, from, to, err, want)
		}
	}
	for _, bad := range []string{"2026-49", "2026-W54", "2026-W00", "2025-W53", "week"} {
		if _, _, err := isoWeek(bad); err == nil {
			t.Errorf("%s: want error", bad)
		}
	}
}
