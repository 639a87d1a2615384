package modelstest

import (
	"context"
	"fmt"
	"testing"

	"visitbot/models"
)

// RejectOutboxFor makes the database refuse every outbox row for user id
// until the test ends: a real failure of one rep's insert, on SQLite and
// MySQL alike (a trigger, not a fake of the store).
func RejectOutboxFor(t testing.TB, s *models.Store, id uint) {
	t.Helper()
	db := s.DB(context.Background())
	name := fmt.Sprintf("reject_rep_%d", id)
	var sql string
	switch db.Dialector.Name() {
	case "sqlite":
		sql = fmt.Sprintf("CREATE TRIGGER %s BEFORE INSERT ON outbox_messages WHEN NEW.recipient_id = %d BEGIN SELECT RAISE(ABORT, 'rejected by test'); END", name, id)
	default:
		sql = fmt.Sprintf("CREATE TRIGGER %s BEFORE INSERT ON outbox_messages FOR EACH ROW BEGIN IF NEW.recipient_id = %d THEN SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'rejected by test'; END IF; END", name, id)
	}
	if err := db.Exec(sql).Error; err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Exec("DROP TRIGGER " + name) })
}
