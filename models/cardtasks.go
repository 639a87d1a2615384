package models

import (
	"context"
	"fmt"
)

// CardTaskByTaskID loads the card a callback refers to.
func (s *CardStore) CardTaskByTaskID(ctx context.Context, taskID string) (*CardTask, error) {
	return first[CardTask](ctx, s.db, "task_id = ?", taskID)
}

// SaveCardTask inserts a card task; a task id already used is ErrConflict.
func (s *CardStore) SaveCardTask(ctx context.Context, t *CardTask) error {
	if err := s.db.create(ctx, t); err != nil {
		return fmt.Errorf("save card task %s: %w", t.TaskID, err)
	}
	return nil
}

// cardTaskBatch is how many tasks one INSERT of SaveCardTasks writes.
const cardTaskBatch = 50

// SaveCardTasks inserts tasks in multi-row INSERTs (the morning push's
// hundreds of cards per transaction).
func (s *CardStore) SaveCardTasks(ctx context.Context, tasks []*CardTask) error {
	if len(tasks) == 0 {
		return nil
	}
	if err := translate(s.db.WithContext(ctx).CreateInBatches(tasks, cardTaskBatch).Error); err != nil {
		return fmt.Errorf("save %d card tasks: %w", len(tasks), err)
	}
	return nil
}

// SetCardResponseCode keeps the newest single-use response_code of a card
// (WeCom: valid once, for 72 h) so the next update can use it.
func (s *CardStore) SetCardResponseCode(ctx context.Context, taskID, code string) error {
	return s.db.WithContext(ctx).Model(&CardTask{}).Where("task_id = ?", taskID).
		Updates(map[string]any{"response_code": code, "updated_at": s.db.clock.Now().UTC()}).Error
}

// UpdateCardTask saves the state and rendered card of a task.
func (s *CardStore) UpdateCardTask(ctx context.Context, taskID, state, card string) error {
	return s.db.WithContext(ctx).Model(&CardTask{}).Where("task_id = ?", taskID).
		Updates(map[string]any{"state": state, "card": card, "updated_at": s.db.clock.Now().UTC()}).Error
}

// SetCardMsgID records the platform message id after a send.
func (s *CardStore) SetCardMsgID(ctx context.Context, taskID, msgID, responseCode string) error {
	upd := map[string]any{"msg_id": msgID, "updated_at": s.db.clock.Now().UTC()}
	if responseCode != "" {
		upd["response_code"] = responseCode
	}
	return s.db.WithContext(ctx).Model(&CardTask{}).Where("task_id = ?", taskID).Updates(upd).Error
}

// CardTaskByID loads a card task by primary key.
func (s *CardStore) CardTaskByID(ctx context.Context, id uint) (*CardTask, error) {
	return first[CardTask](ctx, s.db, "id = ?", id)
}

// CardTaskFor is the newest card of a kind sent to a user for a day (nil if none).
func (s *CardStore) CardTaskFor(ctx context.Context, userID uint, kind, day string) (*CardTask, error) {
	var t CardTask
	err := s.db.WithContext(ctx).Where("user_id = ? AND kind = ? AND day = ?", userID, kind, day).Order("id DESC").Limit(1).Find(&t).Error
	if err != nil || t.ID == 0 {
		return nil, err
	}
	return &t, nil
}

// OpenCardTasks reports which of refIDs have an unsubmitted card of one of
// kinds (a feedback form already open), so a second check-in does not send
// the same forms again.
func (s *CardStore) OpenCardTasks(ctx context.Context, kinds []string, refIDs []uint) (map[uint]bool, error) {
	out := map[uint]bool{}
	if len(refIDs) == 0 {
		return out, nil
	}
	var ids []uint
	if err := s.db.WithContext(ctx).Model(&CardTask{}).Where("kind IN ? AND ref_id IN ? AND state = ?", kinds, refIDs, "").
		Distinct().Pluck("ref_id", &ids).Error; err != nil {
		return nil, fmt.Errorf("open card tasks: %w", err)
	}
	for _, id := range ids {
		out[id] = true
	}
	return out, nil
}
