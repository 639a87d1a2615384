package models

import (
	"cmp"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"time"

	"gorm.io/gorm"
)

// ErrClaimLost is returned when a dispatcher records the result of a message
// whose claim expired and was taken over (or replayed) meanwhile. The result
// is still recorded where that is safe; the caller should log it because a
// second send of the same message may have happened.
var ErrClaimLost = errors.New("outbox claim lost")

// Outbox kinds (OutboxMessage.Kind).
const (
	OutboxText   = "text"
	OutboxCard   = "card"
	OutboxUpdate = "update"
)

// maxOutboxError caps OutboxMessage.LastError (size 512).
const maxOutboxError = 500

// Enqueue inserts a pending outbound message, due now unless NextAttemptAt is
// set. A message whose DedupeKey already exists is not inserted and Enqueue
// returns nil with m.ID left 0: enqueuing is idempotent, so a job that runs
// again (or a retried callback) never queues a second copy. A duplicate-key
// error aborts only the statement, not the transaction, on both MySQL
// (InnoDB statement rollback) and SQLite (ON CONFLICT ABORT), so Enqueue is
// safe inside a caller's transaction (Store.Tx). (Not ON DUPLICATE KEY
// UPDATE: MariaDB reports one affected row for it, hiding the duplicate.)
func (s *OutboxStore) Enqueue(ctx context.Context, m *OutboxMessage) error {
	if err := s.prepare(m, s.db.clock.Now().UTC()); err != nil {
		return err
	}
	err := s.db.create(ctx, m)
	if errors.Is(err, ErrConflict) {
		m.ID = 0
		return nil
	}
	if err != nil {
		return fmt.Errorf("enqueue %s: %w", m.DedupeKey, err)
	}
	return nil
}

// enqueueBatch is how many messages one INSERT of EnqueueAll writes: ~20
// columns each, under ~800 variables (see inChunk).
const enqueueBatch = 30

// EnqueueAll is Enqueue for many messages in a few statements: the keys
// already queued are read first and left out (their ID stays 0), the rest
// inserted in multi-row INSERTs. Call it inside a transaction: a message
// queued by another process between the read and the insert fails the
// statement with ErrConflict, and the caller retries message by message
// (Enqueue) — nothing is queued twice.
func (s *OutboxStore) EnqueueAll(ctx context.Context, ms []*OutboxMessage) error {
	now := s.db.clock.Now().UTC()
	keys := make([]string, len(ms))
	for i, m := range ms {
		if err := s.prepare(m, now); err != nil {
			return err
		}
		keys[i] = m.DedupeKey
	}
	have, err := s.Queued(ctx, keys)
	if err != nil {
		return fmt.Errorf("enqueue: %w", err)
	}
	var fresh []*OutboxMessage
	for _, m := range ms {
		if !have[m.DedupeKey] {
			have[m.DedupeKey] = true // a key twice in ms is queued once
			fresh = append(fresh, m)
		}
	}
	if len(fresh) == 0 {
		return nil
	}
	if err := translate(s.db.WithContext(ctx).CreateInBatches(fresh, enqueueBatch).Error); err != nil {
		return fmt.Errorf("enqueue %d messages: %w", len(fresh), err)
	}
	return nil
}

// Queued is the set of keys that name a queued message (in any state), by
// IN lists of inChunk keys.
func (s *OutboxStore) Queued(ctx context.Context, keys []string) (map[string]bool, error) {
	have := map[string]bool{}
	for part := range slices.Chunk(keys, inChunk) {
		var found []string
		if err := s.db.WithContext(ctx).Model(&OutboxMessage{}).Where("dedupe_key IN ?", part).Pluck("dedupe_key", &found).Error; err != nil {
			return nil, fmt.Errorf("queued messages: %w", err)
		}
		for _, k := range found {
			have[k] = true
		}
	}
	return have, nil
}

// prepare checks m and makes it a new pending row due at its NextAttemptAt
// (now when unset).
func (s *OutboxStore) prepare(m *OutboxMessage, now time.Time) error {
	switch {
	case m.DedupeKey == "" || len(m.DedupeKey) > DedupeKeyMax:
		return fmt.Errorf("enqueue: dedupe key must be 1-%d bytes, got %d", DedupeKeyMax, len(m.DedupeKey))
	case m.Platform == "" || len(m.Platform) > 16:
		return fmt.Errorf("enqueue %s: platform %q invalid", m.DedupeKey, m.Platform)
	case m.Purpose == "" || len(m.Purpose) > OutboxPurposeMax:
		return fmt.Errorf("enqueue %s: purpose must be 1-%d bytes", m.DedupeKey, OutboxPurposeMax)
	case m.Kind != OutboxText && m.Kind != OutboxCard && m.Kind != OutboxUpdate:
		return fmt.Errorf("enqueue %s: kind %q must be text, card or update", m.DedupeKey, m.Kind)
	case m.Payload == "":
		return fmt.Errorf("enqueue %s: empty payload", m.DedupeKey)
	case len(m.TaskID) > 128:
		return fmt.Errorf("enqueue %s: task id longer than 128 bytes", m.DedupeKey)
	}
	m.ID = 0
	m.Status = OutboxPending
	m.Attempts = 0
	m.ClaimedBy, m.ClaimedUntil, m.SentAt, m.MsgID, m.LastError = "", nil, nil, "", ""
	if m.NextAttemptAt.IsZero() {
		m.NextAttemptAt = now
	}
	m.NextAttemptAt = m.NextAttemptAt.UTC()
	return nil
}

// ClaimOutbox marks up to n due messages of the given platforms as sending,
// owned by a fresh claim token (claimer plus a random suffix) until
// now+ttl, and returns them. A message is due when it is pending and its
// NextAttemptAt has come, or when it is sending but its claim expired (the
// owner crashed). Each claim counts as an attempt.
//
// Per recipient the rows go one at a time and in queue order, across every
// worker and replica: a row is not claimed while another row of the same
// platform and recipient is in flight (sending, claim not expired) or while
// an older row of theirs is due, so a reply's card update goes out before
// its texts, and two workers never send to one member at once. An older row
// waiting for a later attempt (backoff, quiet hours) does not hold the newer
// ones back.
//
// The claim reads without locks and then claims with one conditional
// UPDATE, on every database (no SKIP LOCKED, which TiDB lacks and which made
// two MariaDB claimers deadlock on the recipient subquery's rows): the due
// rows come from two index-ordered scans that stop after a few times n rows
// (pending by next attempt, expired claims by status), never the whole
// queue, so a claim costs O(n) however long the queue is; the recipient
// rule is checked for those candidates only; and the UPDATE claims a row
// only if it is still due, so of two dispatchers that chose the same row one
// gets it and the other claims fewer this round.
func (s *OutboxStore) ClaimOutbox(ctx context.Context, claimer string, platforms []string, n int, ttl time.Duration) ([]OutboxMessage, error) {
	if n <= 0 || len(platforms) == 0 {
		return nil, nil
	}
	if ttl <= 0 {
		return nil, fmt.Errorf("claim outbox: ttl must be positive, got %s", ttl)
	}
	token := claimToken(claimer)
	now := s.db.clock.Now().UTC()
	set := map[string]any{
		"status": OutboxSending, "claimed_by": token, "claimed_until": now.Add(ttl),
		"attempts": gorm.Expr("attempts + 1"), "updated_at": now,
	}
	ids, err := s.claimable(ctx, platforms, n, now)
	if err != nil {
		return nil, fmt.Errorf("claim outbox: %w", err)
	}
	if len(ids) == 0 {
		return nil, nil
	}
	err = retryLockConflicts(ctx, func() error {
		return s.db.WithContext(ctx).Model(&OutboxMessage{}).Where("id IN ?", ids).
			Where("(status = ? AND next_attempt_at <= ?) OR (status = ? AND claimed_until < ?)", OutboxPending, now, OutboxSending, now).
			Updates(set).Error
	})
	if err != nil {
		return nil, fmt.Errorf("claim outbox: %w", err)
	}
	var out []OutboxMessage
	q := s.db.WithContext(ctx).Where("claimed_by = ? AND status = ?", token, OutboxSending).Order("next_attempt_at, id")
	if err := q.Find(&out).Error; err != nil {
		return nil, fmt.Errorf("load claimed outbox rows: %w", err)
	}
	return out, nil
}

// claimScan is how many due rows per wanted row a claim reads: the rows of
// members with a message in flight are skipped, so it reads a few extra.
const claimScan = 4

// claimable lists up to n due rows of the platforms that the per-recipient
// rule lets go now, oldest first (see ClaimOutbox).
func (s *OutboxStore) claimable(ctx context.Context, platforms []string, n int, now time.Time) ([]uint, error) {
	type due struct {
		ID            uint
		NextAttemptAt time.Time
	}
	var pending, expired []due
	scan := claimScan * n
	err := s.db.WithContext(ctx).Model(&OutboxMessage{}).Select("id, next_attempt_at").
		Where("status = ? AND next_attempt_at <= ? AND platform IN ?", OutboxPending, now, platforms).
		Order("status, next_attempt_at, id").Limit(scan).Scan(&pending).Error
	if err != nil {
		return nil, err
	}
	err = s.db.WithContext(ctx).Model(&OutboxMessage{}).Select("id, next_attempt_at").
		Where("status = ? AND claimed_until < ? AND platform IN ?", OutboxSending, now, platforms).
		Order("next_attempt_at, id").Limit(scan).Scan(&expired).Error
	if err != nil {
		return nil, err
	}
	cands := append(pending, expired...)
	if len(cands) == 0 {
		return nil, nil
	}
	slices.SortFunc(cands, func(a, b due) int {
		return cmp.Or(a.NextAttemptAt.Compare(b.NextAttemptAt), cmp.Compare(a.ID, b.ID))
	})
	ids := make([]uint, len(cands))
	for i, c := range cands {
		ids[i] = c.ID
	}
	var free []uint
	err = s.db.WithContext(ctx).Model(&OutboxMessage{}).Where("id IN ?", ids).
		Where(`NOT EXISTS (SELECT 1 FROM outbox_messages o2 WHERE o2.platform = outbox_messages.platform AND o2.recipient_id = outbox_messages.recipient_id
			AND o2.id <> outbox_messages.id AND ((o2.status = ? AND o2.claimed_until >= ?)
			OR (o2.id < outbox_messages.id AND ((o2.status = ? AND o2.next_attempt_at <= ?) OR (o2.status = ? AND o2.claimed_until < ?)))))`,
			OutboxSending, now, OutboxPending, now, OutboxSending, now).
		Pluck("id", &free).Error
	if err != nil {
		return nil, err
	}
	ok := make(map[uint]bool, len(free))
	for _, id := range free {
		ok[id] = true
	}
	out := ids[:0]
	for _, id := range ids {
		if ok[id] && len(out) < n {
			out = append(out, id)
		}
	}
	return out, nil
}

// claimToken is claimer (cut to fit ClaimedBy) plus 12 random hex digits, so
// every claim is distinguishable even from the same worker.
func claimToken(claimer string) string {
	var b [6]byte
	_, _ = rand.Read(b[:])
	return clipText(claimer, 64-13) + "/" + hex.EncodeToString(b[:])
}

// owned selects m's row while m's claim still holds.
func (s *OutboxStore) owned(ctx context.Context, m *OutboxMessage) *gorm.DB {
	return s.db.WithContext(ctx).Model(&OutboxMessage{}).
		Where("id = ? AND claimed_by = ? AND status = ?", m.ID, m.ClaimedBy, OutboxSending)
}

// MarkOutboxSent records a successful send: status sent, the platform msgid,
// sent_at = now (the per-member rate window counts these). For a card it also
// stores msgid and response_code on the CardTask (SetCardMsgID), in the same
// transaction. If the claim was lost the row is still marked sent (the message
// did go out) and ErrClaimLost is returned.
func (s *OutboxStore) MarkOutboxSent(ctx context.Context, m *OutboxMessage, msgID, responseCode string) error {
	now := s.db.clock.Now().UTC()
	upd := map[string]any{
		"status": OutboxSent, "msg_id": clipText(msgID, 128), "sent_at": now, "last_error": "",
		"claimed_until": nil, "updated_at": now,
	}
	lost := false
	err := s.db.Tx(ctx, func(ctx context.Context) error {
		res := s.owned(ctx, m).Updates(upd)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			lost = true
			if err := s.db.WithContext(ctx).Model(&OutboxMessage{}).Where("id = ? AND status <> ?", m.ID, OutboxSent).Updates(upd).Error; err != nil {
				return err
			}
		}
		if m.Kind == OutboxCard && m.TaskID != "" {
			return s.cards.SetCardMsgID(ctx, m.TaskID, clipText(msgID, 128), clipText(responseCode, 255))
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("mark outbox %d sent: %w", m.ID, err)
	}
	if lost {
		return fmt.Errorf("mark outbox %d sent: %w", m.ID, ErrClaimLost)
	}
	return nil
}

// RetryOutbox puts a claimed message back to pending, due at next, after a
// transient failure (the attempt stays counted).
func (s *OutboxStore) RetryOutbox(ctx context.Context, m *OutboxMessage, next time.Time, cause string) error {
	return s.release(ctx, m, "retry", map[string]any{
		"status": OutboxPending, "next_attempt_at": next.UTC(), "last_error": clipText(cause, maxOutboxError),
		"claimed_until": nil, "updated_at": s.db.clock.Now().UTC(),
	})
}

// DeferOutbox puts a claimed message back to pending, due at next, without
// counting the attempt: it was held back by a rate limit, not tried.
func (s *OutboxStore) DeferOutbox(ctx context.Context, m *OutboxMessage, next time.Time) error {
	return s.release(ctx, m, "defer", map[string]any{
		"status": OutboxPending, "next_attempt_at": next.UTC(), "attempts": gorm.Expr("attempts - 1"),
		"claimed_until": nil, "updated_at": s.db.clock.Now().UTC(),
	})
}

// KillOutbox moves a claimed message to the dead-letter state (permanent
// failure or attempts exhausted); admins see it with OutboxMessages and
// bring it back with ReplayOutbox.
func (s *OutboxStore) KillOutbox(ctx context.Context, m *OutboxMessage, cause string) error {
	return s.release(ctx, m, "kill", map[string]any{
		"status": OutboxDead, "last_error": clipText(cause, maxOutboxError),
		"claimed_until": nil, "updated_at": s.db.clock.Now().UTC(),
	})
}

func (s *OutboxStore) release(ctx context.Context, m *OutboxMessage, op string, upd map[string]any) error {
	res := s.owned(ctx, m).Updates(upd)
	if res.Error != nil {
		return fmt.Errorf("%s outbox %d: %w", op, m.ID, res.Error)
	}
	if res.RowsAffected == 0 {
		return fmt.Errorf("%s outbox %d: %w", op, m.ID, ErrClaimLost)
	}
	return nil
}

// OutboxSentSince counts messages of platform sent to recipient at or after
// since, and returns the oldest such sent_at (zero when none). The WeCom
// per-member limit reads it, so the window is shared by every replica.
func (s *OutboxStore) OutboxSentSince(ctx context.Context, platform string, recipientID uint, since time.Time) (int64, time.Time, error) {
	q := func() *gorm.DB {
		return s.db.WithContext(ctx).Model(&OutboxMessage{}).
			Where("recipient_id = ? AND platform = ? AND status = ? AND sent_at >= ?", recipientID, platform, OutboxSent, since.UTC())
	}
	var n int64
	if err := q().Count(&n).Error; err != nil {
		return 0, time.Time{}, fmt.Errorf("count sent messages: %w", err)
	}
	if n == 0 {
		return 0, time.Time{}, nil
	}
	// A plain column (not MIN()) so both drivers return a time.Time.
	var oldest OutboxMessage
	if err := q().Select("sent_at").Order("sent_at").Take(&oldest).Error; err != nil || oldest.SentAt == nil {
		return 0, time.Time{}, fmt.Errorf("oldest sent message: %w", err)
	}
	return n, *oldest.SentAt, nil
}

// OutboxMessages lists messages with status (all when ""), newest first, at most limit.
func (s *OutboxStore) OutboxMessages(ctx context.Context, status string, limit int) ([]OutboxMessage, error) {
	var out []OutboxMessage
	q := s.db.WithContext(ctx).Order("id DESC").Limit(limit)
	if status != "" {
		q = q.Where("status = ?", status)
	}
	if err := q.Find(&out).Error; err != nil {
		return nil, fmt.Errorf("list outbox: %w", err)
	}
	return out, nil
}

// OutboxMessageByID loads one message.
func (s *OutboxStore) OutboxMessageByID(ctx context.Context, id uint) (*OutboxMessage, error) {
	return first[OutboxMessage](ctx, s.db, "id = ?", id)
}

// OutboxDepth counts messages per status (the queue-depth gauge).
func (s *OutboxStore) OutboxDepth(ctx context.Context) (map[string]int64, error) {
	var rows []struct {
		Status string
		N      int64
	}
	if err := s.db.WithContext(ctx).Model(&OutboxMessage{}).Select("status, COUNT(*) AS n").Group("status").Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("outbox depth: %w", err)
	}
	out := map[string]int64{OutboxPending: 0, OutboxSending: 0, OutboxSent: 0, OutboxDead: 0}
	for _, r := range rows {
		out[r.Status] = r.N
	}
	return out, nil
}

// replaySet makes a dead message pending again with a fresh attempt budget.
func (s *OutboxStore) replaySet() map[string]any {
	now := s.db.clock.Now().UTC()
	return map[string]any{
		"status": OutboxPending, "attempts": 0, "next_attempt_at": now, "claimed_by": "",
		"claimed_until": nil, "updated_at": now,
	}
}

// ReplayOutbox makes one dead message pending again (attempts reset, due
// now). A missing id is ErrNotFound; a message that is not dead is refused
// so a replay can never resend a delivered message.
func (s *OutboxStore) ReplayOutbox(ctx context.Context, id uint) error {
	res := s.db.WithContext(ctx).Model(&OutboxMessage{}).Where("id = ? AND status = ?", id, OutboxDead).Updates(s.replaySet())
	if res.Error != nil {
		return fmt.Errorf("replay outbox %d: %w", id, res.Error)
	}
	if res.RowsAffected == 1 {
		return nil
	}
	m, err := s.OutboxMessageByID(ctx, id)
	if err != nil {
		return fmt.Errorf("replay outbox %d: %w", id, err)
	}
	return fmt.Errorf("replay outbox %d: status is %s, only dead messages can be replayed", id, m.Status)
}

// ReplayDeadOutbox makes every dead message pending again and returns how many.
func (s *OutboxStore) ReplayDeadOutbox(ctx context.Context) (int64, error) {
	res := s.db.WithContext(ctx).Model(&OutboxMessage{}).Where("status = ?", OutboxDead).Updates(s.replaySet())
	if res.Error != nil {
		return 0, fmt.Errorf("replay dead outbox: %w", res.Error)
	}
	return res.RowsAffected, nil
}
