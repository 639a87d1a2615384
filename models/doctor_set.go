package models

import "gorm.io/gorm"

// DoctorSet is the doctors a ranking load reads: every doctor, the doctors
// with given ids, or the doctors assigned to given reps plus a few more by
// id.
//
// The reps' form is for the morning push's shards. A shard of 500 reps
// covers about 7,500 doctors. As ids, those take 15 statements of 500 per
// load, and the database parses and range-optimises each one on its own. As
// "doctor_id IN (SELECT doctor_id FROM assignments WHERE rep_id IN …)" they
// take one statement. At 20,000 reps × 300,000 doctors on MariaDB the id
// lists cost about a third of the server's CPU per push (BENCHMARKS.md,
// "Eighth pass").
type DoctorSet struct {
	// ids are doctors by id: nil with reps nil is every doctor.
	ids []uint
	// reps, when not nil, selects the doctors assigned to these reps; ids
	// then adds doctors none of them is assigned to.
	reps []uint
}

// AllDoctors is every doctor of the store: no filter.
func AllDoctors() DoctorSet { return DoctorSet{} }

// DoctorsByID is the doctors with the given ids; nil is every doctor, an
// empty slice none.
func DoctorsByID(ids []uint) DoctorSet { return DoctorSet{ids: ids} }

// DoctorsOfReps is the doctors assigned to the reps (none for none) and the
// doctors in more, which the caller has checked none of the reps is
// assigned to (a manager's 指派 of an unassigned doctor), so that no doctor
// is read twice.
func DoctorsOfReps(repIDs, more []uint) DoctorSet {
	if repIDs == nil {
		repIDs = []uint{}
	}
	if more == nil {
		more = []uint{}
	}
	return DoctorSet{ids: more, reps: repIDs}
}

// All reports whether the set is every doctor.
func (d DoctorSet) All() bool { return d.ids == nil && d.reps == nil }

// each runs fn once per statement the set needs, with a function that adds
// the set's condition on the doctor id column col to a query: once for
// every doctor, once for the reps (their ids in one list: a push shard's
// few hundred), and once per inChunk ids; never for an empty set.
func (d DoctorSet) each(fn func(where func(q *gorm.DB, col string) *gorm.DB) error) error {
	if len(d.reps) > 0 {
		err := fn(func(q *gorm.DB, col string) *gorm.DB {
			return q.Where(col+" IN (SELECT doctor_id FROM assignments WHERE rep_id IN ?)", d.reps)
		})
		if err != nil {
			return err
		}
	}
	if d.reps != nil && len(d.ids) == 0 {
		return nil
	}
	return chunked(d.ids, func(part []uint) error {
		return fn(func(q *gorm.DB, col string) *gorm.DB { return whereIn(q, col, part) })
	})
}
