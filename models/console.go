package models

import (
	"context"
	"encoding/json"
	"fmt"
)

// AddConsoleMessage appends one console line; body is marshalled as JSON.
func (s *ConsoleStore) AddConsoleMessage(ctx context.Context, userID uint, direction, kind, taskID string, body any) (uint, error) {
	b, err := json.Marshal(body)
	if err != nil {
		return 0, fmt.Errorf("console body: %w", err)
	}
	m := ConsoleMessage{UserID: userID, Direction: direction, Kind: kind, TaskID: taskID, Body: string(b), CreatedAt: s.db.clock.Now().UTC()}
	if err := s.db.create(ctx, &m); err != nil {
		return 0, err
	}
	return m.ID, nil
}

// ConsoleMessages lists a user's console lines after afterID, oldest first, at most limit.
func (s *ConsoleStore) ConsoleMessages(ctx context.Context, userID, afterID uint, limit int) ([]ConsoleMessage, error) {
	var out []ConsoleMessage
	err := s.db.WithContext(ctx).Where("user_id = ? AND id > ?", userID, afterID).Order("id").Limit(limit).Find(&out).Error
	return out, err
}

// ConsoleCard finds the console copy of a card by task id.
func (s *ConsoleStore) ConsoleCard(ctx context.Context, userID uint, taskID string) (*ConsoleMessage, error) {
	return first[ConsoleMessage](ctx, s.db, "user_id = ? AND task_id = ? AND kind = ?", userID, taskID, "card")
}

// ReplaceConsoleBody rewrites a console message body (card updated in place).
func (s *ConsoleStore) ReplaceConsoleBody(ctx context.Context, id uint, body any) error {
	b, err := json.Marshal(body)
	if err != nil {
		return err
	}
	return s.db.WithContext(ctx).Model(&ConsoleMessage{}).Where("id = ?", id).Update("body", string(b)).Error
}

// LatestConsoleMessages lists a user's newest console lines, newest first,
// at most limit. "Newest" is by the message's time, then id: `simulate`
// writes a past fortnight after today's lines (higher ids, older times), and
// today must still come first.
func (s *ConsoleStore) LatestConsoleMessages(ctx context.Context, userID uint, limit int) ([]ConsoleMessage, error) {
	return s.ConsoleMessagesBefore(ctx, userID, 0, limit)
}

// ConsoleMessagesBefore is LatestConsoleMessages for the page of lines older
// than the line beforeID (0: from the newest): the console's 更早的消息.
// An unknown beforeID (or another user's) is ErrNotFound.
func (s *ConsoleStore) ConsoleMessagesBefore(ctx context.Context, userID, beforeID uint, limit int) ([]ConsoleMessage, error) {
	q := s.db.WithContext(ctx).Where("user_id = ?", userID)
	if beforeID != 0 {
		cur, err := first[ConsoleMessage](ctx, s.db, "user_id = ? AND id = ?", userID, beforeID)
		if err != nil {
			return nil, err
		}
		q = q.Where("(created_at < ? OR (created_at = ? AND id < ?))", cur.CreatedAt, cur.CreatedAt, cur.ID)
	}
	var out []ConsoleMessage
	err := q.Order("created_at DESC").Order("id DESC").Limit(limit).Find(&out).Error
	return out, err
}

// HospitalsByName lists at most limit hospitals by name (the console's
// location picker).
func (s *ConsoleStore) HospitalsByName(ctx context.Context, limit int) ([]Hospital, error) {
	var out []Hospital
	err := s.db.WithContext(ctx).Order("name").Order("id").Limit(limit).Find(&out).Error
	return out, err
}
