package models_test

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"visitbot/clock"
	"visitbot/models"
	"visitbot/models/modelstest"
)

// openBare opens dsn without migrating it.
func openBare(t testing.TB, driver, dsn string) *models.Store {
	t.Helper()
	s, err := models.Open(models.Options{Driver: driver, DSN: dsn, MaxOpenConns: 4, Clock: clock.System{}, Location: modelstest.Shanghai})
	if err != nil {
		t.Fatalf("open %s: %v", driver, err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// knownMigrations is every migration id in the binary, in order.
func knownMigrations(t testing.TB) []string {
	t.Helper()
	names, err := fs.Glob(models.MigrationFiles(), "migrations/*.sqlite.sql")
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, n := range names {
		ids = append(ids, strings.TrimSuffix(strings.TrimPrefix(n, "migrations/"), ".sqlite.sql"))
	}
	slices.Sort(ids)
	return ids
}

// history is the applied migration ids, in order.
func history(t testing.TB, s *models.Store) []string {
	t.Helper()
	var ids []string
	if err := s.DB(context.Background()).Raw("SELECT id FROM schema_migrations ORDER BY id").Scan(&ids).Error; err != nil {
		t.Fatalf("read history: %v", err)
	}
	return ids
}

func inspect(t testing.TB, s *models.Store) []string {
	t.Helper()
	lines, err := models.InspectSchema(context.Background(), s)
	if err != nil {
		t.Fatal(err)
	}
	return lines
}

// schemaDiff lists the facts only one side has; "" when they agree.
func schemaDiff(aName string, a []string, bName string, b []string) string {
	var out strings.Builder
	for _, l := range a {
		if !slices.Contains(b, l) {
			fmt.Fprintf(&out, "  only in %s: %s\n", aName, l)
		}
	}
	for _, l := range b {
		if !slices.Contains(a, l) {
			fmt.Fprintf(&out, "  only in %s: %s\n", bName, l)
		}
	}
	return out.String()
}

// TestMigratedSchemaEqualsModels applies the migrations to one fresh database
// and AutoMigrate of the models to another: a model change without its
// migration (or a migration without its model change) fails with the diff.
func TestMigratedSchemaEqualsModels(t *testing.T) {
	modelstest.EachDriver(t, func(t *testing.T, driver string) {
		migrated, _ := modelstest.Open(t, driver, clock.System{})
		fromModels := openBare(t, driver, modelstest.NewDSN(t, driver))
		if _, err := models.AutoMigrateModels(context.Background(), fromModels); err != nil {
			t.Fatal(err)
		}
		want, got := inspect(t, fromModels), inspect(t, migrated)
		if len(want) == 0 {
			t.Fatal("the models produced an empty schema")
		}
		if d := schemaDiff("migrations", got, "models", want); d != "" {
			t.Fatalf("the migrated schema differs from the models; add a migration "+
				"(VISITBOT_MIGRATION_DRAFT=NNNN_name, see models/migrate.go):\n%s", d)
		}
	})
}

// TestSchemaDiffCatchesDrift shows the comparison sees a new column (type,
// nullability) and a new index (uniqueness, column order), so the test
// above can fail.
func TestSchemaDiffCatchesDrift(t *testing.T) {
	modelstest.EachDriver(t, func(t *testing.T, driver string) {
		s, _ := modelstest.Open(t, driver, clock.System{})
		before := inspect(t, s)
		db := s.DB(context.Background())
		for _, stmt := range []string{
			"ALTER TABLE products ADD COLUMN brand varchar(32)",
			"CREATE INDEX idx_products_name ON products (name, area)",
		} {
			if err := db.Exec(stmt).Error; err != nil {
				t.Fatal(err)
			}
		}
		d := schemaDiff("before", before, "after", inspect(t, s))
		// The index line carries uniqueness between the name and the columns.
		for _, want := range []string{"only in after: products.brand varchar(32) NULL", "index idx_products_name (name, area)"} {
			if !strings.Contains(d, want) {
				t.Errorf("diff misses %q:\n%s", want, d)
			}
		}
	})
}

// TestMigrateTwiceIsNoOp: a second Migrate changes neither the schema nor
// the history.
func TestMigrateTwiceIsNoOp(t *testing.T) {
	modelstest.EachDriver(t, func(t *testing.T, driver string) {
		s, _ := modelstest.Open(t, driver, clock.System{})
		schema, hist := inspect(t, s), history(t, s)
		if !slices.Equal(hist, knownMigrations(t)) {
			t.Fatalf("history = %v, want %v", hist, knownMigrations(t))
		}
		if err := s.Migrate(context.Background()); err != nil {
			t.Fatalf("second migrate: %v", err)
		}
		if d := schemaDiff("first", schema, "second", inspect(t, s)); d != "" {
			t.Fatalf("second migrate changed the schema:\n%s", d)
		}
		if got := history(t, s); !slices.Equal(got, hist) {
			t.Fatalf("history after second migrate = %v, want %v", got, hist)
		}
	})
}

// TestMigrateAcceptsGormigrateHistory: a database made by the former
// gormigrate 0001 (the version-1 schema, then its schema_migrations table
// recording 0001_initial) is at version 1: Migrate applies only the later
// migrations and ends with the schema of a freshly migrated database.
func TestMigrateAcceptsGormigrateHistory(t *testing.T) {
	gormigrateTable := map[string]string{
		"sqlite": "CREATE TABLE `schema_migrations` (`id` text,PRIMARY KEY (`id`))",
		"mysql":  "CREATE TABLE `schema_migrations` (`id` varchar(64),PRIMARY KEY (`id`))ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci",
	}
	modelstest.EachDriver(t, func(t *testing.T, driver string) {
		ctx := context.Background()
		s := openBare(t, driver, modelstest.NewDSN(t, driver))
		v1, err := fs.ReadFile(models.MigrationFiles(), "migrations/0001_initial."+driver+".sql")
		if err != nil {
			t.Fatal(err)
		}
		stmts := append(models.SplitStatements(string(v1)), gormigrateTable[driver], "INSERT INTO schema_migrations (id) VALUES ('0001_initial')")
		for _, stmt := range stmts {
			if err := s.DB(ctx).Exec(stmt).Error; err != nil {
				t.Fatal(err)
			}
		}
		if err := s.Migrate(ctx); err != nil {
			t.Fatalf("migrate a gormigrate database: %v", err)
		}
		fresh, _ := modelstest.Open(t, driver, clock.System{})
		if d := schemaDiff("from version 1", inspect(t, s), "fresh", inspect(t, fresh)); d != "" {
			t.Fatalf("migrating a version-1 database did not reach the current schema:\n%s", d)
		}
		if v, err := s.SchemaVersion(ctx); err != nil || v != knownMigrations(t)[len(knownMigrations(t))-1] {
			t.Fatalf("schema version = %q, %v", v, err)
		}
	})
}

// TestMigrateRefusesUnknownMigration: a database migrated by a newer
// release is refused with ErrUnknownMigration naming the id.
func TestMigrateRefusesUnknownMigration(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, s *models.Store) {
		ctx := context.Background()
		if err := s.DB(ctx).Exec("INSERT INTO schema_migrations (id) VALUES ('9999_from_the_future')").Error; err != nil {
			t.Fatal(err)
		}
		err := s.Migrate(ctx)
		if !errors.Is(err, models.ErrUnknownMigration) || !strings.Contains(err.Error(), "9999_from_the_future") {
			t.Fatalf("migrate = %v, want ErrUnknownMigration naming 9999_from_the_future", err)
		}
	})
}

// TestConcurrentMigrate: replicas (stores with their own pools) migrating
// one fresh database at once all succeed and leave one history.
func TestConcurrentMigrate(t *testing.T) {
	const replicas = 4
	modelstest.EachDriver(t, func(t *testing.T, driver string) {
		dsn := modelstest.NewDSN(t, driver)
		stores := make([]*models.Store, replicas)
		for i := range stores {
			stores[i] = openBare(t, driver, dsn)
		}
		start := make(chan struct{})
		errs := make([]error, replicas)
		var wg sync.WaitGroup
		for i, s := range stores {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				errs[i] = s.Migrate(context.Background())
			}()
		}
		close(start)
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Errorf("replica %d: %v", i, err)
			}
		}
		if got := history(t, stores[0]); !slices.Equal(got, knownMigrations(t)) {
			t.Fatalf("history = %v, want %v", got, knownMigrations(t))
		}
	})
}

// TestMigrateLockTimeoutNamesTheLock: while another session holds the lock,
// Migrate gives up at its deadline with ErrMigrationLockTimeout naming the
// lock, and succeeds once the lock is free.
func TestMigrateLockTimeoutNamesTheLock(t *testing.T) {
	modelstest.EachDriver(t, func(t *testing.T, driver string) {
		s, dsn := modelstest.Open(t, driver, clock.System{})
		release, lockName := holdMigrationLock(t, driver, dsn)
		ctx, cancel := context.WithTimeout(context.Background(), 1500*time.Millisecond)
		defer cancel()
		err := s.Migrate(ctx)
		if !errors.Is(err, models.ErrMigrationLockTimeout) || !strings.Contains(err.Error(), lockName) {
			t.Fatalf("migrate under a held lock = %v, want ErrMigrationLockTimeout naming %q", err, lockName)
		}
		t.Log(err)
		release()
		if err := s.Migrate(context.Background()); err != nil {
			t.Fatalf("migrate after release: %v", err)
		}
	})
}
