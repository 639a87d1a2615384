package models

import (
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
	return newStore(&Handle{db: db, driver: opts.Driver, clock: opts.Clock, loc: opts.Location}), nil
}

func sqliteDSN(path string) string {
	sep := "?"
	if strings.Contains(path, "?") {
		sep = "&"
	}
	// No _time_format: glebarez/go-sqlite v1.21 stops reading parameters after
	// it, which would silently drop _txlock; its default format is the same.
	return path + sep + "_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)&_pragma=foreign_keys(0)&_pragma=temp_store(2)&_txlock=immediate"
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
	// Client-side interpolation: one round trip per statement instead of
	// prepare, execute and close, and no server-side parsing of thousands of
	// placeholders (bulk seed, id-list loads). Safe with utf8mb4; a DSN
	// that sets interpolateParams=false keeps server-side statements.
	add("interpolateParams", "true")
	return dsn
}
