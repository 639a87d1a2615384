package models

// Hooks for the external tests of this package (package models_test).

import (
	"context"
	"fmt"
	"io/fs"
	"strings"
	"sync"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/logger"
)

// MigrationFiles is the embedded migration tree (migrations/*.sql).
func MigrationFiles() fs.FS { return migrationFiles }

// SplitStatements splits a migration script into statements.
func SplitStatements(script string) []string { return splitStatements(script) }

// MySQLLockName is the GET_LOCK name Migrate takes on database.
func MySQLLockName(database string) string { return mysqlLockName(database) }

// allModels is every entity the migrations must create. A new entity goes
// here and into a new migration; TestMigratedSchemaEqualsModels fails until
// the two agree.
func allModels() []any {
	return []any{
		&User{}, &Hospital{}, &Doctor{}, &Assignment{}, &ClinicSession{}, &ClinicCancellation{},
		&Product{}, &DoctorProduct{}, &Signal{}, &FlowRecord{}, &Recommendation{}, &MustVisit{},
		&DailyPlan{}, &Visit{}, &VisitFeedback{}, &Alert{}, &TierChange{},
		&OutboxMessage{}, &CardTask{}, &InboundDelivery{}, &RawEvent{}, &JobRun{}, &AuditLog{},
		&Consent{}, &Setting{}, &ConsoleMessage{},
		&CheckIn{}, &ImportUpload{}, &ImportUploadPart{}, &HeatNote{}, &LastListing{},
	}
}

// AutoMigrateModels runs GORM's AutoMigrate of every model on s, with the
// options migration 0001 was generated with, and returns the statements
// that changed the schema (the draft of a migration).
func AutoMigrateModels(ctx context.Context, s *Store) ([]string, error) {
	rec := &ddlRecorder{}
	db := s.db.WithContext(ctx).Session(&gorm.Session{Logger: rec})
	if s.driver == "mysql" {
		db = db.Set("gorm:table_options", "ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci").Session(&gorm.Session{})
	}
	if err := db.AutoMigrate(allModels()...); err != nil {
		return nil, fmt.Errorf("automigrate: %w", err)
	}
	return rec.statements(), nil
}

// ddlRecorder is a GORM logger keeping the statements that write.
type ddlRecorder struct {
	mu    sync.Mutex
	stmts []string
}

func (r *ddlRecorder) LogMode(logger.LogLevel) logger.Interface { return r }
func (r *ddlRecorder) Info(context.Context, string, ...any)     {}
func (r *ddlRecorder) Warn(context.Context, string, ...any)     {}
func (r *ddlRecorder) Error(context.Context, string, ...any)    {}

func (r *ddlRecorder) Trace(_ context.Context, _ time.Time, fc func() (string, int64), err error) {
	stmt, _ := fc()
	words := strings.Fields(stmt)
	if len(words) == 0 {
		return
	}
	switch strings.ToUpper(words[0]) {
	case "SELECT", "SHOW":
		return
	case "PRAGMA":
		if !strings.Contains(stmt, "=") {
			return
		}
	}
	if err == nil {
		r.mu.Lock()
		r.stmts = append(r.stmts, strings.TrimSpace(stmt))
		r.mu.Unlock()
	}
}

func (r *ddlRecorder) statements() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.stmts...)
}

// LastListedFromLists is LastListed read from the lists alone: the answer
// the last listings must give.
func (s *RankingStore) LastListedFromLists(ctx context.Context, repIDs []uint, from, to string) (map[uint]string, error) {
	return s.lastListedFromLists(ctx, repIDs, from, to)
}
