package adapter

import (
	"context"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/containerapp/terraform-provider-containerapp/internal/composite"
)

func TestConverter_unknownsAndPlaceholder(t *testing.T) {
	c := &Converter{Ctx: context.Background(), Placeholder: "?"}
	if got := c.Str(types.StringUnknown(), AP("name")); got != "?" {
		t.Fatalf("Str unknown = %q", got)
	}
	if got := c.Set(types.SetValueMust(types.StringType, []attr.Value{types.StringValue("b"), types.StringValue("a")}), AP("s")); strings.Join(got, ",") != "a,b" {
		t.Fatalf("Set must sort: %v", got)
	}
	if got := c.List(types.ListUnknown(types.StringType), AP("l")); len(got) != 1 || got[0] != "?" {
		t.Fatalf("List unknown = %v", got)
	}
	if !UnderUnknown(At(AP("l"), composite.IndexStep(0)), c.Unknown) || UnderUnknown(AP("other"), c.Unknown) {
		t.Fatalf("unknown paths = %v", c.Unknown)
	}
	empty := &Converter{Ctx: context.Background()}
	if got := empty.List(types.ListUnknown(types.StringType), AP("l")); got != nil {
		t.Fatalf("without placeholder an unknown list is unset, got %v", got)
	}
}

func TestFieldDiagnostics(t *testing.T) {
	errs := []composite.FieldError{
		composite.NewFieldError(At(AP("network", "subnet_ids"), composite.IndexStep(1)), "Invalid subnet", "bad"),
		composite.NewFieldError(AP("cpu"), "Invalid cpu", "bad"),
	}
	diags := FieldDiagnostics(errs, [][]composite.PathStep{AP("cpu")}, map[string]bool{"subnet_ids": true})
	if len(diags) != 1 {
		t.Fatalf("want the cpu error dropped (unknown), got %v", diags)
	}
	d := diags[0]
	withPath, ok := d.(interface{ Path() path.Path })
	if !ok || !withPath.Path().Equal(path.Root("network").AtName("subnet_ids")) {
		t.Fatalf("a set element error is reported on the set: %v", d)
	}
	if !strings.HasPrefix(d.Detail(), "network.subnet_ids[1]: ") {
		t.Fatalf("detail must start with the path: %q", d.Detail())
	}
}
