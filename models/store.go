package models

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/glebarez/sqlite"
	"gorm.io/driver/mysql"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"visitbot/clock"
)

// Store is the only door to the database. It is safe for concurrent use.
// Methods that take a context honour its deadline; Tx gives a Store bound to
// one transaction so a multi-row write is all-or-nothing.
type Store struct {
	db     *gorm.DB
	driver string
	clock  clock.Clock
	loc    *time.Location
	// inTx is set on the Store a transaction hands to its function.
	inTx bool
}

// Options configure Open.
type Options struct {
	Driver       string // sqlite | mysql
	DSN          string
	MaxOpenConns int
	Clock        clock.Clock
	Location     *time.Location // the business time zone (days are computed in it)
}

// Open connects to the database. For SQLite the DSN is a file path (its
// directory is created); WAL, a busy timeout and IMMEDIATE transactions make
// concurrent writers wait instead of failing. For MySQL the DSN is the
// go-sql-driver format; parseTime, UTC and utf8mb4 are enforced.
func Open(opts Options) (*Store, error) {
	if opts.Clock == nil {
		opts.Clock = clock.System{}
	}
	if opts.Location == nil {
		opts.Location = time.UTC
	}
	var dial gorm.Dialector
	switch opts.Driver {
	case "sqlite":
		path := opts.DSN
		if dir := filepath.Dir(path); dir != "." && !strings.HasPrefix(path, "file:") {
			if err := os.MkdirAll(dir, 0o755); err != nil {
				return nil, fmt.Errorf("create database directory: %w", err)
			}
		}
		dial = sqlite.Open(sqliteDSN(path))
	case "mysql":
		dial = mysql.Open(mysqlDSN(opts.DSN))
	default:
		return nil, fmt.Errorf("unknown database driver %q", opts.Driver)
	}
	db, err := gorm.Open(dial, &gorm.Config{
		Logger:                                   logger.Discard,
		TranslateError:                           true,
		NowFunc:                                  func() time.Time { return opts.Clock.Now().UTC() },
		DisableForeignKeyConstraintWhenMigrating: true,
	})
	if err != nil {
		return nil, fmt.Errorf("open %s database: %w", opts.Driver, err)
	}
	sqlDB, err := db.DB()
	if err != nil {
		return nil, fmt.Errorf("database handle: %w", err)
	}
	n := opts.MaxOpenConns
	if n <= 0 {
		n = 10
	}
	sqlDB.SetMaxOpenConns(n)
	sqlDB.SetMaxIdleConns(n)
	sqlDB.SetConnMaxLifetime(30 * time.Minute)
	return &Store{db: db, driver: opts.Driver, clock: opts.Clock, loc: opts.Location}, nil
}

func sqliteDSN(path string) string {
	sep := "?"
	if strings.Contains(path, "?") {
		sep = "&"
	}
	// No _time_format: glebarez/go-sqlite v1.21 stops reading parameters after
	// it, which would silently drop _txlock; its default format is the same.
	return path + sep + "_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)&_pragma=foreign_keys(0)&_txlock=immediate"
}

func mysqlDSN(dsn string) string {
	add := func(k, v string) {
		if !strings.Contains(dsn, k+"=") {
			if strings.Contains(dsn, "?") {
				dsn += "&" + k + "=" + v
			} else {
				dsn += "?" + k + "=" + v
			}
		}
	}
	add("parseTime", "true")
	add("loc", "UTC")
	add("charset", "utf8mb4")
	return dsn
}

// Close releases the connection pool.
func (s *Store) Close() error {
	sqlDB, err := s.db.DB()
	if err != nil {
		return err
	}
	return sqlDB.Close()
}

// Driver is "sqlite" or "mysql"; claims differ (SKIP LOCKED on MySQL).
func (s *Store) Driver() string { return s.driver }

// Clock is the store's injected clock.
func (s *Store) Clock() clock.Clock { return s.clock }

// Location is the business time zone.
func (s *Store) Location() *time.Location { return s.loc }

// Today is the current calendar day in the business time zone.
func (s *Store) Today() string { return clock.Day(s.clock.Now(), s.loc) }

// DB exposes the GORM handle bound to ctx for queries in this package's
// sibling files and for tests; other packages use Store methods.
func (s *Store) DB(ctx context.Context) *gorm.DB { return s.db.WithContext(ctx) }

// Ping checks the database answers (for /readyz).
func (s *Store) Ping(ctx context.Context) error {
	sqlDB, err := s.db.DB()
	if err != nil {
		return err
	}
	return sqlDB.PingContext(ctx)
}

// Tx runs fn inside one transaction; fn's error (or a panic) rolls it back.
// Nested calls reuse the outer transaction.
//
// A transaction that MySQL aborts as a deadlock victim (or after a lock wait
// timeout) is run again from the start, up to txAttempts times: InnoDB rolls
// it back whole, so fn must only touch the database (it does everywhere).
// Nested calls are never retried on their own.
func (s *Store) Tx(ctx context.Context, fn func(tx *Store) error) error {
	run := func() error {
		return s.db.WithContext(ctx).Transaction(func(gtx *gorm.DB) error {
			return fn(&Store{db: gtx, driver: s.driver, clock: s.clock, loc: s.loc, inTx: true})
		})
	}
	if s.inTx {
		return run()
	}
	return retryLockConflicts(ctx, run)
}

// create inserts a row, mapping unique violations to ErrConflict.
func (s *Store) create(ctx context.Context, v any) error {
	return translate(s.db.WithContext(ctx).Create(v).Error)
}

// first loads one row, mapping "no row" to ErrNotFound.
func first[T any](ctx context.Context, db *gorm.DB, query string, args ...any) (*T, error) {
	var v T
	err := db.WithContext(ctx).Where(query, args...).Take(&v).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	return &v, nil
}
