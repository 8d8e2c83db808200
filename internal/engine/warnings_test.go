package engine

import (
	"context"
	"sync"
	"testing"
)

func TestWarnings(t *testing.T) {
	Warn(context.Background(), "dropped", "no collector") // must not panic
	ctx, w := WithWarnings(context.Background())
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() { defer wg.Done(); Warn(ctx, "image not pushed", "push it") }()
	}
	wg.Wait()
	Warn(ctx, "other", "x")
	got := w.All()
	if len(got) != 2 || got[0].Summary != "image not pushed" || got[1].Summary != "other" {
		t.Errorf("warnings = %+v", got)
	}
	var nilW *Warnings
	if nilW.All() != nil {
		t.Error("nil collector has warnings")
	}
}
