package models

// Schema migrations
//
// The schema is the ordered list of frozen SQL files in migrations/, one per
// version and dialect (0001_initial.sqlite.sql, 0001_initial.mysql.sql, …).
// Migrate applies the ones not yet recorded in schema_migrations, in order,
// under a lock, so replicas starting at once migrate once. A file is never
// edited after it is committed (TestMigrationFilesAreFrozen holds their
// sums); the models and the files must describe the same schema
// (TestMigratedSchemaEqualsModels compares a migrated database with an
// AutoMigrate of the models and prints the difference).
//
// To change the schema:
//
//  1. Change the models.
//  2. Draft the migration from what AutoMigrate would do on a database at the
//     current version, on both dialects (the MySQL DSN is required):
//     VISITBOT_MIGRATION_DRAFT=0002_what VISITBOT_TEST_MYSQL_DSN=… \
//     go test ./models -run TestWriteMigrationDraft
//     This writes migrations/0002_what.{sqlite,mysql}.sql.
//  3. Review both drafts. MySQL DDL commits as it goes, so keep one change
//     per statement and prefer forms that survive a re-run after a crash;
//     SQLite runs the whole batch in one transaction (no BEGIN/COMMIT or
//     PRAGMA foreign_keys in the file). MySQL DDL must run on MySQL 5.7/8,
//     MariaDB ≥ 10.6 and TiDB.
//  4. Add the files' sums to frozenMigrations (the test prints them) and run
//     go test ./models/... with and without VISITBOT_TEST_MYSQL_DSN.

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

const (
	// migrationTable records applied ids; the name and its id column are
	// those gormigrate used, so databases it migrated keep their history.
	migrationTable = "schema_migrations"
	// migrateLockName is the MySQL GET_LOCK name taken while migrating,
	// suffixed with the database name (see mysqlLockName).
	migrateLockName = "visitbot_migrate"
	// migrateLockWait bounds the wait for another replica's migration
	// (a shorter context deadline wins).
	migrateLockWait = 5 * time.Minute
)

// ErrUnknownMigration is returned by Migrate when the database records a
// migration this binary does not have: a newer release migrated it, and an
// older one must not run against that schema.
var ErrUnknownMigration = errors.New("database has a migration this binary does not know")

// ErrMigrationLockTimeout is returned by Migrate when another process held
// the migration lock for longer than the wait allowed.
var ErrMigrationLockTimeout = errors.New("timed out waiting for the migration lock")

// Migrate brings the schema up to date under a lock (GET_LOCK on MySQL, an
// IMMEDIATE transaction on SQLite); running it again changes nothing. It
// fails with ErrUnknownMigration on a database a newer release migrated and
// with ErrMigrationLockTimeout when another migrator holds the lock too long.
func (h *Handle) Migrate(ctx context.Context) error {
	if h.InTx(ctx) {
		return errors.New("migrate: not allowed inside a transaction")
	}
	ms, err := loadMigrations(migrationFiles, h.driver)
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	sqlDB, err := h.db.DB()
	if err != nil {
		return fmt.Errorf("migrate: database handle: %w", err)
	}
	conn, err := sqlDB.Conn(ctx)
	if err != nil {
		return fmt.Errorf("migrate: connection: %w", err)
	}
	defer conn.Close()
	wait := lockWait(ctx)
	switch h.driver {
	case "mysql":
		err = migrateMySQL(ctx, conn, ms, wait)
	case "sqlite":
		err = migrateSQLite(ctx, conn, ms, wait)
	default:
		err = fmt.Errorf("unknown database driver %q", h.driver)
	}
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	return nil
}

// SchemaVersion is the newest applied migration id ("" before the first).
func (h *Handle) SchemaVersion(ctx context.Context) (string, error) {
	var id sql.NullString
	err := h.db.WithContext(ctx).Raw("SELECT MAX(id) FROM " + migrationTable).Scan(&id).Error
	if err != nil {
		return "", fmt.Errorf("schema version: %w", err)
	}
	return id.String, nil
}

// lockWait is how long Migrate waits for the lock: migrateLockWait or what
// is left of ctx's deadline.
func lockWait(ctx context.Context) time.Duration {
	wait := migrateLockWait
	if deadline, ok := ctx.Deadline(); ok {
		wait = min(wait, time.Until(deadline))
	}
	return max(wait, 0)
}

// applyPending runs, on conn (which holds the lock), the migrations not yet
// recorded, in order, recording each after its statements. It refuses a
// database that records an id ms does not contain.
func applyPending(ctx context.Context, conn *sql.Conn, ms []migration, createTable string) error {
	if _, err := conn.ExecContext(ctx, createTable); err != nil {
		return fmt.Errorf("create %s: %w", migrationTable, err)
	}
	applied, err := appliedMigrations(ctx, conn)
	if err != nil {
		return err
	}
	known := make(map[string]bool, len(ms))
	for _, m := range ms {
		known[m.ID] = true
	}
	for _, id := range applied {
		if !known[id] {
			return fmt.Errorf("%w: %q (this binary knows up to %q); run a release that has it", ErrUnknownMigration, id, ms[len(ms)-1].ID)
		}
	}
	done := make(map[string]bool, len(applied))
	for _, id := range applied {
		done[id] = true
	}
	for _, m := range ms {
		if done[m.ID] {
			continue
		}
		for i, stmt := range m.Statements {
			if _, err := conn.ExecContext(ctx, stmt); err != nil {
				return fmt.Errorf("%s, statement %d: %w", m.File, i+1, err)
			}
		}
		if _, err := conn.ExecContext(ctx, "INSERT INTO "+migrationTable+" (id) VALUES (?)", m.ID); err != nil {
			return fmt.Errorf("record %s: %w", m.ID, err)
		}
	}
	return nil
}

// appliedMigrations lists the ids recorded in schema_migrations.
func appliedMigrations(ctx context.Context, conn *sql.Conn) ([]string, error) {
	rows, err := conn.QueryContext(ctx, "SELECT id FROM "+migrationTable+" ORDER BY id")
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", migrationTable, err)
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("read %s: %w", migrationTable, err)
		}
		ids = append(ids, id)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read %s: %w", migrationTable, err)
	}
	return ids, nil
}
