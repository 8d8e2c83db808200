package engine

import (
	"fmt"

	"github.com/containerapp/terraform-provider-containerapp/internal/composite"
)

// OpRead is the op of a ChildError raised by Refresh.
const OpRead composite.Op = "read"

// ChildError is a failure of one handler call (or of the preparation of one,
// such as resolving references), naming the child.
type ChildError struct {
	Key  string
	Kind composite.Kind
	Op   composite.Op
	Err  error
}

func (e *ChildError) Error() string {
	return fmt.Sprintf("%s %s (child %q): %v", verb(e.Op), e.Kind, e.Key, e.Err)
}

func (e *ChildError) Unwrap() error { return e.Err }

func verb(op composite.Op) string {
	switch op {
	case composite.OpCreate:
		return "creating"
	case composite.OpUpdate:
		return "updating"
	case composite.OpReplace:
		return "replacing"
	case composite.OpDelete:
		return "deleting"
	case OpRead:
		return "reading"
	case OpFind:
		return "finding"
	}
	return string(op)
}
