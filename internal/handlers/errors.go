package handlers

import (
	"errors"
	"strings"

	"github.com/aws/smithy-go"
)

// ErrNotFound is returned (wrapped) by the handlers' read helpers when the
// object does not exist.
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

// errorMessageContains reports whether err has one of the AWS error codes
// (any code when codes is empty) and a message containing one of the given
// fragments, compared case-insensitively.
func errorMessageContains(err error, codes []string, fragments ...string) bool {
	if err == nil {
		return false
	}
	if len(codes) > 0 {
		code := ErrorCode(err)
		ok := false
		for _, c := range codes {
			if c == code {
				ok = true
				break
			}
		}
		if !ok {
			return false
		}
	}
	msg := strings.ToLower(ErrorMessage(err))
	for _, f := range fragments {
		if strings.Contains(msg, strings.ToLower(f)) {
			return true
		}
	}
	return false
}
