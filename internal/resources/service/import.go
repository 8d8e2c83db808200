package service

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/diag"

	"github.com/containerapp/terraform-provider-containerapp/internal/composite"
)

// imported is what discover found in AWS for an imported service.
type imported struct {
	recorded map[string]composite.Recorded
	fillFn   func(ctx context.Context, m *serviceModel) diag.Diagnostics
}

func (i imported) fill(ctx context.Context, m *serviceModel) diag.Diagnostics {
	if i.fillFn == nil {
		return nil
	}
	return i.fillFn(ctx, m)
}

// discover rediscovers an existing service's children. Not yet implemented:
// it reports the service as not found.
func (r *serviceResource) discover(ctx context.Context, id string) (bool, imported, error) {
	return false, imported{}, nil
}
