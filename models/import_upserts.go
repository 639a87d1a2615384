package models

import (
	"context"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"
)

// The Upsert* methods below are the write side of `visitbot import` and the
// ingest API: each matches rows by their natural key (external id, code, or
// the composite unique key), inserts new rows, updates changed ones and
// counts the rest as unchanged. Call them inside Store.Tx so a file or a
// request is all-or-nothing. References (HospitalID, DoctorID, …) must
// already be resolved.

// UpsertHospitals upserts hospitals by ExternalID.
func (s *ImportStore) UpsertHospitals(ctx context.Context, rows []*Hospital) (UpsertCounts, error) {
	c, _, err := upsertRows(ctx, s, rows, upsertSpec[Hospital]{
		lookupCol: "external_id",
		lookup:    func(h *Hospital) any { return h.ExternalID },
		key:       func(h *Hospital) string { return h.ExternalID },
		same: func(a, b *Hospital) bool {
			return a.Name == b.Name && a.Level == b.Level && a.City == b.City && a.Lat == b.Lat && a.Lng == b.Lng
		},
		adopt: func(in, st *Hospital) { in.ID, in.CreatedAt = st.ID, st.CreatedAt },
		cols:  []string{"name", "level", "city", "lat", "lng"},
	})
	return c, wrapUpsert("hospitals", err)
}

// UpsertDoctors upserts doctors by ExternalID. The dynamic Tier and Heat are
// computed by scoring and never overwritten by an import.
func (s *ImportStore) UpsertDoctors(ctx context.Context, rows []*Doctor) (UpsertCounts, error) {
	c, _, err := upsertRows(ctx, s, rows, upsertSpec[Doctor]{
		lookupCol: "external_id",
		lookup:    func(d *Doctor) any { return d.ExternalID },
		key:       func(d *Doctor) string { return d.ExternalID },
		same: func(a, b *Doctor) bool {
			return a.Name == b.Name && a.HospitalID == b.HospitalID && a.Department == b.Department &&
				a.Title == b.Title && a.IsKOL == b.IsKOL && a.Roles == b.Roles && a.LegacyTier == b.LegacyTier
		},
		adopt: func(in, st *Doctor) {
			in.ID, in.CreatedAt, in.Tier, in.Heat, in.HeatAt, in.HeatDay = st.ID, st.CreatedAt, st.Tier, st.Heat, st.HeatAt, st.HeatDay
		},
		cols: []string{"name", "hospital_id", "department", "title", "is_kol", "roles", "legacy_tier"},
	})
	return c, wrapUpsert("doctors", err)
}

// UpsertUsers upserts users by UserID. A platform id already used by another
// user is ErrConflict.
func (s *ImportStore) UpsertUsers(ctx context.Context, rows []*User) (UpsertCounts, error) {
	c, _, err := upsertRows(ctx, s, rows, upsertSpec[User]{
		lookupCol: "user_id",
		lookup:    func(u *User) any { return u.UserID },
		key:       func(u *User) string { return u.UserID },
		same: func(a, b *User) bool {
			return a.Name == b.Name && a.Role == b.Role && eqPtr(a.ManagerID, b.ManagerID) && a.Territory == b.Territory &&
				a.StartLat == b.StartLat && a.StartLng == b.StartLng && eqPtr(a.WeComUserID, b.WeComUserID) &&
				eqPtr(a.DingTalkUserID, b.DingTalkUserID) && eqPtr(a.EmployeeNo, b.EmployeeNo) && a.Phone == b.Phone && a.Active == b.Active
		},
		adopt: func(in, st *User) { in.ID, in.CreatedAt = st.ID, st.CreatedAt },
		cols: []string{"name", "role", "manager_id", "territory", "start_lat", "start_lng",
			"wecom_user_id", "dingtalk_user_id", "employee_no", "phone", "active"},
	})
	return c, wrapUpsert("users", err)
}

// UpsertAssignments links reps to doctors; an existing link is unchanged.
func (s *ImportStore) UpsertAssignments(ctx context.Context, rows []*Assignment) (UpsertCounts, error) {
	c, _, err := upsertRows(ctx, s, rows, upsertSpec[Assignment]{
		lookupCol: "rep_id",
		lookup:    func(a *Assignment) any { return a.RepID },
		key:       func(a *Assignment) string { return keyOf(a.RepID, a.DoctorID) },
		same:      func(_, _ *Assignment) bool { return true },
		adopt:     func(in, st *Assignment) { in.ID, in.CreatedAt = st.ID, st.CreatedAt },
	})
	return c, wrapUpsert("assignments", err)
}

// UpsertClinicSessions adds weekly or dated clinic sessions; an existing one is unchanged.
func (s *ImportStore) UpsertClinicSessions(ctx context.Context, rows []*ClinicSession) (UpsertCounts, error) {
	c, _, err := upsertRows(ctx, s, rows, upsertSpec[ClinicSession]{
		lookupCol: "doctor_id",
		lookup:    func(x *ClinicSession) any { return x.DoctorID },
		key:       func(x *ClinicSession) string { return keyOf(x.DoctorID, x.Weekday, x.Day, x.Period) },
		same:      func(_, _ *ClinicSession) bool { return true },
		adopt:     func(in, st *ClinicSession) { in.ID = st.ID },
	})
	return c, wrapUpsert("clinic sessions", err)
}

// UpsertClinicCancellations adds 停诊 days; the reason of an existing one is updated.
func (s *ImportStore) UpsertClinicCancellations(ctx context.Context, rows []*ClinicCancellation) (UpsertCounts, error) {
	c, _, err := upsertRows(ctx, s, rows, upsertSpec[ClinicCancellation]{
		lookupCol: "doctor_id",
		lookup:    func(x *ClinicCancellation) any { return x.DoctorID },
		key:       func(x *ClinicCancellation) string { return keyOf(x.DoctorID, x.Day, x.Period) },
		same:      func(a, b *ClinicCancellation) bool { return a.Reason == b.Reason },
		adopt:     func(in, st *ClinicCancellation) { in.ID = st.ID },
		cols:      []string{"reason"},
	})
	return c, wrapUpsert("clinic cancellations", err)
}

// UpsertProducts upserts products by Code.
func (s *ImportStore) UpsertProducts(ctx context.Context, rows []*Product) (UpsertCounts, error) {
	c, _, err := upsertRows(ctx, s, rows, upsertSpec[Product]{
		lookupCol: "code",
		lookup:    func(p *Product) any { return p.Code },
		key:       func(p *Product) string { return p.Code },
		same:      func(a, b *Product) bool { return a.Name == b.Name && a.Area == b.Area },
		adopt:     func(in, st *Product) { in.ID = st.ID },
		cols:      []string{"name", "area"},
	})
	return c, wrapUpsert("products", err)
}

// UpsertDoctorProducts upserts doctor × product match scores.
func (s *ImportStore) UpsertDoctorProducts(ctx context.Context, rows []*DoctorProduct) (UpsertCounts, error) {
	c, _, err := upsertRows(ctx, s, rows, upsertSpec[DoctorProduct]{
		lookupCol: "doctor_id",
		lookup:    func(x *DoctorProduct) any { return x.DoctorID },
		key:       func(x *DoctorProduct) string { return keyOf(x.DoctorID, x.ProductID) },
		same:      func(a, b *DoctorProduct) bool { return a.Match == b.Match },
		adopt:     func(in, st *DoctorProduct) { in.ID = st.ID },
		cols:      []string{"match"},
	})
	return c, wrapUpsert("doctor products", err)
}

// UpsertFlowRecords upserts monthly hospital × department × product flow data.
func (s *ImportStore) UpsertFlowRecords(ctx context.Context, rows []*FlowRecord) (UpsertCounts, error) {
	c, _, err := upsertRows(ctx, s, rows, upsertSpec[FlowRecord]{
		lookupCol: "hospital_id",
		lookup:    func(x *FlowRecord) any { return x.HospitalID },
		key:       func(x *FlowRecord) string { return keyOf(x.HospitalID, x.Department, x.ProductID, x.Month) },
		same:      func(a, b *FlowRecord) bool { return a.Quantity == b.Quantity },
		adopt:     func(in, st *FlowRecord) { in.ID = st.ID },
		cols:      []string{"quantity"},
	})
	return c, wrapUpsert("flow records", err)
}

// UpsertSignals upserts signals by ExternalID and returns the newly created
// ones, for the real-time alert detectors (with their OccurredAt, so old
// history can be told from news). Created rows are written with plain
// multi-row INSERTs and get no ID back: a 100,000-row history file is the
// import's largest, and reading every key back doubled its time. Compliance
// is checked by the caller (CheckSignalCompliance) before rows get here.
func (s *ImportStore) UpsertSignals(ctx context.Context, rows []*Signal) (UpsertCounts, []*Signal, error) {
	c, created, err := upsertRows(ctx, s, rows, upsertSpec[Signal]{
		lookupCol: "external_id",
		lookup:    func(x *Signal) any { return x.ExternalID },
		key:       func(x *Signal) string { return x.ExternalID },
		same: func(a, b *Signal) bool {
			return a.DoctorID == b.DoctorID && a.Class == b.Class && a.Kind == b.Kind && a.Value == b.Value &&
				a.OccurredAt.Equal(b.OccurredAt) && a.Source == b.Source && a.Detail == b.Detail
		},
		adopt:  func(in, st *Signal) { in.ID, in.CreatedAt = st.ID, st.CreatedAt },
		cols:   []string{"doctor_id", "class", "kind", "value", "occurred_at", "source", "detail"},
		insert: s.insertSignals,
	})
	return c, created, wrapUpsert("signals", err)
}

// signalInsertCols are the columns of a new signal row.
var signalInsertCols = []string{"external_id", "doctor_id", "class", "kind", "value", "occurred_at", "source", "detail", "created_at"}

// insertSignals writes new signals straight through the connection of the
// store (the transaction's, inside Tx), without GORM's reflection.
func (s *ImportStore) insertSignals(ctx context.Context, rows []*Signal) error {
	pool := s.db.WithContext(ctx).Statement.ConnPool
	now := s.db.clock.Now().UTC()
	if s.db.driver != "sqlite" {
		return s.insertSignalsBound(ctx, pool, rows, now, importChunk)
	}
	// A 64 MiB page cache for this connection: with SQLite's 2 MiB default
	// a large transaction spills and rewrites index pages over and over (a
	// fifth of the import's time for 100,000 signals).
	if _, err := pool.ExecContext(ctx, "PRAGMA cache_size = -65536"); err != nil {
		return err
	}
	return s.insertSignalsLiteral(ctx, pool, rows, now)
}

// insertSignalsBound writes new signals with bound parameters, per rows at a time.
func (s *ImportStore) insertSignalsBound(ctx context.Context, pool gorm.ConnPool, rows []*Signal, now time.Time, per int) error {
	return execInserts(ctx, pool, "signals", signalInsertCols, "", len(rows), per, func(i int, dst []any) []any {
		r := rows[i]
		r.CreatedAt = now
		return append(dst, r.ExternalID, r.DoctorID, r.Class, r.Kind, r.Value, r.OccurredAt.UTC(), r.Source, r.Detail, now)
	})
}

// insertSQL is "INSERT INTO t (a,b) VALUES (?,?),(?,?)…" for n rows;
// backticks quote names on SQLite and MySQL alike.
func insertSQL(table string, cols []string, n int) string {
	var b strings.Builder
	b.WriteString("INSERT INTO `" + table + "` (`" + strings.Join(cols, "`,`") + "`) VALUES ")
	row := "(" + strings.TrimSuffix(strings.Repeat("?,", len(cols)), ",") + ")"
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(row)
	}
	return b.String()
}

func wrapUpsert(what string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("upsert %s: %w", what, err)
}

func eqPtr[T comparable](a, b *T) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return *a == *b
}

// insertSignalsLiteral writes new signals on SQLite as INSERTs with the
// values spelled as SQL literals (execLiteralInserts), 200 rows a statement:
// at most about 240 KB of SQL, far below SQLite's 1 MB statement limit.
func (s *ImportStore) insertSignalsLiteral(ctx context.Context, pool gorm.ConnPool, rows []*Signal, now time.Time) error {
	return execLiteralInserts(ctx, pool, "signals", signalInsertCols, "", len(rows), 200, func(i int, dst []any) []any {
		r := rows[i]
		r.CreatedAt = now
		return append(dst, r.ExternalID, r.DoctorID, r.Class, r.Kind, r.Value, r.OccurredAt.UTC(), r.Source, r.Detail, now)
	})
}
