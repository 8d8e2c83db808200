// Package engine runs a Diff's actions against per-kind handlers: dependency
// order, bounded concurrency, reference resolution, a journal of what exists,
// and ordered teardown. It never imports the plugin framework.
package engine

import (
	"context"

	"github.com/containerapp/terraform-provider-containerapp/internal/composite"
)

// Handler creates, reads, updates and deletes one kind of child. Props given
// to a handler are already resolved (no ${key.attr} references left).
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
//   - Read reports whether the recorded child still exists and its current
//     outputs. found=false with a nil error means "gone".
type Handler interface {
	Create(ctx context.Context, c composite.Child) (map[string]string, error)
	Read(ctx context.Context, rec composite.Recorded) (outputs map[string]string, found bool, err error)
	Update(ctx context.Context, c composite.Child, prev composite.Recorded) (map[string]string, error)
	Delete(ctx context.Context, rec composite.Recorded) error
}

// Registry maps each kind to its handler.
type Registry map[composite.Kind]Handler
