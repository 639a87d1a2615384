// Package modelstest runs storage tests against every configured database:
// SQLite always, MySQL when VISITBOT_TEST_MYSQL_DSN is set. Each test gets a
// fresh, migrated schema so tests never see each other's rows.
package modelstest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	_ "github.com/go-sql-driver/mysql" // database/sql driver for creating scratch databases

	"visitbot/clock"
	"visitbot/models"
)

// MySQLEnv names the DSN of a MySQL database the tests may use to create
// scratch databases (the user needs CREATE/DROP DATABASE).
const MySQLEnv = "VISITBOT_TEST_MYSQL_DSN"

// Shanghai is the business time zone of the tests.
var Shanghai = mustLoad("Asia/Shanghai")

func mustLoad(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}

// Drivers lists the databases tests run on: "sqlite", plus "mysql" when configured.
func Drivers() []string {
	if os.Getenv(MySQLEnv) != "" {
		return []string{"sqlite", "mysql"}
	}
	return []string{"sqlite"}
}

// Each runs fn as a subtest per database, each with a fresh migrated store
// whose clock is a Fake set to 2026-12-01 09:00 Asia/Shanghai.
func Each(t *testing.T, fn func(t *testing.T, s *models.Store)) {
	t.Helper()
	EachDriver(t, func(t *testing.T, driver string) {
		s, _ := Open(t, driver, clock.NewFake(time.Date(2026, 12, 1, 9, 0, 0, 0, Shanghai)))
		fn(t, s)
	})
}

// EachDriver runs fn as a subtest per database driver, named after it.
func EachDriver(t *testing.T, fn func(t *testing.T, driver string)) {
	t.Helper()
	for _, driver := range Drivers() {
		t.Run(driver, func(t *testing.T) { fn(t, driver) })
	}
}

// Open returns a fresh migrated store on driver, closed and dropped at test
// end, and its DSN (so a second process or store can open the same database).
func Open(t testing.TB, driver string, clk clock.Clock) (*models.Store, string) {
	t.Helper()
	dsn := NewDSN(t, driver)
	s, err := models.Open(models.Options{Driver: driver, DSN: dsn, MaxOpenConns: 8, Clock: clk, Location: Shanghai})
	if err != nil {
		t.Fatalf("open %s: %v", driver, err)
	}
	t.Cleanup(func() { s.Close() })
	if err := s.Migrate(context.Background()); err != nil {
		t.Fatalf("migrate %s: %v", driver, err)
	}
	return s, dsn
}

// NewDSN creates an empty scratch database for driver and returns its DSN.
func NewDSN(t testing.TB, driver string) string {
	t.Helper()
	switch driver {
	case "sqlite":
		return filepath.Join(t.TempDir(), "visitbot.db")
	case "mysql":
		base := os.Getenv(MySQLEnv)
		if base == "" {
			t.Skipf("%s not set", MySQLEnv)
		}
		var b [4]byte
		_, _ = rand.Read(b[:])
		name := "vbt_" + hex.EncodeToString(b[:])
		admin, err := sql.Open("mysql", base)
		if err != nil {
			t.Fatalf("mysql: %v", err)
		}
		defer admin.Close()
		if _, err := admin.Exec("CREATE DATABASE `" + name + "` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"); err != nil {
			t.Fatalf("create scratch database: %v", err)
		}
		t.Cleanup(func() {
			db, err := sql.Open("mysql", base)
			if err == nil {
				_, _ = db.Exec("DROP DATABASE IF EXISTS `" + name + "`")
				db.Close()
			}
		})
		return replaceDBName(base, name)
	}
	t.Fatalf("unknown driver %q", driver)
	return ""
}

// replaceDBName swaps the database name in user:pass@tcp(host)/db?params.
func replaceDBName(dsn, name string) string {
	slash := strings.LastIndex(dsn, "/")
	if slash < 0 {
		return dsn + "/" + name
	}
	rest := dsn[slash+1:]
	params := ""
	if q := strings.Index(rest, "?"); q >= 0 {
		params = rest[q:]
	}
	return fmt.Sprintf("%s/%s%s", dsn[:slash], name, params)
}
