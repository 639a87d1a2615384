package models

import (
	"context"
	"fmt"

	"github.com/go-gormigrate/gormigrate/v2"
	"gorm.io/gorm"
)

// allModels is every entity of schema version 1. A later version appends a
// new migration below instead of editing an applied one.
func allModels() []any {
	return []any{
		&User{}, &Hospital{}, &Doctor{}, &Assignment{}, &ClinicSession{}, &ClinicCancellation{},
		&Product{}, &DoctorProduct{}, &Signal{}, &FlowRecord{}, &Recommendation{}, &MustVisit{},
		&DailyPlan{}, &Visit{}, &VisitFeedback{}, &Alert{}, &TierChange{},
		&OutboxMessage{}, &CardTask{}, &InboundDelivery{}, &RawEvent{}, &JobRun{}, &AuditLog{},
		&Consent{}, &Setting{}, &ConsoleMessage{},
		&CheckIn{},
	}
}

// migrations is the ordered, append-only schema history. IDs are applied once
// and recorded in the schema_migrations table.
func migrations() []*gormigrate.Migration {
	return []*gormigrate.Migration{
		{
			ID:      "0001_initial",
			Migrate: func(tx *gorm.DB) error { return tx.AutoMigrate(allModels()...) },
		},
	}
}

// Migrate brings the schema up to date; running it again changes nothing.
func (h *Handle) Migrate(ctx context.Context) error {
	db := h.db.WithContext(ctx)
	if h.driver == "mysql" {
		db = db.Set("gorm:table_options", "ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci").Session(&gorm.Session{})
	}
	m := gormigrate.New(db, &gormigrate.Options{
		TableName:                 "schema_migrations",
		IDColumnName:              "id",
		IDColumnSize:              64,
		UseTransaction:            false,
		ValidateUnknownMigrations: true,
	}, migrations())
	if err := m.Migrate(); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	return nil
}

// SchemaVersion is the newest applied migration id ("" before the first).
func (h *Handle) SchemaVersion(ctx context.Context) (string, error) {
	var id string
	err := h.db.WithContext(ctx).Raw("SELECT id FROM schema_migrations ORDER BY id DESC LIMIT 1").Scan(&id).Error
	return id, err
}
