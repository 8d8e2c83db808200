package conns

import (
	"context"
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
)

func TestRetrySettings(t *testing.T) {
	n := func(v int) *int { return &v }
	for name, tc := range map[string]struct {
		max          *int
		mode, env    string
		wantMode     aws.RetryMode
		wantAttempts int
	}{
		"default":                    {nil, "", "", aws.RetryModeStandard, DefaultMaxAttempts},
		"AWS_MAX_ATTEMPTS":           {nil, "", "7", aws.RetryModeStandard, 7},
		"invalid AWS_MAX_ATTEMPTS":   {nil, "", "x", aws.RetryModeStandard, DefaultMaxAttempts},
		"max_retries wins":           {n(4), "", "7", aws.RetryModeStandard, 5},
		"max_retries 0: one attempt": {n(0), "", "", aws.RetryModeStandard, 1},
		"adaptive":                   {nil, "adaptive", "", aws.RetryModeAdaptive, DefaultMaxAttempts},
		"unknown mode is standard":   {nil, "legacy", "", aws.RetryModeStandard, DefaultMaxAttempts},
	} {
		t.Run(name, func(t *testing.T) {
			mode, attempts := retrySettings(tc.max, tc.mode, tc.env)
			if mode != tc.wantMode || attempts != tc.wantAttempts {
				t.Errorf("retrySettings = %s, %d; want %s, %d", mode, attempts, tc.wantMode, tc.wantAttempts)
			}
			if got := newRetryer(mode, attempts).MaxAttempts(); got != tc.wantAttempts {
				t.Errorf("retryer MaxAttempts = %d", got)
			}
		})
	}
}

// The standard retryer's retry quota (500 tokens, 5 per retry) refuses the
// 101st retry token; ours never refuses one.
func TestRetryer_noClientSideQuota(t *testing.T) {
	for _, mode := range []aws.RetryMode{aws.RetryModeStandard, aws.RetryModeAdaptive} {
		r := newRetryer(mode, DefaultMaxAttempts)
		for i := 0; i < 1000; i++ {
			if _, err := r.GetRetryToken(context.Background(), errors.New("throttled")); err != nil {
				t.Fatalf("%s: retry token %d refused: %v", mode, i, err)
			}
		}
	}
}
