package conns

import (
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
)

// DefaultMaxAttempts is the attempts of a throttled or transient AWS call
// when neither max_retries nor AWS_MAX_ATTEMPTS says otherwise: the AWS
// provider's default (25), enough to ride out a throttling storm in a busy
// account, where the SDK's own default (3) fails an apply.
const DefaultMaxAttempts = 25

// retrySettings decides the retry mode and the attempts per call: the
// provider's max_retries (retries, so attempts = max_retries + 1) wins over
// AWS_MAX_ATTEMPTS, which wins over DefaultMaxAttempts; AWS_RETRY_MODE picks
// "adaptive" (client-side rate limiting of throttled calls) over the
// default "standard".
func retrySettings(maxRetries *int, envMode, envAttempts string) (aws.RetryMode, int) {
	mode := aws.RetryModeStandard
	if strings.EqualFold(strings.TrimSpace(envMode), string(aws.RetryModeAdaptive)) {
		mode = aws.RetryModeAdaptive
	}
	attempts := DefaultMaxAttempts
	if n, err := strconv.Atoi(strings.TrimSpace(envAttempts)); err == nil && n > 0 {
		attempts = n
	}
	if maxRetries != nil && *maxRetries >= 0 {
		attempts = *maxRetries + 1
	}
	return mode, attempts
}

// newRetryer is the SDK's standard (or adaptive) retryer with the given
// attempts and no client-side retry quota: the standard retryer's token
// bucket (500 tokens, 5 per retry) stops retrying after about 100 retries
// across all calls of a client, which a long apply against a throttling API
// exhausts, turning a throttle into a failed apply. The AWS provider disables
// it the same way.
func newRetryer(mode aws.RetryMode, attempts int) aws.Retryer {
	standard := func(o *retry.StandardOptions) {
		o.MaxAttempts = attempts
		o.RateLimiter = ratelimit.None
	}
	if mode == aws.RetryModeAdaptive {
		return retry.NewAdaptiveMode(func(o *retry.AdaptiveModeOptions) {
			o.StandardOptions = append(o.StandardOptions, standard)
		})
	}
	return retry.NewStandard(standard)
}
