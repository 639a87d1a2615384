package models_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"visitbot/clock"
	"visitbot/models"
	"visitbot/models/modelstest"
)

// DraftEnv names the migration TestWriteMigrationDraft writes, e.g. 0002_add_visit_notes.
const draftEnv = "VISITBOT_MIGRATION_DRAFT"

// TestWriteMigrationDraft writes migrations/$VISITBOT_MIGRATION_DRAFT.{sqlite,mysql}.sql:
// the DDL GORM's AutoMigrate runs to bring a database migrated to the current
// version up to the models. It is a draft to review, never run by itself.
func TestWriteMigrationDraft(t *testing.T) {
	id := os.Getenv(draftEnv)
	if id == "" {
		t.Skipf("set %s=NNNN_name (and %s) to draft a migration from the models", draftEnv, modelstest.MySQLEnv)
	}
	if !regexp.MustCompile(`^[0-9]{4}_[a-z0-9_]+$`).MatchString(id) {
		t.Fatalf("%s=%q: want NNNN_name in lower case", draftEnv, id)
	}
	if os.Getenv(modelstest.MySQLEnv) == "" {
		t.Fatalf("a migration needs both dialects: set %s too", modelstest.MySQLEnv)
	}
	for _, driver := range modelstest.Drivers() {
		path := filepath.Join("migrations", id+"."+driver+".sql")
		if _, err := os.Stat(path); !errors.Is(err, fs.ErrNotExist) {
			t.Fatalf("%s exists; pick another name", path)
		}
		s, _ := modelstest.Open(t, driver, clock.System{})
		stmts, err := models.AutoMigrateModels(context.Background(), s)
		if err != nil {
			t.Fatal(err)
		}
		if len(stmts) == 0 {
			t.Fatalf("%s: the migrations already match the models; nothing to draft", driver)
		}
		body := formatDraft(id, driver, stmts)
		if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256([]byte(body))
		t.Logf("wrote %s; once reviewed, freeze it in frozenMigrations:\n\t%q: %q,", path, id+"."+driver+".sql", hex.EncodeToString(sum[:]))
	}
}

// formatDraft lays statements out one per paragraph, a CREATE TABLE one
// column or index per line, indexes sorted by name (GORM emits them in map
// order), so the frozen file reads well and diffs cleanly.
func formatDraft(id, dialect string, stmts []string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "-- %s (%s): drafted from GORM AutoMigrate of the models, reviewed, then frozen.\n", id, dialect)
	b.WriteString("-- Never edit after commit: add a new migration instead (see models/migrate.go).\n")
	out := append([]string(nil), stmts...)
	// Sort each run of consecutive CREATE INDEX statements by index name.
	for i := 0; i < len(out); {
		j := i
		for j < len(out) && isCreateIndex(out[j]) {
			j++
		}
		if j > i {
			run := out[i:j]
			sort.Slice(run, func(a, b int) bool { return indexName(run[a]) < indexName(run[b]) })
			i = j
		} else {
			i++
		}
	}
	for _, stmt := range out {
		if !isCreateIndex(stmt) {
			b.WriteString("\n") // a paragraph per table: the table, then its indexes
		}
		if dialect == "mysql" {
			// MySQL DDL commits as it goes: a re-run after a crash mid-file
			// must pass over the tables already made.
			stmt = strings.Replace(stmt, "CREATE TABLE `", "CREATE TABLE IF NOT EXISTS `", 1)
		}
		b.WriteString(prettyCreateTable(stmt))
		b.WriteString(";\n")
	}
	return b.String()
}

func isCreateIndex(stmt string) bool {
	u := strings.ToUpper(stmt)
	return strings.HasPrefix(u, "CREATE INDEX") || strings.HasPrefix(u, "CREATE UNIQUE INDEX")
}

// prettyCreateTable breaks a one-line CREATE TABLE at its top-level commas;
// other statements come back as they are.
func prettyCreateTable(stmt string) string {
	if !strings.HasPrefix(strings.ToUpper(stmt), "CREATE TABLE") {
		return stmt
	}
	open := strings.Index(stmt, "(")
	if open < 0 {
		return stmt
	}
	depth, closeAt := 0, -1
	var items []string
	start := open + 1
	for i := open; i < len(stmt) && closeAt < 0; i++ {
		switch stmt[i] {
		case '(':
			depth++
		case ')':
			depth--
			if depth == 0 {
				items = append(items, strings.TrimSpace(stmt[start:i]))
				closeAt = i
			}
		case ',':
			if depth == 1 {
				items = append(items, strings.TrimSpace(stmt[start:i]))
				start = i + 1
			}
		case '\'', '`', '"':
			if end := strings.IndexByte(stmt[i+1:], stmt[i]); end >= 0 {
				i += end + 1
			}
		}
	}
	if closeAt < 0 {
		return stmt
	}
	var cols, idx []string
	for _, it := range items {
		u := strings.ToUpper(it)
		if strings.HasPrefix(u, "INDEX ") || strings.HasPrefix(u, "UNIQUE INDEX ") {
			idx = append(idx, it)
		} else {
			cols = append(cols, it)
		}
	}
	sort.Slice(idx, func(a, b int) bool { return indexName(idx[a]) < indexName(idx[b]) })
	all := append(cols, idx...)
	head := strings.TrimSpace(stmt[:open])
	tail := strings.TrimSpace(stmt[closeAt+1:])
	s := head + " (\n  " + strings.Join(all, ",\n  ") + "\n)"
	if tail != "" {
		s += " " + tail
	}
	return s
}

// indexName is what follows the name in "[UNIQUE] INDEX `name` …", from the
// name on.
func indexName(item string) string {
	_, rest, _ := strings.Cut(item, "INDEX ")
	return rest
}
