package models

import "time"

// CheckIn is one location a rep shared to check in: evidence for the
// visits at the nearest hospital, and for plan vs actual (an off-plan
// check-in shows where the rep actually was). GPS is taken only here, with
// consent, never tracked.
type CheckIn struct {
	ID    uint   `gorm:"primaryKey"`
	RepID uint   `gorm:"not null;index:ix_checkin_rep_day,priority:1"`
	Day   string `gorm:"size:10;not null;index:ix_checkin_rep_day,priority:2"`
	At    time.Time
	Lat   float64
	Lng   float64
	// HospitalID is the hospital nearest to the location (planned ones first).
	HospitalID uint
	DistanceM  float64
	Verified   bool `gorm:"not null;default:false"`
	// OnPlan is true when the hospital is one of the day's planned hospitals.
	OnPlan   bool `gorm:"not null;default:false"`
	Reported bool `gorm:"not null;default:false"` // from a reported LOCATION event
}
