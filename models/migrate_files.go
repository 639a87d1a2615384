package models

import (
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"sort"
	"strings"
)

// migrationFiles holds the frozen schema history, one file per version and
// dialect: migrations/NNNN_name.sqlite.sql and migrations/NNNN_name.mysql.sql.
//
//go:embed migrations/*.sql
var migrationFiles embed.FS

// migrationFileName is NNNN_name.dialect.sql; the id is NNNN_name.
var migrationFileName = regexp.MustCompile(`^([0-9]{4})_[a-z0-9_]+$`)

// migrationDialects are the dialects every version must have a file for.
func migrationDialects() []string { return []string{"sqlite", "mysql"} }

// migration is one schema version in one dialect.
type migration struct {
	ID         string   // e.g. 0001_initial, recorded in schema_migrations
	File       string   // e.g. 0001_initial.mysql.sql, for error messages
	Statements []string // in order, without the trailing semicolons
}

// loadMigrations reads every migration of dialect from fsys (a tree holding
// migrations/), ordered by id. It fails when a version lacks a dialect, two
// versions share a number or a name is malformed, so a half-added migration
// cannot ship.
func loadMigrations(fsys fs.FS, dialect string) ([]migration, error) {
	entries, err := fs.ReadDir(fsys, "migrations")
	if err != nil {
		return nil, fmt.Errorf("read migrations: %w", err)
	}
	files := map[string]map[string]string{} // id -> dialect -> file name
	numbers := map[string]string{}          // NNNN -> id
	for _, e := range entries {
		name := e.Name()
		id, d, ok := splitMigrationName(name)
		if !ok {
			return nil, fmt.Errorf("migration file %q: want NNNN_name.{sqlite,mysql}.sql (lower case, at most 64 characters)", name)
		}
		num := id[:4]
		if other, dup := numbers[num]; dup && other != id {
			return nil, fmt.Errorf("migrations %q and %q share the number %s", other, id, num)
		}
		numbers[num] = id
		if files[id] == nil {
			files[id] = map[string]string{}
		}
		files[id][d] = name
	}
	ids := make([]string, 0, len(files))
	for id, byDialect := range files {
		for _, d := range migrationDialects() {
			if byDialect[d] == "" {
				return nil, fmt.Errorf("migration %s has no %s file (every version needs %s)", id, d, strings.Join(migrationDialects(), " and "))
			}
		}
		ids = append(ids, id)
	}
	if len(ids) == 0 {
		return nil, errors.New("no migration files")
	}
	sort.Strings(ids)
	out := make([]migration, 0, len(ids))
	for _, id := range ids {
		name := files[id][dialect]
		if name == "" {
			return nil, fmt.Errorf("no migrations for dialect %q", dialect)
		}
		body, err := fs.ReadFile(fsys, path.Join("migrations", name))
		if err != nil {
			return nil, fmt.Errorf("read migration %s: %w", name, err)
		}
		stmts := splitStatements(string(body))
		if len(stmts) == 0 {
			return nil, fmt.Errorf("migration %s has no statements", name)
		}
		out = append(out, migration{ID: id, File: name, Statements: stmts})
	}
	return out, nil
}

// splitMigrationName parses NNNN_name.dialect.sql.
func splitMigrationName(name string) (id, dialect string, ok bool) {
	base, found := strings.CutSuffix(name, ".sql")
	if !found {
		return "", "", false
	}
	dot := strings.LastIndex(base, ".")
	if dot < 0 {
		return "", "", false
	}
	id, dialect = base[:dot], base[dot+1:]
	known := false
	for _, d := range migrationDialects() {
		known = known || d == dialect
	}
	if !known || len(id) > 64 || !migrationFileName.MatchString(id) {
		return "", "", false
	}
	return id, dialect, true
}

// splitStatements cuts a SQL script at the semicolons that end statements. It
// drops -- and /* */ comments and keeps quoted text ('…', "…", `…`) whole,
// so a semicolon inside a string literal does not end a statement.
func splitStatements(script string) []string {
	var out []string
	var cur strings.Builder
	flush := func() {
		if s := strings.TrimSpace(cur.String()); s != "" {
			out = append(out, s)
		}
		cur.Reset()
	}
	for i := 0; i < len(script); i++ {
		c := script[i]
		switch {
		case c == '-' && strings.HasPrefix(script[i:], "--"):
			for i < len(script) && script[i] != '\n' {
				i++
			}
			cur.WriteByte('\n')
		case c == '/' && strings.HasPrefix(script[i:], "/*"):
			end := strings.Index(script[i+2:], "*/")
			if end < 0 {
				i = len(script)
			} else {
				i += 2 + end + 1
			}
			cur.WriteByte(' ')
		case c == '\'' || c == '"' || c == '`':
			j := i + 1
			for j < len(script) {
				if script[j] == '\\' && c != '`' {
					j += 2
					continue
				}
				if script[j] == c {
					break
				}
				j++
			}
			if j >= len(script) {
				j = len(script) - 1
			}
			cur.WriteString(script[i : j+1])
			i = j
		case c == ';':
			flush()
		default:
			cur.WriteByte(c)
		}
	}
	flush()
	return out
}
