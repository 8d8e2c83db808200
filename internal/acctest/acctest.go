// Package acctest holds acceptance-test helpers: the emulator endpoint, an
// SDK config for test setup, the fault/latency proxy (with its consistency
// mode, which reproduces AWS's eventual-consistency windows; see
// CONSISTENCY.md) and destroy checks.
package acctest

import (
	"context"
	"os"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
)

// EndpointEnv is the one variable that chooses where acceptance tests run:
// an emulator URL (moto, the default in `make test`, or LocalStack), or empty
// for a real AWS account with the usual credential chain.
const EndpointEnv = "CONTAINERAPP_TEST_ENDPOINT"

// Endpoint returns the emulator endpoint, or "" for real AWS.
func Endpoint() string { return os.Getenv(EndpointEnv) }

// Region returns the test region (AWS_REGION, default us-east-1).
func Region() string {
	if r := os.Getenv("AWS_REGION"); r != "" {
		return r
	}
	return "us-east-1"
}

// AWSConfig returns an SDK config for test setup and destroy checks, pointed
// at Endpoint() when set.
func AWSConfig(ctx context.Context) (aws.Config, error) {
	opts := []func(*config.LoadOptions) error{config.WithRegion(Region())}
	cfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return cfg, err
	}
	if ep := Endpoint(); ep != "" {
		cfg.BaseEndpoint = aws.String(ep)
	}
	return cfg, nil
}
