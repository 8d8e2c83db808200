package handlers

import (
	"context"
	"errors"
	"sync"

	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// lostResponses makes the first `times` attempts of an operation reach the
// emulator (AWS carries the call out) and then lose their response: the
// attempt fails with a connection error the SDK's retryer retries, so the
// SDK sends the same request again - what happens on AWS when a connection
// drops after the request was received. Register it on a client's
// APIOptions; it sits inside the retry loop (after the Retry middleware).
type lostResponses struct {
	mu   sync.Mutex
	op   string
	left int
	lost int
}

func loseResponses(op string, times int) *lostResponses {
	return &lostResponses{op: op, left: times}
}

func (l *lostResponses) register(stack *middleware.Stack) error {
	return stack.Finalize.Insert(middleware.FinalizeMiddlewareFunc("lostResponses",
		func(ctx context.Context, in middleware.FinalizeInput, next middleware.FinalizeHandler) (middleware.FinalizeOutput, middleware.Metadata, error) {
			out, md, err := next.HandleFinalize(ctx, in)
			if awsmiddleware.GetOperationName(ctx) != l.op || err != nil {
				return out, md, err
			}
			l.mu.Lock()
			lose := l.left > 0
			if lose {
				l.left--
				l.lost++
			}
			l.mu.Unlock()
			if lose {
				return middleware.FinalizeOutput{}, md, &smithyhttp.RequestSendError{
					Err: errors.New("read tcp: connection reset by peer (injected: the response of a call AWS carried out was lost)"),
				}
			}
			return out, md, err
		}), "Retry", middleware.After)
}

// count returns how many responses were lost.
func (l *lostResponses) count() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.lost
}
