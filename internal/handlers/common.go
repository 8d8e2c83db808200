// Package handlers holds one file per AWS child kind: create/read/update/delete
// plus finder, waiter and narrow retry helpers. Handlers depend on narrow
// interfaces of the SDK calls they use, so tests can point real clients at
// the emulator. It never imports the plugin framework.
package handlers

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/aws/smithy-go"
)

// Named timeouts for eventual-consistency retries.
const (
	IAMPropagationTimeout   = 2 * time.Minute
	TargetGroupAssocTimeout = 2 * time.Minute
	ResourceInUseTimeout    = 5 * time.Minute
)

// ErrNotFound is returned by finders when the object does not exist.
var ErrNotFound = errors.New("not found")

// ErrorCode returns the AWS error code of err, or "".
func ErrorCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

// ErrorMessage returns the AWS error message of err, or err.Error().
func ErrorMessage(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorMessage()
	}
	return err.Error()
}

// IsNotFound reports whether err means the object does not exist: ErrNotFound
// or one of the given AWS error codes.
func IsNotFound(err error, codes ...string) bool {
	if err == nil {
		return false
	}
	if errors.Is(err, ErrNotFound) {
		return true
	}
	code := ErrorCode(err)
	for _, c := range codes {
		if code == c {
			return true
		}
	}
	return false
}

// ErrorMatches reports whether err has the AWS code and (when msgContains is
// not empty) a message containing msgContains.
func ErrorMatches(err error, code, msgContains string) bool {
	if err == nil || ErrorCode(err) != code {
		return false
	}
	return msgContains == "" || strings.Contains(ErrorMessage(err), msgContains)
}

// Retryable decides whether an error is one of the named eventual-consistency
// errors worth retrying.
type Retryable func(error) bool

// RetryOn calls fn until it succeeds, returns an error retryable does not
// accept, or timeout passes (then the last error is returned, wrapped with
// the wait). Backoff starts at 1s and doubles up to 10s. It is the one narrow
// retry helper; the SDK's retryer handles throttling and transient errors.
func RetryOn(ctx context.Context, timeout time.Duration, retryable Retryable, fn func(context.Context) error) error {
	return retryOnWithDelay(ctx, timeout, time.Second, retryable, fn)
}

// retryInitialDelay is overridable in tests.
func retryOnWithDelay(ctx context.Context, timeout, delay time.Duration, retryable Retryable, fn func(context.Context) error) error {
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
