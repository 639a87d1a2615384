package models

import (
	"context"
	"fmt"
	"strconv"
	"strings"
)

// importChunk bounds the ids in one IN (...) lookup on every database and
// the rows in one multi-row INSERT on MySQL: 500 × the widest row (signals,
// 10 columns) stays far below its 65535 placeholders per statement, and big
// batches save round trips. The pure-Go SQLite driver binds parameters in
// time quadratic in their number per statement, so SQLite inserts in smaller
// batches (sqliteChunk: 100,000 signals import about 3× faster than with
// 500); a lookup binds one column, where 500 costs less than five queries.
const (
	importChunk = 500
	sqliteChunk = 100
)

// chunk is the batch size for this store's driver.
func (s *ImportStore) chunk() int {
	if s.db.driver == "sqlite" {
		return sqliteChunk
	}
	return importChunk
}

// UpsertCounts says what a bulk upsert did: rows inserted, rows whose stored
// values changed, and rows that already held exactly these values.
type UpsertCounts struct {
	Created   int `json:"created"`
	Updated   int `json:"updated"`
	Unchanged int `json:"unchanged"`
}

// Add sums o into c.
func (c *UpsertCounts) Add(o UpsertCounts) {
	c.Created += o.Created
	c.Updated += o.Updated
	c.Unchanged += o.Unchanged
}

// upsertSpec says how rows of T match stored rows. lookupCol selects a
// superset of the candidates by one indexed column (the unique key, or the
// first column of a composite one); key is the full natural key.
type upsertSpec[T any] struct {
	lookupCol string
	lookup    func(*T) any
	key       func(*T) string
	// same reports whether stored already holds in's values.
	same func(stored, in *T) bool
	// adopt copies the primary key (and creation time) of stored into in.
	adopt func(in, stored *T)
	// cols are the columns an update writes; empty = rows never change.
	cols []string
	// insert writes new rows instead of GORM's CreateInBatches (which reads
	// every primary key back); nil = CreateInBatches.
	insert func(ctx context.Context, rows []*T) error
}

// upsertRows inserts the rows that are new, updates the ones that differ and
// leaves the rest alone, so importing the same data twice writes nothing.
// Rows get their primary keys; the created ones are returned.
func upsertRows[T any](ctx context.Context, s *ImportStore, rows []*T, sp upsertSpec[T]) (UpsertCounts, []*T, error) {
	var counts UpsertCounts
	if len(rows) == 0 {
		return counts, nil, nil
	}
	db, chunk := s.db.WithContext(ctx), importChunk
	existing := make(map[string]*T, len(rows))
	seen := make(map[any]bool, len(rows))
	var vals []any
	flush := func() error {
		if len(vals) == 0 {
			return nil
		}
		var found []T
		if err := db.Where(sp.lookupCol+" IN ?", vals).Find(&found).Error; err != nil {
			return fmt.Errorf("look up existing rows: %w", err)
		}
		for i := range found {
			existing[NaturalKey(sp.key(&found[i]))] = &found[i]
		}
		vals = vals[:0]
		return nil
	}
	for _, r := range rows {
		v := sp.lookup(r)
		if s, ok := v.(string); ok {
			v = NaturalKey(s)
		}
		if seen[v] {
			continue
		}
		seen[v] = true
		vals = append(vals, sp.lookup(r))
		if len(vals) == chunk {
			if err := flush(); err != nil {
				return counts, nil, err
			}
		}
	}
	if err := flush(); err != nil {
		return counts, nil, err
	}
	var create []*T
	for _, r := range rows {
		stored, ok := existing[NaturalKey(sp.key(r))]
		switch {
		case !ok:
			create = append(create, r)
		case sp.same(stored, r):
			sp.adopt(r, stored)
			counts.Unchanged++
		default:
			sp.adopt(r, stored)
			if err := translate(db.Model(r).Select(sp.cols).Updates(r).Error); err != nil {
				return counts, nil, fmt.Errorf("update %s: %w", sp.key(r), err)
			}
			counts.Updated++
		}
	}
	if len(create) > 0 {
		var err error
		if sp.insert != nil {
			err = sp.insert(ctx, create)
		} else {
			err = db.CreateInBatches(create, s.chunk()).Error
		}
		if err := translate(err); err != nil {
			return counts, nil, fmt.Errorf("insert: %w", err)
		}
		counts.Created = len(create)
	}
	return counts, create, nil
}

// NaturalKey normalises an external id or composite key for matching: MySQL's
// utf8mb4_unicode_ci compares case-insensitively, so visitbot does too on
// every database.
func NaturalKey(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

func keyOf(parts ...any) string {
	var b strings.Builder
	for i, p := range parts {
		if i > 0 {
			b.WriteByte('|')
		}
		switch v := p.(type) {
		case string:
			b.WriteString(v)
		case uint:
			b.WriteString(strconv.FormatUint(uint64(v), 10))
		case int:
			b.WriteString(strconv.Itoa(v))
		default:
			fmt.Fprint(&b, v)
		}
	}
	return b.String()
}

// idsBy maps values of an indexed column to primary keys, looked up in chunks.
// Keys of the result are NaturalKey(value).
func (s *ImportStore) idsBy(ctx context.Context, model any, col string, values []string) (map[string]uint, error) {
	chunk := importChunk
	out := make(map[string]uint, len(values))
	uniq := make([]string, 0, len(values))
	seen := make(map[string]bool, len(values))
	for _, v := range values {
		if k := NaturalKey(v); k != "" && !seen[k] {
			seen[k] = true
			uniq = append(uniq, v)
		}
	}
	for start := 0; start < len(uniq); start += chunk {
		end := min(start+chunk, len(uniq))
		var found []struct {
			ID uint
			K  string
		}
		err := s.db.WithContext(ctx).Model(model).Select("id, "+col+" AS k").Where(col+" IN ?", uniq[start:end]).Scan(&found).Error
		if err != nil {
			return nil, fmt.Errorf("resolve %s: %w", col, err)
		}
		for _, f := range found {
			out[NaturalKey(f.K)] = f.ID
		}
	}
	return out, nil
}

// HospitalIDs maps hospital external ids to primary keys (missing ids are absent).
func (s *ImportStore) HospitalIDs(ctx context.Context, externalIDs []string) (map[string]uint, error) {
	return s.idsBy(ctx, &Hospital{}, "external_id", externalIDs)
}

// DoctorIDs maps doctor external ids to primary keys (missing ids are absent).
func (s *ImportStore) DoctorIDs(ctx context.Context, externalIDs []string) (map[string]uint, error) {
	return s.idsBy(ctx, &Doctor{}, "external_id", externalIDs)
}

// ProductIDs maps product codes to primary keys (missing codes are absent).
func (s *ImportStore) ProductIDs(ctx context.Context, codes []string) (map[string]uint, error) {
	return s.idsBy(ctx, &Product{}, "code", codes)
}

// UserIDs maps visitbot user ids ("rep01") to primary keys (missing ids are absent).
func (s *ImportStore) UserIDs(ctx context.Context, userIDs []string) (map[string]uint, error) {
	return s.idsBy(ctx, &User{}, "user_id", userIDs)
}

// UserRef is a stored user as an import reference sees it: every id a
// company's files may name the person by.
type UserRef struct {
	ID             uint
	UserID         string
	Name           string
	Role           Role
	EmployeeNo     string
	WeComUserID    string
	DingTalkUserID string
}

// UserRefs finds the users whose visitbot user id, employee number, WeCom id
// or DingTalk id is one of values, so a file may name a manager or rep by
// whichever id the company has; a value may match several users (the
// caller reports the ambiguity).
func (s *ImportStore) UserRefs(ctx context.Context, values []string) ([]UserRef, error) {
	uniq := make([]string, 0, len(values))
	seen := make(map[string]bool, len(values))
	for _, v := range values {
		if v = strings.TrimSpace(v); v != "" && !seen[v] {
			seen[v] = true
			uniq = append(uniq, v)
		}
	}
	byID := map[uint]UserRef{}
	var order []uint
	for start := 0; start < len(uniq); start += s.chunk() {
		part := uniq[start:min(start+s.chunk(), len(uniq))]
		var found []User
		err := s.db.WithContext(ctx).
			Select("id", "user_id", "name", "role", "employee_no", "wecom_user_id", "dingtalk_user_id").
			Where("user_id IN ? OR employee_no IN ? OR wecom_user_id IN ? OR dingtalk_user_id IN ?", part, part, part, part).
			Order("id").Find(&found).Error
		if err != nil {
			return nil, fmt.Errorf("user references: %w", err)
		}
		for _, u := range found {
			if _, dup := byID[u.ID]; dup {
				continue
			}
			byID[u.ID] = UserRef{ID: u.ID, UserID: u.UserID, Name: u.Name, Role: u.Role,
				EmployeeNo: deref(u.EmployeeNo), WeComUserID: deref(u.WeComUserID), DingTalkUserID: deref(u.DingTalkUserID)}
			order = append(order, u.ID)
		}
	}
	out := make([]UserRef, len(order))
	for i, id := range order {
		out[i] = byID[id]
	}
	return out, nil
}

func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

// UserRoles maps visitbot user ids to their roles (missing ids are absent).
func (s *ImportStore) UserRoles(ctx context.Context, userIDs []string) (map[string]Role, error) {
	out := map[string]Role{}
	for start := 0; start < len(userIDs); start += s.chunk() {
		end := min(start+s.chunk(), len(userIDs))
		var found []User
		if err := s.db.WithContext(ctx).Select("user_id", "role").Where("user_id IN ?", userIDs[start:end]).Find(&found).Error; err != nil {
			return nil, fmt.Errorf("user roles: %w", err)
		}
		for _, u := range found {
			out[NaturalKey(u.UserID)] = u.Role
		}
	}
	return out, nil
}

// SetUserManager points a user at their manager; the users import uses it for
// managers created by the same file.
func (s *ImportStore) SetUserManager(ctx context.Context, userID, managerID uint) error {
	return s.db.WithContext(ctx).Model(&User{}).Where("id = ?", userID).Update("manager_id", managerID).Error
}
