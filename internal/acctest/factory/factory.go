// Package factory wires the in-process provider into terraform-plugin-testing
// and renders provider blocks for the acceptance tests. It is separate from
// package acctest so handler tests can use acctest without an import cycle.
package factory

import (
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"

	"github.com/containerapp/terraform-provider-containerapp/internal/acctest"
	"github.com/containerapp/terraform-provider-containerapp/internal/conns"
	"github.com/containerapp/terraform-provider-containerapp/internal/provider"
)

func init() {
	// Examples declare source = "containerapp/containerapp": make the test
	// framework reattach the in-process provider under that address.
	if os.Getenv("TF_ACC_PROVIDER_NAMESPACE") == "" {
		_ = os.Setenv("TF_ACC_PROVIDER_NAMESPACE", "containerapp")
	}
}

// ProtoV6ProviderFactories serves the provider in-process: no registry, no
// plugin binary.
var ProtoV6ProviderFactories = map[string]func() (tfprotov6.ProviderServer, error){
	"containerapp": providerserver.NewProtocol6WithError(provider.New("test")()),
}

// PreCheck fails fast when the acceptance environment is incomplete.
func PreCheck(t *testing.T) {
	t.Helper()
	if os.Getenv("TF_ACC") == "" {
		t.Skip("acceptance tests need TF_ACC=1 (make test sets it)")
	}
	if acctest.Endpoint() != "" && os.Getenv("AWS_ACCESS_KEY_ID") == "" {
		t.Fatal("AWS_ACCESS_KEY_ID must be set (any value works for the emulator); run through make test")
	}
}

// TerraformBlock declares the provider's real address; every test config
// starts with it (ProviderConfig includes it).
const TerraformBlock = `terraform {
  required_providers {
    containerapp = {
      source = "containerapp/containerapp"
    }
  }
}
`

// ProviderConfig renders a provider block pointing every service at endpoint
// through the endpoints block; an empty endpoint gives the plain block (real
// AWS through the SDK chain). extra is added inside the block.
func ProviderConfig(endpoint string, extra ...string) string {
	var b strings.Builder
	b.WriteString(TerraformBlock)
	b.WriteString("provider \"containerapp\" {\n")
	if endpoint != "" {
		b.WriteString("  endpoints {\n")
		for _, s := range conns.EndpointServices {
			fmt.Fprintf(&b, "    %s = %q\n", s, endpoint)
		}
		b.WriteString("  }\n")
	}
	for _, e := range extra {
		b.WriteString("  " + e + "\n")
	}
	b.WriteString("}\n")
	return b.String()
}

// Config is ProviderConfig(acctest.SuiteEndpoint()) followed by body: on
// the emulator, the provider of every test talks to it through the proxy
// that reproduces AWS's eventual-consistency windows (turned off with
// CONTAINERAPP_TEST_CONSISTENCY=0).
func Config(body string) string { return ProviderConfig(acctest.SuiteEndpoint()) + body }
