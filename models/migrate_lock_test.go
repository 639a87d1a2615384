package models_test

import (
	"context"
	"database/sql"
	"os"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"testing"

	_ "github.com/glebarez/go-sqlite" // database/sql driver "sqlite" for a second session

	"visitbot/clock"
	"visitbot/models"
	"visitbot/models/modelstest"
)

// holdMigrationLock takes Migrate's lock on dsn from a session of its own and
// returns how to let it go and the name a timeout error must carry.
func holdMigrationLock(t *testing.T, driver, dsn string) (release func(), name string) {
	t.Helper()
	ctx := context.Background()
	db, err := sql.Open(driver, dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	conn, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var free func()
	switch driver {
	case "mysql":
		var database string
		if err := conn.QueryRowContext(ctx, "SELECT DATABASE()").Scan(&database); err != nil {
			t.Fatal(err)
		}
		name = models.MySQLLockName(database)
		var got int
		if err := conn.QueryRowContext(ctx, "SELECT GET_LOCK(?, 0)", name).Scan(&got); err != nil || got != 1 {
			t.Fatalf("take %s: %d, %v", name, got, err)
		}
		free = func() { conn.ExecContext(ctx, "DO RELEASE_LOCK(?)", name); conn.Close() }
	default:
		name = "BEGIN IMMEDIATE"
		if _, err := conn.ExecContext(ctx, "BEGIN IMMEDIATE"); err != nil {
			t.Fatal(err)
		}
		free = func() { conn.ExecContext(ctx, "ROLLBACK"); conn.Close() }
	}
	var once sync.Once
	t.Cleanup(func() { once.Do(free) })
	return func() { once.Do(free) }, name
}

// childEnv carries "driver dsn" to TestMigrateChildProcess.
const childEnv = "VISITBOT_TEST_MIGRATE_CHILD"

// TestConcurrentMigrateProcesses: two processes and this one migrate one
// fresh database at once; all succeed and leave one history.
func TestConcurrentMigrateProcesses(t *testing.T) {
	if testing.Short() {
		t.Skip("starts processes")
	}
	for _, driver := range modelstest.Drivers() {
		t.Run(driver, func(t *testing.T) {
			dsn := modelstest.NewDSN(t, driver)
			var cmds []*exec.Cmd
			outs := make([]strings.Builder, 2)
			for i := range outs {
				cmd := exec.Command(os.Args[0], "-test.run=^TestMigrateChildProcess$", "-test.count=1", "-test.v")
				cmd.Env = append(os.Environ(), childEnv+"="+driver+" "+dsn)
				cmd.Stdout, cmd.Stderr = &outs[i], &outs[i]
				if err := cmd.Start(); err != nil {
					t.Fatal(err)
				}
				cmds = append(cmds, cmd)
			}
			s := openBare(t, driver, dsn)
			if err := s.Migrate(context.Background()); err != nil {
				t.Errorf("this process: %v", err)
			}
			for i, cmd := range cmds {
				err := cmd.Wait()
				if err != nil || !strings.Contains(outs[i].String(), "child migrated") {
					t.Errorf("process %d: %v\n%s", i+1, err, outs[i].String())
				}
			}
			if got := history(t, s); !slices.Equal(got, knownMigrations(t)) {
				t.Fatalf("history = %v, want %v", got, knownMigrations(t))
			}
		})
	}
}

// TestMigrateChildProcess is the body of TestConcurrentMigrateProcesses'
// processes; it does nothing in a normal run.
func TestMigrateChildProcess(t *testing.T) {
	spec := os.Getenv(childEnv)
	if spec == "" {
		t.Skip("runs as a child of TestConcurrentMigrateProcesses")
	}
	driver, dsn, _ := strings.Cut(spec, " ")
	s, err := models.Open(models.Options{Driver: driver, DSN: dsn, Clock: clock.System{}})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Log("child migrated")
}
