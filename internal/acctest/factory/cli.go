package factory

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/go-plugin"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6/tf6server"
)

// providerAddress is the provider's source address in configurations (the
// default registry host implied).
const providerAddress = "containerapp/containerapp"

// CLI drives the real Terraform CLI (TF_ACC_TERRAFORM_PATH, as
// terraform-plugin-testing uses it) against the in-process provider,
// reattached, in a directory of its own: for what the testing framework
// does not expose, such as the warnings a plan shows.
type CLI struct {
	t   *testing.T
	tf  string
	dir string
	env []string
}

// NewCLI serves the provider in-process until the test ends and returns a
// CLI that reaches it through TF_REATTACH_PROVIDERS.
func NewCLI(t *testing.T) *CLI {
	t.Helper()
	tf := os.Getenv("TF_ACC_TERRAFORM_PATH")
	if tf == "" {
		var err error
		if tf, err = exec.LookPath("terraform"); err != nil {
			t.Fatal("no Terraform CLI: set TF_ACC_TERRAFORM_PATH")
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	configCh := make(chan *plugin.ReattachConfig, 1)
	closeCh := make(chan struct{})
	serveErr := make(chan error, 1)
	go func() {
		serveErr <- tf6server.Serve(providerAddress, func() tfprotov6.ProviderServer {
			s, err := ProtoV6ProviderFactories["containerapp"]()
			if err != nil {
				panic(err) // the factory does not fail
			}
			return s
		}, tf6server.WithDebug(ctx, configCh, closeCh), tf6server.WithGoPluginLogger(hclog.NewNullLogger()),
			// Provider logs as in terraform-plugin-testing: TF_LOG and TF_LOG_PATH decide.
			tf6server.WithLoggingSink(t))
	}()
	var cfg *plugin.ReattachConfig
	select {
	case cfg = <-configCh:
	case err := <-serveErr:
		cancel()
		t.Fatalf("serving the provider: %v", err)
	case <-time.After(30 * time.Second):
		cancel()
		t.Fatal("the provider server did not start")
	}
	t.Cleanup(func() {
		cancel()
		select {
		case <-closeCh:
		case <-time.After(10 * time.Second):
		}
	})
	type addr struct{ Network, String string }
	reattach, err := json.Marshal(map[string]any{providerAddress: map[string]any{
		"Protocol": string(cfg.Protocol), "ProtocolVersion": cfg.ProtocolVersion, "Pid": cfg.Pid, "Test": true,
		"Addr": addr{Network: cfg.Addr.Network(), String: cfg.Addr.String()},
	}})
	if err != nil {
		t.Fatal(err)
	}
	return &CLI{t: t, tf: tf, dir: t.TempDir(),
		env: append(os.Environ(), "TF_REATTACH_PROVIDERS="+string(reattach), "CHECKPOINT_DISABLE=1", "TF_IN_AUTOMATION=1")}
}

// Write replaces the configuration (main.tf).
func (c *CLI) Write(config string) {
	c.t.Helper()
	if err := os.WriteFile(filepath.Join(c.dir, "main.tf"), []byte(config), 0o600); err != nil {
		c.t.Fatal(err)
	}
}

// Run runs terraform with args in the CLI's directory and returns its
// combined output; a non-zero exit is an error carrying that output.
func (c *CLI) Run(args ...string) (string, error) {
	cmd := exec.Command(c.tf, args...)
	cmd.Dir, cmd.Env = c.dir, c.env
	out, err := cmd.CombinedOutput()
	if err != nil {
		return string(out), fmt.Errorf("terraform %s: %w\n%s", strings.Join(args, " "), err, out)
	}
	return string(out), nil
}

// Must is Run, failing the test on an error.
func (c *CLI) Must(args ...string) string {
	c.t.Helper()
	out, err := c.Run(args...)
	if err != nil {
		c.t.Fatal(err)
	}
	return out
}

// Plan runs `terraform plan -json` and returns the summaries of its warnings
// and whether it plans any change.
func (c *CLI) Plan() (warnings []string, changes bool) {
	c.t.Helper()
	out := c.Must("plan", "-json", "-input=false", "-lock=false")
	sc := bufio.NewScanner(strings.NewReader(out))
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for sc.Scan() {
		var line struct {
			Type       string `json:"type"`
			Diagnostic struct {
				Severity, Summary string
			} `json:"diagnostic"`
			Changes struct {
				Add, Change, Remove int
			} `json:"changes"`
		}
		if json.Unmarshal(sc.Bytes(), &line) != nil {
			continue
		}
		switch line.Type {
		case "diagnostic":
			if line.Diagnostic.Severity == "warning" {
				warnings = append(warnings, line.Diagnostic.Summary)
			}
		case "change_summary":
			changes = line.Changes.Add+line.Changes.Change+line.Changes.Remove > 0
		}
	}
	return warnings, changes
}
