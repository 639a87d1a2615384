package models

import (
	"context"
	"fmt"
)

// RecordDelivery stores a platform delivery key. It returns ErrConflict when
// the same delivery was already accepted: call it inside the transaction that
// applies the delivery's effect, so effect and key commit together.
func (s *InboxStore) RecordDelivery(ctx context.Context, platform, key, kind string) error {
	d := InboundDelivery{Key: platform + ":" + key, Platform: platform, Kind: kind, ReceivedAt: s.db.clock.Now().UTC()}
	if len(d.Key) > 191 {
		return fmt.Errorf("delivery key too long (%d bytes)", len(d.Key))
	}
	return s.db.create(ctx, &d)
}

// StoreRawEvent keeps an unhandled inbound event for diagnosis.
func (s *InboxStore) StoreRawEvent(ctx context.Context, platform, typ, body string) error {
	if len(body) > 16<<10 {
		body = body[:16<<10]
	}
	return s.db.create(ctx, &RawEvent{Platform: platform, Type: typ, Body: body, ReceivedAt: s.db.clock.Now().UTC()})
}
