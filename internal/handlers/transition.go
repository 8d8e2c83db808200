package handlers

import (
	"context"

	"github.com/containerapp/terraform-provider-containerapp/internal/composite"
)

// Transition shims: engine.Handler.Observe over each kind's former Read,
// removed kind by kind as each handler gets its own Observe.

func observeRead(out map[string]string, found bool, err error) (composite.Observed, bool, error) {
	return composite.Observed{Outputs: out}, found, err
}

// Observe is a transition shim over Read.
func (h *ListenerHandler) Observe(ctx context.Context, rec composite.Recorded, _ bool) (composite.Observed, bool, error) {
	return observeRead(h.Read(ctx, rec))
}
