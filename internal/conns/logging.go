package conns

import (
	"context"
	"strings"
	"time"

	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"
	"github.com/hashicorp/terraform-plugin-log/tflog"
)

// LogSubsystem is the tflog subsystem every AWS call is logged to. Its level
// follows TF_LOG_PROVIDER_CONTAINERAPP_AWS.
const (
	LogSubsystem = "aws"
	LogLevelEnv  = "TF_LOG_PROVIDER_CONTAINERAPP_AWS"
	// EngineLogSubsystem carries one line per child action.
	EngineLogSubsystem = "engine"
	EngineLogLevelEnv  = "TF_LOG_PROVIDER_CONTAINERAPP_ENGINE"
)

// redactedHeaders never reach a log line.
var redactedHeaders = []string{"Authorization", "X-Amz-Security-Token"}

// WithLogging returns ctx with the "aws" and "engine" subsystems created, its level taken
// from TF_LOG_PROVIDER_CONTAINERAPP_AWS, and credential headers masked. Call
// it at the start of every RPC (CRUD method, Configure) before AWS calls.
func WithLogging(ctx context.Context) context.Context {
	ctx = tflog.NewSubsystem(ctx, LogSubsystem, tflog.WithLevelFromEnv(LogLevelEnv))
	ctx = tflog.NewSubsystem(ctx, EngineLogSubsystem, tflog.WithLevelFromEnv(EngineLogLevelEnv))
	ctx = tflog.SubsystemMaskFieldValuesWithFieldKeys(ctx, LogSubsystem, "http.request.header.authorization", "http.request.header.x_amz_security_token")
	return ctx
}

func addLoggingMiddleware(stack *middleware.Stack) error {
	// Initialize runs once per operation, outside the retry loop, so the
	// attempt count and final status are known when next returns.
	if err := stack.Initialize.Add(middleware.InitializeMiddlewareFunc("containerappLogging",
		func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
			start := time.Now()
			out, md, err := next.HandleInitialize(ctx, in)
			fields := map[string]any{
				"aws.service":   awsmiddleware.GetServiceID(ctx),
				"aws.operation": awsmiddleware.GetOperationName(ctx),
				"aws.region":    awsmiddleware.GetRegion(ctx),
				"duration_ms":   time.Since(start).Milliseconds(),
			}
			if raw, ok := awsmiddleware.GetRawResponse(md).(*smithyhttp.Response); ok && raw != nil {
				fields["http.status"] = raw.StatusCode
			}
			if id, ok := awsmiddleware.GetRequestIDMetadata(md); ok {
				fields["aws.request_id"] = id
			}
			if res, ok := retry.GetAttemptResults(md); ok {
				fields["aws.attempts"] = len(res.Results)
			}
			if err != nil {
				fields["error"] = err.Error()
				tflog.SubsystemWarn(ctx, LogSubsystem, "AWS call failed", fields)
			} else {
				tflog.SubsystemDebug(ctx, LogSubsystem, "AWS call", fields)
			}
			return out, md, err
		}), middleware.After); err != nil {
		return err
	}
	// Per-attempt HTTP detail at TRACE, with credential headers redacted.
	return stack.Finalize.Add(middleware.FinalizeMiddlewareFunc("containerappHTTPTrace",
		func(ctx context.Context, in middleware.FinalizeInput, next middleware.FinalizeHandler) (middleware.FinalizeOutput, middleware.Metadata, error) {
			if req, ok := in.Request.(*smithyhttp.Request); ok {
				headers := RedactHeaders(req.Header)
				tflog.SubsystemTrace(ctx, LogSubsystem, "AWS HTTP request attempt", map[string]any{
					"aws.operation": awsmiddleware.GetOperationName(ctx),
					"http.method":   req.Method,
					"http.url":      req.URL.String(),
					"http.headers":  headers,
				})
			}
			return next.HandleFinalize(ctx, in)
		}), middleware.After)
}

// RedactHeaders returns a copy of h with credential headers replaced; exported
// for tests.
func RedactHeaders(h map[string][]string) map[string][]string {
	out := make(map[string][]string, len(h))
	for k, v := range h {
		out[k] = v
	}
	for _, r := range redactedHeaders {
		for k := range out {
			if strings.EqualFold(k, r) {
				out[k] = []string{"[REDACTED]"}
			}
		}
	}
	return out
}
