package engine

import (
	"context"
	"sync"
)

// Warning is something a handler wants the user to know without failing
// the call (an image not pushed yet, a setting AWS ignores).
type Warning struct {
	Summary, Detail string
}

// Warnings collects the warnings of one operation, safe for concurrent use.
type Warnings struct {
	mu   sync.Mutex
	list []Warning
}

// All returns the warnings collected so far, in the order they came.
func (w *Warnings) All() []Warning {
	if w == nil {
		return nil
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]Warning(nil), w.list...)
}

type warningsKey struct{}

// WithWarnings returns a context whose handlers' Warn calls are collected
// in the returned Warnings (the adapter turns them into diagnostics).
func WithWarnings(ctx context.Context) (context.Context, *Warnings) {
	w := &Warnings{}
	return context.WithValue(ctx, warningsKey{}, w), w
}

// Warn reports a warning to the operation running in ctx; without a
// collector it is dropped. Repeated identical warnings are reported once.
func Warn(ctx context.Context, summary, detail string) {
	w, _ := ctx.Value(warningsKey{}).(*Warnings)
	if w == nil {
		return
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, x := range w.list {
		if x.Summary == summary && x.Detail == detail {
			return
		}
	}
	w.list = append(w.list, Warning{Summary: summary, Detail: detail})
}
