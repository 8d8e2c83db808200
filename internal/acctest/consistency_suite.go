package acctest

import (
	"sync"
)

var suite struct {
	once sync.Once
	url  string
}

// SuiteEndpoint is the endpoint acceptance tests give the provider by
// default: the emulator behind one proxy per test binary that reproduces
// AWS's eventual-consistency windows (RealisticWindows), so every test runs
// with them. It is Endpoint() itself on real AWS (empty), when the windows
// are turned off (CONTAINERAPP_TEST_CONSISTENCY=0), or when the proxy cannot
// start. Tests that build their own proxy (faults, budgets) pass
// WithConsistency themselves.
func SuiteEndpoint() string {
	suite.once.Do(func() {
		suite.url = Endpoint()
		if suite.url == "" || !ConsistencyEnabled() {
			return
		}
		p, err := NewProxy(suite.url, WithConsistency(RealisticWindows()))
		if err != nil {
			return
		}
		// The proxy lives as long as the test binary.
		suite.url = p.URL()
	})
	return suite.url
}

// SuiteProxyOptions are the options a test's own proxy takes to run with
// the suite's consistency windows (RealisticWindows), or none when they are
// turned off (CONTAINERAPP_TEST_CONSISTENCY=0). Fault tests use them, so
// that every injected failure meets AWS's windows too; budget tests do not
// (they count the calls of a consistent account).
func SuiteProxyOptions() []ProxyOption {
	if !ConsistencyEnabled() {
		return nil
	}
	return []ProxyOption{WithConsistency(RealisticWindows())}
}
