// Package engine runs a Diff's actions against per-kind handlers: dependency
// order, bounded concurrency, reference resolution, a journal of what exists,
// and ordered teardown. It never imports the plugin framework.
package engine

import (
	"context"

	"github.com/containerapp/terraform-provider-containerapp/internal/composite"
)

// Handler creates, observes, updates and deletes one kind of child. Props
// given to a handler are already resolved (no ${key.attr} references left).
//
// Contract:
//   - Create returns the child's outputs (at least composite.AttrARN or
//     composite.AttrID, and composite.AttrName). If the object was created but a
//     follow-up call failed, Create returns the outputs it has together with the
//     error, so the engine records the child (with an empty hash) and no orphan
//     is left.
//   - Update changes the existing child in place to match c and returns its
//     (possibly new) outputs; same partial rule as Create.
//   - Delete removes the child; an object that is already gone is not an error.
//   - Observe reads the recorded child and maps the AWS object(s) to the
//     kind's props as AWS reports them (composite.Observed): the one place
//     where this kind's AWS shape is mapped to props. found=false with a nil
//     error means "gone". full asks for the settings that cost extra calls
//     (an import); a refresh passes false. Observed.Props may be nil when the
//     record does not carry what a comparison needs (the child then has no
//     fingerprint until it is next applied).
//
// The engine, not the handler, computes fingerprints (composite.Fingerprint)
// from the desired props after a successful Create or Update and from
// Observed.Props after a refresh.
type Handler interface {
	Create(ctx context.Context, c composite.Child) (map[string]string, error)
	Observe(ctx context.Context, rec composite.Recorded, full bool) (obs composite.Observed, found bool, err error)
	Update(ctx context.Context, c composite.Child, prev composite.Recorded) (map[string]string, error)
	Delete(ctx context.Context, rec composite.Recorded) error
}

// Finder is implemented by handlers whose child can be found without a
// record (import, lost private state). Find locates the child q describes
// and returns its record (Kind, Name, ARN, Outputs and the kind's typed
// fields; the engine sets Key and leaves the hashes empty) and its full
// observation, made by the handler's own Observe. found=false means no such
// child. An object found whose ownership tags name another owner or key is
// an error when q.OwnedOnly.
type Finder interface {
	Find(ctx context.Context, q composite.Lookup) (rec composite.Recorded, obs composite.Observed, found bool, err error)
}

// Registry maps each kind to its handler.
type Registry map[composite.Kind]Handler
