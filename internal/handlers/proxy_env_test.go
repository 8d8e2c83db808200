package handlers

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/containerapp/terraform-provider-containerapp/internal/acctest"
)

// viaProxy starts the test proxy (internal/acctest) in front of the
// emulator with AWS's eventual-consistency windows w on, and returns it with
// a copy of the test's SDK config pointed at it (its clients still log to
// a.ops). The proxy is closed when the test ends. The test is skipped when
// CONTAINERAPP_TEST_CONSISTENCY turns consistency mode off: it would
// reproduce nothing.
func (a *accEnv) viaProxy(w acctest.Windows) (*acctest.Proxy, aws.Config) {
	a.t.Helper()
	p, err := acctest.NewProxy(acctest.Endpoint(), acctest.WithConsistency(w))
	if err != nil {
		a.t.Fatalf("starting the proxy: %v", err)
	}
	a.t.Cleanup(p.Close)
	if !p.ConsistencyEnabled() {
		a.t.Skipf("consistency mode is off (%s)", acctest.ConsistencyEnv)
	}
	cfg := a.cfg.Copy()
	cfg.BaseEndpoint = aws.String(p.URL())
	return p, cfg
}

// requireHits fails unless the proxy shaped at least one answer with rule:
// the test met the AWS behaviour it reproduces.
func requireHits(t *testing.T, p *acctest.Proxy, rule acctest.ConsistencyRule) {
	t.Helper()
	if n := p.CountConsistencyHits(rule); n == 0 {
		t.Errorf("no answer was shaped by %s: the test did not meet the window it reproduces (hits: %v)", rule, p.ConsistencyHits())
	}
}
