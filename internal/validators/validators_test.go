package validators

import (
	"context"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

func run(v validator.String, s string) bool {
	resp := &validator.StringResponse{}
	v.ValidateString(context.Background(), validator.StringRequest{Path: path.Root("x"), ConfigValue: types.StringValue(s)}, resp)
	return !resp.Diagnostics.HasError()
}

func TestValidators(t *testing.T) {
	cases := []struct {
		name string
		v    validator.String
		in   string
		ok   bool
	}{
		{"url ok", URL(), "http://127.0.0.1:4566", true},
		{"url https", URL(), "https://ecs.us-east-1.amazonaws.com", true},
		{"url no scheme", URL(), "127.0.0.1:4566", false},
		{"url garbage", URL(), "not a url", false},
		{"url ftp", URL(), "ftp://x", false},
		{"arn ok", ARN("iam"), "arn:aws:iam::123456789012:role/x", true},
		{"arn wrong service", ARN("iam"), "arn:aws:ecs:us-east-1:123456789012:cluster/x", false},
		{"arn garbage", ARN(""), "role/x", false},
		{"region ok", Region(), "us-east-1", true},
		{"region gov", Region(), "us-gov-west-1", true},
		{"region bad", Region(), "useast1", false},
		{"region upper", Region(), "US-EAST-1", false},
	}
	for _, c := range cases {
		if got := run(c.v, c.in); got != c.ok {
			t.Errorf("%s: %q valid=%v, want %v", c.name, c.in, got, c.ok)
		}
	}
	// null and unknown are not validated
	resp := &validator.StringResponse{}
	URL().ValidateString(context.Background(), validator.StringRequest{Path: path.Root("x"), ConfigValue: types.StringUnknown()}, resp)
	if resp.Diagnostics.HasError() {
		t.Fatal("unknown value must not error")
	}
}
