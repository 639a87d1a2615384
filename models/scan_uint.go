package models

import (
	"fmt"
	"strconv"
)

// uintCol scans an unsigned id column into *p. database/sql converts a
// driver's int64 into a *uint by formatting it and parsing it back (an
// allocation and a parse per value); the morning run's loaders scan about
// 100,000 ids, so their hot scans go through this Scanner instead.
type uintCol struct{ p *uint }

// Scan implements sql.Scanner for the drivers' integer forms: int64
// (SQLite, MySQL's signed columns), uint64 (MySQL's unsigned ones) and
// digits as text.
func (c uintCol) Scan(src any) error {
	switch v := src.(type) {
	case int64:
		if v < 0 {
			return fmt.Errorf("id column: negative value %d", v)
		}
		*c.p = uint(v)
	case uint64: // MySQL's unsigned columns
		*c.p = uint(v)
	case []byte:
		return c.parse(string(v))
	case string:
		return c.parse(v)
	default:
		return fmt.Errorf("id column: unsupported value %T", src)
	}
	return nil
}

// parse reads an id given as decimal digits.
func (c uintCol) parse(digits string) error {
	n, err := strconv.ParseUint(digits, 10, 64)
	if err != nil {
		return fmt.Errorf("id column: %w", err)
	}
	*c.p = uint(n)
	return nil
}
