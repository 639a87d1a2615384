package models

import "testing"

// uintCol reads every integer form the drivers return and refuses what no
// id can be.
func TestUintColScan(t *testing.T) {
	for _, tc := range []struct {
		src  any
		want uint
		ok   bool
	}{
		{int64(42), 42, true},
		{uint64(1 << 40), 1 << 40, true},
		{[]byte("7"), 7, true},
		{"123456789", 123456789, true},
		{int64(-1), 0, false},
		{[]byte("x1"), 0, false},
		{"", 0, false},
		{nil, 0, false},
		{3.5, 0, false},
	} {
		var got uint
		err := uintCol{&got}.Scan(tc.src)
		if (err == nil) != tc.ok || got != tc.want {
			t.Errorf("Scan(%#v) = %d, %v; want %d, ok %v", tc.src, got, err, tc.want, tc.ok)
		}
	}
}
