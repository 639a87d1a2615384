package models

import (
	"context"
	"errors"
	"time"

	"gorm.io/gorm"

	"visitbot/clock"
)

// Handle is the one connection pool every aggregate store shares. A
// transaction travels in the context: Tx starts one and hands fn a context
// that carries it, and every store method called with that context joins
// it, so the same store values serve the pool and a transaction and a
// multi-row write is all-or-nothing without threading a second store type
// through the code.
type Handle struct {
	db     *gorm.DB
	driver string
	clock  clock.Clock
	loc    *time.Location
}

// txKey is the context key of the running transaction.
type txKey struct{}

// txState is one transaction (or savepoint) of a Handle.
type txState struct {
	h  *Handle
	db *gorm.DB
	// after collects AfterCommit hooks; a savepoint hands its own to its
	// parent only when it succeeds.
	after []func()
}

func (h *Handle) txFrom(ctx context.Context) *txState {
	if t, ok := ctx.Value(txKey{}).(*txState); ok && t != nil && t.h == h {
		return t
	}
	return nil
}

// WithContext is the GORM handle for ctx: the transaction ctx carries, or
// the pool.
func (h *Handle) WithContext(ctx context.Context) *gorm.DB {
	if t := h.txFrom(ctx); t != nil {
		return t.db.WithContext(ctx)
	}
	return h.db.WithContext(ctx)
}

// DB exposes the GORM handle bound to ctx (inside Tx: the transaction) for
// the seed's bulk writer and for tests; other code uses store methods.
func (h *Handle) DB(ctx context.Context) *gorm.DB { return h.WithContext(ctx) }

// InTx reports whether ctx carries a transaction of h.
func (h *Handle) InTx(ctx context.Context) bool { return h.txFrom(ctx) != nil }

// Tx runs fn inside one transaction; fn's error (or a panic) rolls it back.
// The context fn gets carries the transaction: store methods called with it
// join it. Called with a context that already carries one, Tx opens a
// savepoint inside it (fn's error rolls back only fn's writes).
//
// A transaction that MySQL aborts as a deadlock victim (or after a lock wait
// timeout) is run again from the start, up to txAttempts times: InnoDB rolls
// it back whole, so fn must only touch the database and leave every other
// effect to AfterCommit, which runs once, after the commit that counted.
// Savepoints are never retried on their own.
func (h *Handle) Tx(ctx context.Context, fn func(ctx context.Context) error) error {
	if parent := h.txFrom(ctx); parent != nil {
		st := &txState{h: h}
		err := parent.db.WithContext(ctx).Transaction(func(gtx *gorm.DB) error {
			st.db = gtx
			return fn(context.WithValue(ctx, txKey{}, st))
		})
		if err == nil {
			parent.after = append(parent.after, st.after...)
		}
		return err
	}
	var committed *txState
	err := retryLockConflicts(ctx, func() error {
		st := &txState{h: h}
		err := h.db.WithContext(ctx).Transaction(func(gtx *gorm.DB) error {
			st.db = gtx
			return fn(context.WithValue(ctx, txKey{}, st))
		})
		if err == nil {
			committed = st
		}
		return err
	})
	if err != nil {
		return err
	}
	for _, f := range committed.after {
		f()
	}
	return nil
}

// AfterCommit runs fn once the transaction ctx carries has committed (not
// at all if it rolls back, and once however often a deadlock made Tx retry
// it); without a transaction in ctx it runs fn at once. Effects outside the
// database — waking a worker, starting a job — go here, never inside the
// transaction.
func AfterCommit(ctx context.Context, fn func()) {
	if t, ok := ctx.Value(txKey{}).(*txState); ok && t != nil {
		t.after = append(t.after, fn)
		return
	}
	fn()
}

// WithoutTx is ctx without its transaction, for work that must not join it
// (it then uses the pool); values and cancellation are kept.
func WithoutTx(ctx context.Context) context.Context {
	if t, ok := ctx.Value(txKey{}).(*txState); !ok || t == nil {
		return ctx
	}
	return context.WithValue(ctx, txKey{}, (*txState)(nil))
}

// create inserts a row, mapping unique violations to ErrConflict.
func (h *Handle) create(ctx context.Context, v any) error {
	return translate(h.WithContext(ctx).Create(v).Error)
}

// first loads one row, mapping "no row" to ErrNotFound.
func first[T any](ctx context.Context, h *Handle, query string, args ...any) (*T, error) {
	var v T
	err := h.WithContext(ctx).Where(query, args...).Take(&v).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	return &v, nil
}

// Close releases the connection pool.
func (h *Handle) Close() error {
	sqlDB, err := h.db.DB()
	if err != nil {
		return err
	}
	return sqlDB.Close()
}

// Driver is "sqlite" or "mysql"; statement sizes differ (see insertRows).
func (h *Handle) Driver() string { return h.driver }

// Clock is the store's injected clock.
func (h *Handle) Clock() clock.Clock { return h.clock }

// Location is the business time zone.
func (h *Handle) Location() *time.Location { return h.loc }

// Today is the current calendar day in the business time zone.
func (h *Handle) Today() string { return clock.Day(h.clock.Now(), h.loc) }

// Ping checks the database answers (for /readyz).
func (h *Handle) Ping(ctx context.Context) error {
	sqlDB, err := h.db.DB()
	if err != nil {
		return err
	}
	return sqlDB.PingContext(ctx)
}
