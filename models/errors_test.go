package models

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/go-sql-driver/mysql"
)

func TestRetryLockConflicts(t *testing.T) {
	deadlock := fmt.Errorf("claim: %w", &mysql.MySQLError{Number: 1213, Message: "Deadlock found"})
	cases := []struct {
		name      string
		errs      []error
		wantCalls int
		wantErr   bool
	}{
		{"succeeds at once", []error{nil}, 1, false},
		{"deadlock twice then succeeds", []error{deadlock, &mysql.MySQLError{Number: 1205}, nil}, 3, false},
		{"other errors are not retried", []error{errors.New("syntax"), nil}, 1, true},
		{"gives up after txAttempts", []error{deadlock, deadlock, deadlock, deadlock, nil}, txAttempts, true},
	}
	for _, c := range cases {
		calls := 0
		err := retryLockConflicts(context.Background(), func() error {
			calls++
			return c.errs[calls-1]
		})
		if calls != c.wantCalls || (err != nil) != c.wantErr {
			t.Errorf("%s: %d calls, err %v", c.name, calls, err)
		}
	}
}
