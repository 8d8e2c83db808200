// Package validators holds small single-purpose string validators for
// schema attributes that terraform-plugin-framework-validators does not cover.
package validators

import (
	"context"
	"fmt"
	"net/url"
	"regexp"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws/arn"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
)

// URL accepts absolute http(s) URLs with a host.
func URL() validator.String { return urlValidator{} }

type urlValidator struct{}

func (urlValidator) Description(context.Context) string {
	return "value must be an absolute http or https URL, e.g. http://127.0.0.1:4566"
}
func (v urlValidator) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }
func (v urlValidator) ValidateString(ctx context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	s := req.ConfigValue.ValueString()
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid endpoint URL",
			fmt.Sprintf("%q is not an absolute http or https URL (e.g. http://127.0.0.1:4566).", s))
	}
}

// ARN accepts a well-formed ARN, optionally of the given service.
func ARN(service string) validator.String { return arnValidator{service: service} }

type arnValidator struct{ service string }

func (v arnValidator) Description(context.Context) string {
	if v.service == "" {
		return "value must be a valid ARN"
	}
	return fmt.Sprintf("value must be a valid %s ARN", v.service)
}
func (v arnValidator) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }
func (v arnValidator) ValidateString(ctx context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	s := req.ConfigValue.ValueString()
	a, err := arn.Parse(s)
	if err != nil {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid ARN", fmt.Sprintf("%q is not a valid ARN: %s.", s, err))
		return
	}
	if v.service != "" && a.Service != v.service {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid ARN",
			fmt.Sprintf("%q is a %s ARN; expected a %s ARN.", s, a.Service, v.service))
	}
}

var regionPattern = regexp.MustCompile(`^[a-z]{2}(-[a-z]+)+-\d{1,2}$`)

// Region accepts AWS region names such as us-east-1 or us-gov-west-1.
func Region() validator.String { return regionValidator{} }

type regionValidator struct{}

func (regionValidator) Description(context.Context) string {
	return "value must be an AWS region name such as us-east-1"
}
func (v regionValidator) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }
func (v regionValidator) ValidateString(ctx context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	s := req.ConfigValue.ValueString()
	if !regionPattern.MatchString(strings.TrimSpace(s)) {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid region",
			fmt.Sprintf("%q is not an AWS region name (expected something like us-east-1).", s))
	}
}
