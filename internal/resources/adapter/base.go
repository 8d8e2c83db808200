package adapter

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource"

	"github.com/containerapp/terraform-provider-containerapp/internal/composite"
	"github.com/containerapp/terraform-provider-containerapp/internal/conns"
	"github.com/containerapp/terraform-provider-containerapp/internal/engine"
)

// Base implements the Definition methods that only hand a function of the
// resource's package to the adapter. A resource embeds it and writes the
// methods that decide something.
type Base[M any, S any] struct {
	Suffix        string
	SchemaFunc    func(ctx context.Context, resp *resource.SchemaResponse)
	RegistryFunc  func(c *conns.Clients) engine.Registry
	CommonFunc    func(m *M) Common
	ToSpecFunc    func(ctx context.Context, m M) (S, [][]composite.PathStep, diag.Diagnostics)
	FromSpecFunc  func(ctx context.Context, s S, m *M) diag.Diagnostics
	ExpandFunc    func(s S, env composite.Env) (composite.Graph, error)
	SetAttributes map[string]bool
	Anchor        string
}

func (b Base[M, S]) TypeSuffix() string { return b.Suffix }

func (b Base[M, S]) Schema(ctx context.Context, resp *resource.SchemaResponse) {
	b.SchemaFunc(ctx, resp)
}

func (b Base[M, S]) Registry(c *conns.Clients) engine.Registry { return b.RegistryFunc(c) }

func (b Base[M, S]) Common(m *M) Common { return b.CommonFunc(m) }

func (b Base[M, S]) ToSpec(ctx context.Context, m M) (S, [][]composite.PathStep, diag.Diagnostics) {
	return b.ToSpecFunc(ctx, m)
}

func (b Base[M, S]) FromSpec(ctx context.Context, s S, m *M) diag.Diagnostics {
	return b.FromSpecFunc(ctx, s, m)
}

func (b Base[M, S]) Expand(s S, env composite.Env) (composite.Graph, error) {
	return b.ExpandFunc(s, env)
}

func (b Base[M, S]) SetAttrs() map[string]bool { return b.SetAttributes }

func (b Base[M, S]) AnchorKey() string { return b.Anchor }
