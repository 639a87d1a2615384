package models

import (
	"context"
	"encoding/json"
	"fmt"
)

// Record appends to the audit log. detail is marshalled as JSON.
func (s *AuditStore) Record(ctx context.Context, actorID uint, action, target string, detail any) error {
	b, err := json.Marshal(detail)
	if err != nil {
		return fmt.Errorf("audit detail: %w", err)
	}
	return s.db.create(ctx, &AuditLog{ActorID: actorID, Action: action, Target: target, Detail: string(b), At: s.db.clock.Now().UTC()})
}

// Entries lists the newest audit rows, newest first.
func (s *AuditStore) Entries(ctx context.Context, limit int) ([]AuditLog, error) {
	var out []AuditLog
	return out, s.db.WithContext(ctx).Order("id DESC").Limit(limit).Find(&out).Error
}
