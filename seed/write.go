package seed

import (
	"context"
	"fmt"
	"strings"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"visitbot/models"
)

// placeholders bounds one INSERT's bound variables per driver. MySQL allows
// 65535; SQLite allows 32766, but the pure-Go driver matches each bound
// variable against every argument (quadratic in the statement's size), so
// short statements are much faster there.
var placeholders = map[string]int{"mysql": 30000, "sqlite": 800}

// maxBatchRows bounds the rows of one INSERT; bigger batches stop paying off.
const maxBatchRows = 2000

// signalChunkDoctors is how many doctors' signals are written per
// transaction (≈18 signals each), bounding memory at any scale.
const signalChunkDoctors = 1000

// upsert inserts rows in batches inside one transaction; a row whose unique
// key already exists is left as it is.
func upsert[T any](ctx context.Context, db *gorm.DB, what string, rows []T) error {
	maxPlaceholders := placeholders[db.Dialector.Name()]
	if maxPlaceholders == 0 {
		maxPlaceholders = 999 // SQLite's historic minimum: safe everywhere
	}
	if len(rows) == 0 {
		return nil
	}
	stmt := &gorm.Statement{DB: db}
	if err := stmt.Parse(&rows[0]); err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	batch := min(maxBatchRows, maxPlaceholders/len(stmt.Schema.DBNames))
	err := db.WithContext(ctx).Clauses(clause.OnConflict{DoNothing: true}).CreateInBatches(rows, batch).Error
	if err != nil {
		return fmt.Errorf("write %s: %w", what, err)
	}
	return nil
}

// idsBy maps the key column of table to ids for the given keys; a missing
// key is an error (a row with the same key but another unique value exists).
func idsBy(ctx context.Context, db *gorm.DB, table, column string, keys []string) (map[string]uint, error) {
	out := make(map[string]uint, len(keys))
	const chunk = 1000
	for i := 0; i < len(keys); i += chunk {
		var rows []struct {
			ID  uint
			Key string
		}
		err := db.WithContext(ctx).Table(table).Select("id, "+column+" AS `key`").
			Where(column+" IN ?", keys[i:min(i+chunk, len(keys))]).Scan(&rows).Error
		if err != nil {
			return nil, fmt.Errorf("read %s ids: %w", table, err)
		}
		for _, r := range rows {
			out[r.Key] = r.ID
		}
	}
	for _, k := range keys {
		if out[k] == 0 {
			return nil, fmt.Errorf("%s %q was not written (does another row hold one of its unique values?)", table, k)
		}
	}
	return out, nil
}

func (w *world) write(ctx context.Context, s *models.Store) error {
	db := s.DB(ctx)
	products, err := w.writeProducts(ctx, db)
	if err != nil {
		return err
	}
	hospitals, err := w.writeHospitals(ctx, db)
	if err != nil {
		return err
	}
	reps, err := w.writeUsers(ctx, db)
	if err != nil {
		return err
	}
	doctors, err := w.writeDoctors(ctx, db, hospitals)
	if err != nil {
		return err
	}
	if err := w.writeAssignments(ctx, db, reps, doctors); err != nil {
		return err
	}
	if err := w.writeDoctorDetails(ctx, db, products, doctors); err != nil {
		return err
	}
	if err := w.writeFlows(ctx, db, hospitals, products); err != nil {
		return err
	}
	return w.writeSignals(ctx, db, doctors)
}

func (w *world) writeProducts(ctx context.Context, db *gorm.DB) ([]uint, error) {
	rows := make([]models.Product, len(products))
	codes := make([]string, len(products))
	for i, p := range products {
		rows[i] = models.Product{Code: p.Code, Name: p.Name, Area: p.Area}
		codes[i] = p.Code
	}
	if err := upsert(ctx, db, "products", rows); err != nil {
		return nil, err
	}
	return idList(ctx, db, "products", "code", codes)
}

// idList is idsBy in the order of keys.
func idList(ctx context.Context, db *gorm.DB, table, column string, keys []string) ([]uint, error) {
	m, err := idsBy(ctx, db, table, column, keys)
	if err != nil {
		return nil, err
	}
	out := make([]uint, len(keys))
	for i, k := range keys {
		out[i] = m[k]
	}
	return out, nil
}

func (w *world) writeHospitals(ctx context.Context, db *gorm.DB) ([]uint, error) {
	rows := make([]models.Hospital, len(w.hospitals))
	keys := make([]string, len(w.hospitals))
	for i, h := range w.hospitals {
		rows[i] = models.Hospital{ExternalID: h.ExternalID, Name: h.Name, Level: h.Level, City: City, Lat: h.Lat, Lng: h.Lng}
		keys[i] = h.ExternalID
	}
	if err := upsert(ctx, db, "hospitals", rows); err != nil {
		return nil, err
	}
	return idList(ctx, db, "hospitals", "external_id", keys)
}

func ptr[T any](v T) *T { return &v }

// userRow is a user addressed by the same id on every platform.
func userRow(p person, role models.Role) models.User {
	return models.User{UserID: p.UserID, Name: p.Name, Role: role, Territory: p.Territory, Phone: p.Phone,
		WeComUserID: ptr(p.UserID), DingTalkUserID: ptr(p.UserID), Active: true}
}

// writeUsers writes the admin, the managers and the reps; it returns the reps' ids.
func (w *world) writeUsers(ctx context.Context, db *gorm.DB) ([]uint, error) {
	heads := []models.User{userRow(w.admin, models.RoleAdmin)}
	keys := []string{w.admin.UserID}
	for _, m := range w.managers {
		heads = append(heads, userRow(m, models.RoleManager))
		keys = append(keys, m.UserID)
	}
	if err := upsert(ctx, db, "users", heads); err != nil {
		return nil, err
	}
	managers, err := idList(ctx, db, "users", "user_id", keys[1:])
	if err != nil {
		return nil, err
	}
	reps := make([]models.User, len(w.reps))
	keys = make([]string, len(w.reps))
	for i, r := range w.reps {
		reps[i] = userRow(r.person, models.RoleRep)
		reps[i].ManagerID = ptr(managers[r.Manager])
		reps[i].StartLat, reps[i].StartLng = r.StartLat, r.StartLng
		keys[i] = r.UserID
	}
	if err := upsert(ctx, db, "users", reps); err != nil {
		return nil, err
	}
	return idList(ctx, db, "users", "user_id", keys)
}

func (w *world) writeDoctors(ctx context.Context, db *gorm.DB, hospitals []uint) ([]uint, error) {
	rows := make([]models.Doctor, len(w.doctors))
	keys := make([]string, len(w.doctors))
	for i, d := range w.doctors {
		rows[i] = models.Doctor{ExternalID: d.ExternalID, Name: d.Name, HospitalID: hospitals[d.Hospital], Department: d.Dept,
			Title: d.Title, IsKOL: d.KOL, Roles: strings.Join(d.Roles, ","), LegacyTier: d.LegacyTier}
		keys[i] = d.ExternalID
	}
	if err := upsert(ctx, db, "doctors", rows); err != nil {
		return nil, err
	}
	return idList(ctx, db, "doctors", "external_id", keys)
}

// writeAssignments assigns each doctor to its rep unless the doctor already
// has a rep (a manager may have reassigned it since the last run).
func (w *world) writeAssignments(ctx context.Context, db *gorm.DB, reps, doctors []uint) error {
	var assigned []uint
	if err := db.WithContext(ctx).Model(&models.Assignment{}).Distinct().Pluck("doctor_id", &assigned).Error; err != nil {
		return fmt.Errorf("read assignments: %w", err)
	}
	has := make(map[uint]bool, len(assigned))
	for _, id := range assigned {
		has[id] = true
	}
	var rows []models.Assignment
	for i, d := range w.doctors {
		if !has[doctors[i]] {
			rows = append(rows, models.Assignment{RepID: reps[d.Rep], DoctorID: doctors[i]})
		}
	}
	return upsert(ctx, db, "assignments", rows)
}

// writeDoctorDetails writes clinic sessions, cancellations (停诊) and product matches.
func (w *world) writeDoctorDetails(ctx context.Context, db *gorm.DB, products, doctors []uint) error {
	var sessions []models.ClinicSession
	var cancels []models.ClinicCancellation
	var matches []models.DoctorProduct
	for i, d := range w.doctors {
		id := doctors[i]
		for _, s := range d.Sessions {
			sessions = append(sessions, models.ClinicSession{DoctorID: id, Weekday: s.Weekday, Period: s.Period})
		}
		for _, c := range d.Cancellations {
			cancels = append(cancels, models.ClinicCancellation{DoctorID: id, Day: c.Day, Period: c.Period, Reason: c.Reason})
		}
		for _, m := range d.Products {
			matches = append(matches, models.DoctorProduct{DoctorID: id, ProductID: products[m.Product], Match: m.Match})
		}
	}
	if err := upsert(ctx, db, "clinic sessions", sessions); err != nil {
		return err
	}
	if err := upsert(ctx, db, "clinic cancellations", cancels); err != nil {
		return err
	}
	return upsert(ctx, db, "doctor products", matches)
}

func (w *world) writeFlows(ctx context.Context, db *gorm.DB, hospitals, products []uint) error {
	rows := make([]models.FlowRecord, len(w.flows))
	for i, f := range w.flows {
		rows[i] = models.FlowRecord{HospitalID: hospitals[f.Hospital], Department: f.Dept, ProductID: products[f.Product], Month: f.Month, Quantity: f.Quantity}
	}
	return upsert(ctx, db, "flow records", rows)
}
