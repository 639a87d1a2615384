package models

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"database/sql/driver"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	sqlite "github.com/glebarez/go-sqlite"
)

// mysqlMigrationTable creates the history table; a table gormigrate made
// (the same columns) is kept as it is.
const mysqlMigrationTable = "CREATE TABLE IF NOT EXISTS `" + migrationTable + "` (`id` varchar(64) NOT NULL, PRIMARY KEY (`id`))" +
	" ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci"

// sqliteMigrationTable creates the history table; a table gormigrate made
// (the same columns) is kept as it is.
const sqliteMigrationTable = "CREATE TABLE IF NOT EXISTS `" + migrationTable + "` (`id` text NOT NULL, PRIMARY KEY (`id`))"

// migrateMySQL applies ms holding GET_LOCK on conn, the one session every
// statement runs on. MySQL DDL is not transactional: each migration is
// recorded after its last statement succeeds.
func migrateMySQL(ctx context.Context, conn *sql.Conn, ms []migration, wait time.Duration) error {
	var database sql.NullString
	if err := conn.QueryRowContext(ctx, "SELECT DATABASE()").Scan(&database); err != nil {
		return fmt.Errorf("current database: %w", err)
	}
	lock := mysqlLockName(database.String)
	var got sql.NullInt64
	seconds := int64(wait / time.Second) // whole seconds: GET_LOCK answers before ctx expires
	if err := conn.QueryRowContext(ctx, "SELECT GET_LOCK(?, ?)", lock, seconds).Scan(&got); err != nil {
		if ctx.Err() != nil {
			return fmt.Errorf("%w: MySQL lock %q (GET_LOCK): %w", ErrMigrationLockTimeout, lock, err)
		}
		return fmt.Errorf("take MySQL lock %q (GET_LOCK): %w", lock, err)
	}
	if !got.Valid || got.Int64 != 1 {
		return fmt.Errorf("%w: waited %s for MySQL lock %q (GET_LOCK)%s", ErrMigrationLockTimeout, wait.Round(time.Second), lock, mysqlLockHolder(ctx, conn, lock))
	}
	defer func() {
		var released sql.NullInt64
		rerr := conn.QueryRowContext(context.WithoutCancel(ctx), "SELECT RELEASE_LOCK(?)", lock).Scan(&released)
		if rerr != nil || released.Int64 != 1 {
			discardConn(conn) // the session ends, and the server drops its lock
		}
	}()
	return applyPending(ctx, conn, ms, mysqlMigrationTable)
}

// mysqlLockName is the GET_LOCK name for database: user locks are
// server-wide, so the name carries the database and two databases on one
// server migrate independently. Names longer than MySQL's 64 characters
// end in a hash of the database name instead.
func mysqlLockName(database string) string {
	if database == "" {
		return migrateLockName
	}
	name := migrateLockName + ":" + database
	if len(name) > 64 {
		sum := sha256.Sum256([]byte(database))
		name = migrateLockName + ":" + hex.EncodeToString(sum[:16])
	}
	return name
}

// mysqlLockHolder names the session holding lock, best effort.
func mysqlLockHolder(ctx context.Context, conn *sql.Conn, lock string) string {
	var id sql.NullInt64
	if err := conn.QueryRowContext(ctx, "SELECT IS_USED_LOCK(?)", lock).Scan(&id); err != nil || !id.Valid {
		return ""
	}
	return fmt.Sprintf(", held by connection %d", id.Int64)
}

// migrateSQLite applies ms inside one BEGIN IMMEDIATE transaction on conn:
// it takes the database's write lock, so a second migrator waits (up to
// wait, through busy_timeout) and then finds the work done. SQLite DDL is
// transactional, so a failed batch leaves no trace. BEGIN IMMEDIATE is
// spelled out rather than left to the DSN's _txlock, which the driver drops
// when a parameter it stops at comes first.
func migrateSQLite(ctx context.Context, conn *sql.Conn, ms []migration, wait time.Duration) error {
	var busy int64
	if err := conn.QueryRowContext(ctx, "PRAGMA busy_timeout").Scan(&busy); err != nil {
		return fmt.Errorf("read busy_timeout: %w", err)
	}
	if _, err := conn.ExecContext(ctx, fmt.Sprintf("PRAGMA busy_timeout = %d", wait.Milliseconds())); err != nil {
		return fmt.Errorf("set busy_timeout: %w", err)
	}
	defer func() {
		if _, rerr := conn.ExecContext(context.WithoutCancel(ctx), fmt.Sprintf("PRAGMA busy_timeout = %d", busy)); rerr != nil {
			discardConn(conn)
		}
	}()
	if _, err := conn.ExecContext(ctx, "BEGIN IMMEDIATE"); err != nil {
		if sqliteBusy(err) || ctx.Err() != nil {
			return fmt.Errorf("%w: waited %s for the SQLite write lock (BEGIN IMMEDIATE): %w", ErrMigrationLockTimeout, wait.Round(time.Millisecond), err)
		}
		return fmt.Errorf("begin immediate: %w", err)
	}
	committed := false
	defer func() {
		if committed {
			return
		}
		if _, rerr := conn.ExecContext(context.WithoutCancel(ctx), "ROLLBACK"); rerr != nil {
			discardConn(conn)
		}
	}()
	if err := applyPending(ctx, conn, ms, sqliteMigrationTable); err != nil {
		return err
	}
	if _, err := conn.ExecContext(ctx, "COMMIT"); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	committed = true
	return nil
}

// sqliteBusy reports SQLITE_BUSY (the database is locked by another writer).
func sqliteBusy(err error) bool {
	var se *sqlite.Error
	return errors.As(err, &se) && se.Code()&0xff == 5
}

// discardConn makes database/sql close conn instead of returning it to the
// pool, for a session whose state (a lock, an open transaction) is unknown.
func discardConn(conn *sql.Conn) {
	_ = conn.Raw(func(any) error { return driver.ErrBadConn })
}
