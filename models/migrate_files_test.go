package models

import (
	"slices"
	"strings"
	"testing"
	"testing/fstest"
)

func TestSplitStatements(t *testing.T) {
	script := "-- header; not a statement\n" +
		"CREATE TABLE `a;b` (x text DEFAULT 'it''s; fine', y text DEFAULT \"q;\");\n" +
		"/* block; comment */ CREATE INDEX i ON t (x);\n\n  ;\n" +
		"INSERT INTO t VALUES ('back\\'slash;')"
	got := splitStatements(script)
	want := []string{
		"CREATE TABLE `a;b` (x text DEFAULT 'it''s; fine', y text DEFAULT \"q;\")",
		"CREATE INDEX i ON t (x)",
		"INSERT INTO t VALUES ('back\\'slash;')",
	}
	if !slices.Equal(got, want) {
		t.Fatalf("splitStatements =\n%q\nwant\n%q", got, want)
	}
}

func TestLoadMigrations(t *testing.T) {
	file := func(s string) *fstest.MapFile { return &fstest.MapFile{Data: []byte(s)} }
	good := fstest.MapFS{
		"migrations/0002_more.sqlite.sql":    file("CREATE TABLE c (x int); CREATE TABLE d (x int);"),
		"migrations/0002_more.mysql.sql":     file("CREATE TABLE c (x int);"),
		"migrations/0001_initial.sqlite.sql": file("CREATE TABLE a (x int);"),
		"migrations/0001_initial.mysql.sql":  file("CREATE TABLE a (x int);"),
	}
	ms, err := loadMigrations(good, "sqlite")
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) != 2 || ms[0].ID != "0001_initial" || ms[1].ID != "0002_more" || len(ms[1].Statements) != 2 {
		t.Fatalf("loaded %+v", ms)
	}
	cases := map[string]struct {
		fs   fstest.MapFS
		want string
	}{
		"missing dialect": {fstest.MapFS{
			"migrations/0001_initial.sqlite.sql": file("CREATE TABLE a (x int);"),
		}, "no mysql file"},
		"shared number": {fstest.MapFS{
			"migrations/0001_a.sqlite.sql": file("SELECT 1;"), "migrations/0001_a.mysql.sql": file("SELECT 1;"),
			"migrations/0001_b.sqlite.sql": file("SELECT 1;"), "migrations/0001_b.mysql.sql": file("SELECT 1;"),
		}, "share the number 0001"},
		"bad name": {fstest.MapFS{
			"migrations/1_Initial.sqlite.sql": file("SELECT 1;"),
		}, "want NNNN_name"},
		"empty file": {fstest.MapFS{
			"migrations/0001_a.sqlite.sql": file("-- nothing\n"), "migrations/0001_a.mysql.sql": file("SELECT 1;"),
		}, "no statements"},
	}
	for name, c := range cases {
		if _, err := loadMigrations(c.fs, "sqlite"); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: err = %v, want %q", name, err, c.want)
		}
	}
}

func TestMySQLLockName(t *testing.T) {
	if got := mysqlLockName("visitbot"); got != "visitbot_migrate:visitbot" {
		t.Errorf("lock name = %q", got)
	}
	long := mysqlLockName(strings.Repeat("x", 64))
	if len(long) > 64 || !strings.HasPrefix(long, "visitbot_migrate:") || long == mysqlLockName(strings.Repeat("y", 64)) {
		t.Errorf("long lock name = %q", long)
	}
}
