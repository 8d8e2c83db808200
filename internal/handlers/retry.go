package handlers

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Named timeouts for eventual-consistency retries.
const (
	IAMPropagationTimeout   = 2 * time.Minute
	TargetGroupAssocTimeout = 2 * time.Minute
	ResourceInUseTimeout    = 5 * time.Minute
)

// Retryable decides whether an error is one of the named eventual-consistency
// errors worth retrying.
type Retryable func(error) bool

// RetryOn calls fn until it succeeds, returns an error retryable does not
// accept, or timeout passes (then the last error is returned, wrapped with
// the wait). Backoff starts at 1s and doubles up to 10s. It is the one narrow
// retry helper; the SDK's retryer handles throttling and transient errors.
func RetryOn(ctx context.Context, timeout time.Duration, retryable Retryable, fn func(context.Context) error) error {
	delay := time.Second
	deadline := time.Now().Add(timeout)
	for attempt := 1; ; attempt++ {
		err := fn(ctx)
		if err == nil || !retryable(err) {
			return err
		}
		if time.Now().Add(delay).After(deadline) {
			return fmt.Errorf("still failing after %d attempts over %s: %w", attempt, timeout, err)
		}
		select {
		case <-ctx.Done():
			return errors.Join(ctx.Err(), err)
		case <-time.After(delay):
		}
		if delay < 10*time.Second {
			delay *= 2
		}
	}
}

// waitBudget is how long a waiter may run: until ctx's deadline when it has
// one, else fallback.
func waitBudget(ctx context.Context, fallback time.Duration) time.Duration {
	if dl, ok := ctx.Deadline(); ok {
		if d := time.Until(dl); d > 0 {
			return d
		}
		return time.Millisecond // let the waiter fail at once with a clear error
	}
	return fallback
}
