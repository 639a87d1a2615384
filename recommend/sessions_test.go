package recommend

import (
	"reflect"
	"testing"

	"visitbot/models"
	"visitbot/ranking"
)

// The day's sessions come back grouped by doctor in their original order,
// and appending to one doctor's never changes another's.
func TestSessionsByDoctor(t *testing.T) {
	got := sessionsByDoctor([]models.ClinicSession{
		{DoctorID: 7, Weekday: 2, Period: "PM"},
		{DoctorID: 3, Weekday: 2, Period: "AM"},
		{DoctorID: 7, Day: "2026-12-01", Period: "AM"},
		{DoctorID: 3, Weekday: 2, Period: "PM"},
		{DoctorID: 9, Weekday: 2, Period: "AM"},
	})
	want := map[uint][]ranking.Session{
		3: {{Weekday: 2, Period: "AM"}, {Weekday: 2, Period: "PM"}},
		7: {{Weekday: 2, Period: "PM"}, {Day: "2026-12-01", Period: "AM"}},
		9: {{Weekday: 2, Period: "AM"}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("grouped %v, want %v", got, want)
	}
	_ = append(got[3], ranking.Session{Period: "XX"})
	if got[7][0].Period != "PM" {
		t.Fatalf("an append to one doctor's sessions wrote into the next: %v", got[7])
	}
	if len(sessionsByDoctor(nil)) != 0 {
		t.Fatal("no sessions gave a doctor")
	}
}
