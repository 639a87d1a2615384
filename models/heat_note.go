package models

import (
	"context"
	"fmt"

	"gorm.io/gorm"
)

// HeatNote is what the nightly scoring keeps of a doctor in clinic on Day
// for the morning runs of Day: the heat and tier it scored for the day, the
// explanation (Note, JSON of ranking.HeatNote), the two recent days the call
// targets and the cooldown read and the product match. The morning Top-N
// reads the day's notes in one range scan and ranks and explains by them
// without reading a doctor row or a signal (issue 18: the morning run reads
// only what ranking needs); a doctor without a note for the day (sessions
// imported after the night, a night not run) is scored from its signals.
//
// ix_note_morning holds every column but the explanation, so the morning
// read of the day's notes (NotesOn) scans the index alone instead of
// stepping through rows that carry the explanation's text.
type HeatNote struct {
	Day        string  `gorm:"primaryKey;size:10;index:ix_note_morning,priority:1"`
	DoctorID   uint    `gorm:"primaryKey;autoIncrement:false;index:ix_note_morning,priority:2"`
	HospitalID uint    `gorm:"not null;index:ix_note_morning,priority:3"`
	Tier       string  `gorm:"size:1;not null;default:'';index:ix_note_morning,priority:4"`
	Heat       float64 `gorm:"not null;default:0;index:ix_note_morning,priority:5"`
	Note       string  `gorm:"type:text;not null"`
	// LastVisit is the newest day of a visit-class signal in the contact
	// window before Day (twice the longest call target); LastPositive that
	// of any positive signal in the cooldown window ("" none).
	LastVisit    string `gorm:"size:10;not null;default:'';index:ix_note_morning,priority:6"`
	LastPositive string `gorm:"size:10;not null;default:'';index:ix_note_morning,priority:7"`
	// ProductMatch is the doctor's best DoctorProduct.Match when scored.
	ProductMatch float64 `gorm:"not null;default:0;index:ix_note_morning,priority:8"`
	// SurgeSince, SurgeRecent and SurgeP are the doctor's engagement surge
	// (ranking.Surge: first day, signals and tail probability of the recent
	// window; "", 0, 0 without a surge). The morning run lifts the day's
	// clearest surge among all candidates before it reads any explanation,
	// so the surge is kept beside the heat, not only in Note.
	SurgeSince  string  `gorm:"size:10;not null;default:'';index:ix_note_morning,priority:9"`
	SurgeRecent int     `gorm:"not null;default:0;index:ix_note_morning,priority:10"`
	SurgeP      float64 `gorm:"not null;default:0;index:ix_note_morning,priority:11"`
}

// heatNoteCols are the columns ReplaceHeatNotes writes.
var heatNoteCols = []string{"day", "doctor_id", "hospital_id", "tier", "heat", "note", "last_visit", "last_positive", "product_match", "surge_since", "surge_recent", "surge_p"}

// HeatNoteKeepDays is how many days of notes the nightly scoring keeps: the
// day's and two before, for the morning runs that start before a late night
// ends and for a rerun of yesterday.
const HeatNoteKeepDays = 3

// ReplaceHeatNotes makes rows the notes of day for the given doctors (nil:
// every doctor, the unsharded run): their earlier notes of day are deleted
// first, so a rerun of the night replaces instead of duplicating. Call it in
// the transaction that stores the doctors' heat. Rows get Day set.
func (s *RankingStore) ReplaceHeatNotes(ctx context.Context, day string, doctorIDs []uint, rows []HeatNote) error {
	err := chunked(doctorIDs, func(part []uint) error {
		return whereIn(s.db.WithContext(ctx).Where("day = ?", day), "doctor_id", part).Delete(&HeatNote{}).Error
	})
	if err != nil {
		return fmt.Errorf("clear heat notes of %s: %w", day, err)
	}
	err = insertRows(ctx, s.db, "heat_notes", heatNoteCols, len(rows), func(i int, dst []any) []any {
		r := rows[i]
		return append(dst, day, r.DoctorID, r.HospitalID, r.Tier, r.Heat, r.Note, r.LastVisit, r.LastPositive, r.ProductMatch, r.SurgeSince, r.SurgeRecent, r.SurgeP)
	})
	if err != nil {
		return fmt.Errorf("write heat notes of %s: %w", day, err)
	}
	return nil
}

// PruneHeatNotes deletes the notes of days before day.
func (s *RankingStore) PruneHeatNotes(ctx context.Context, before string) error {
	if err := s.db.WithContext(ctx).Where("day < ?", before).Delete(&HeatNote{}).Error; err != nil {
		return fmt.Errorf("prune heat notes before %s: %w", before, err)
	}
	return nil
}

// NotesOn reads day's notes of the doctors without the explanation: what
// every candidate of the morning run needs; only its picks need the
// explanation (HeatNotes).
func (s *RankingStore) NotesOn(ctx context.Context, day string, doctors DoctorSet) ([]HeatNote, error) {
	var out []HeatNote
	err := doctors.each(func(where func(*gorm.DB, string) *gorm.DB) error {
		rows, err := where(s.db.WithContext(ctx).Model(&HeatNote{}).Where("day = ?", day), "doctor_id").
			Select("doctor_id, hospital_id, tier, heat, last_visit, last_positive, product_match, surge_since, surge_recent, surge_p").Order("doctor_id").Rows()
		if err != nil {
			return err
		}
		defer rows.Close()
		n := HeatNote{Day: day}
		dst := []any{uintCol{&n.DoctorID}, uintCol{&n.HospitalID}, &n.Tier, &n.Heat, &n.LastVisit, &n.LastPositive, &n.ProductMatch, &n.SurgeSince, &n.SurgeRecent, &n.SurgeP} // reused by every row
		for rows.Next() {
			if err := rows.Scan(dst...); err != nil {
				return err
			}
			out = append(out, n)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("heat notes of %s: %w", day, err)
	}
	return out, nil
}

// HeatNotes reads day's explanations (the JSON) of the given doctors.
func (s *RankingStore) HeatNotes(ctx context.Context, day string, doctorIDs []uint) (map[uint]string, error) {
	out := make(map[uint]string, len(doctorIDs))
	if len(doctorIDs) == 0 {
		return out, nil
	}
	err := chunked(doctorIDs, func(part []uint) error {
		rows, err := s.db.WithContext(ctx).Model(&HeatNote{}).Where("day = ? AND doctor_id IN ?", day, part).
			Select("doctor_id, note").Rows()
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var id uint
			var note string
			if err := rows.Scan(uintCol{&id}, &note); err != nil {
				return err
			}
			out[id] = note
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("heat notes of %s: %w", day, err)
	}
	return out, nil
}
