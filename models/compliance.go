package models

import (
	"errors"
	"strings"
)

// ErrDoctorLevelRx refuses doctor-level prescription counts: under China's
// rules for pharma reps, reps must not compile individual doctors'
// prescription counts. Prescription trends come from hospital × department ×
// product flow data (FlowRecord) instead.
var ErrDoctorLevelRx = errors.New("doctor-level prescription data is refused (compliance.allow_doctor_level_rx is false); send hospital × department × product flow data instead")

// CheckSignalCompliance reports whether a signal may be stored. A signal is
// always about one doctor, so any prescription-class signal (class rx_trend,
// or a kind that names prescriptions) is doctor-level prescription data.
func CheckSignalCompliance(class, kind string, allowDoctorLevelRx bool) error {
	if allowDoctorLevelRx {
		return nil
	}
	k := strings.ToLower(kind)
	if class == ClassRxTrend || strings.Contains(k, "rx") || strings.Contains(k, "prescription") || strings.Contains(kind, "处方") {
		return ErrDoctorLevelRx
	}
	return nil
}
