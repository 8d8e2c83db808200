package acctest

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Proxy is a reverse proxy that sits between the provider's AWS SDK clients
// and the AWS emulator. Acceptance tests point every service endpoint of the
// provider at URL(); the proxy forwards each request to the target unchanged
// (including the Host header, so SigV4 signatures stay valid), records one
// Call per HTTP request, and can inject latency and AWS-shaped faults. In
// consistency mode (EnableConsistency, see consistency.go) it also
// reproduces AWS's eventual-consistency windows in front of an emulator that
// has none.
//
// A Proxy is safe for concurrent use.
//
// Retries: the SDK retries some failures on its own, and every attempt is a
// separate HTTP request that the proxy records and matches against faults.
// A fault with a 5xx Status (500, 502, 503, 504), or with a throttling or
// transient Code (Throttling, ThrottlingException, RequestLimitExceeded,
// TooManyRequestsException, RequestTimeout, ...), is retried by the SDK's
// standard retryer, so it consumes further matching calls: a fault meant to
// surface to the caller exactly once should use a 4xx Status with a
// non-retryable Code (or Times >= the client's max attempts).
type Proxy struct {
	target    *url.URL
	srv       *http.Server
	ln        net.Listener
	rp        *httputil.ReverseProxy
	transport *http.Transport
	closeOnce sync.Once
	reqSeq    atomic.Uint64

	mu      sync.Mutex
	calls   []Call
	gen     uint64 // incremented by ResetCalls; stale in-flight updates are dropped
	faults  []*faultState
	latency time.Duration
	onCall  func(Call)
	cons    *consistency // nil unless EnableConsistency is on
}

// Call is one HTTP request (one SDK attempt) seen by the proxy.
type Call struct {
	// Service is the SigV4 signing name from the Authorization header's
	// credential scope: "ecs", "iam", "sts", "logs", "ec2", ...
	Service string
	// Operation is the API operation: from X-Amz-Target for JSON protocols,
	// else the Action parameter for query protocols.
	Operation string
	// Status is the HTTP status returned to the client (502 if forwarding
	// failed); 0 while in flight.
	Status int
	// Injected reports whether the proxy answered with an injected fault
	// instead of forwarding.
	Injected bool
	// Consistency names the consistency rule that shaped the answer (an
	// error returned instead of forwarding, or a rewritten response); empty
	// otherwise. See EnableConsistency.
	Consistency ConsistencyRule
	// Duration is the time from arrival until the response status was
	// written, latency included.
	Duration time.Duration
}

// String renders the call as "service:Operation".
func (c Call) String() string { return c.Service + ":" + c.Operation }

// Fault describes an error the proxy answers with instead of forwarding.
type Fault struct {
	// Service and Operation select the calls the fault applies to; an empty
	// value matches any service or operation.
	Service   string
	Operation string
	// Nth is 1-based: the fault fires on the Nth matching call counted from
	// when the fault was added (0 means 1).
	Nth int
	// Times is how many consecutive matching calls fail starting at the Nth
	// (0 means 1).
	Times int
	// Code is the AWS error code the SDK reports as smithy.APIError's
	// ErrorCode() (default "InjectedFault").
	Code string
	// Status is the HTTP status (default 400). 5xx statuses make the SDK
	// retry; see the Proxy documentation.
	Status int
	// Message is the error message, smithy.APIError's ErrorMessage()
	// (default "fault injected by acctest proxy").
	Message string
}

type faultState struct {
	Fault
	seen int // matching calls since the fault was added
}

// ProxyOption configures NewProxy.
type ProxyOption func(*proxyOptions)

type proxyOptions struct {
	listen      string
	consistency *Windows
}

// WithListenAddr makes the proxy listen on addr (default "127.0.0.1:0", a
// random port), e.g. a fixed "127.0.0.1:4567" for a demo that points
// AWS_ENDPOINT_URL at the proxy.
func WithListenAddr(addr string) ProxyOption {
	return func(o *proxyOptions) { o.listen = addr }
}

// WithConsistency starts the proxy with EnableConsistency(w) (a no-op when
// CONTAINERAPP_TEST_CONSISTENCY turns the mode off).
func WithConsistency(w Windows) ProxyOption {
	return func(o *proxyOptions) { o.consistency = &w }
}

// NewProxy starts a proxy on 127.0.0.1 with a random port that forwards to
// target, e.g. "http://127.0.0.1:4566". Close it when done.
func NewProxy(target string, opts ...ProxyOption) (*Proxy, error) {
	o := proxyOptions{listen: "127.0.0.1:0"}
	for _, opt := range opts {
		opt(&o)
	}
	u, err := url.Parse(target)
	if err != nil {
		return nil, fmt.Errorf("acctest proxy: parsing target %q: %w", target, err)
	}
	if u.Scheme != "http" && u.Scheme != "https" || u.Host == "" {
		return nil, fmt.Errorf("acctest proxy: target %q must be an absolute http(s) URL", target)
	}
	ln, err := net.Listen("tcp", o.listen)
	if err != nil {
		return nil, fmt.Errorf("acctest proxy: listening: %w", err)
	}

	p := &Proxy{
		target:    u,
		ln:        ln,
		transport: http.DefaultTransport.(*http.Transport).Clone(),
	}
	p.rp = &httputil.ReverseProxy{
		Rewrite: func(pr *httputil.ProxyRequest) {
			pr.SetURL(p.target)
			// Keep the Host the client signed (SigV4 signs "host").
			pr.Out.Host = pr.In.Host
		},
		Transport:      p.transport,
		ModifyResponse: p.modifyResponse,
		ErrorHandler: func(w http.ResponseWriter, r *http.Request, err error) {
			http.Error(w, "acctest proxy: forwarding: "+err.Error(), http.StatusBadGateway)
		},
	}
	p.srv = &http.Server{
		Handler:           http.HandlerFunc(p.serveHTTP),
		ReadHeaderTimeout: 30 * time.Second,
	}
	if o.consistency != nil {
		p.EnableConsistency(*o.consistency)
	}
	go func() { _ = p.srv.Serve(ln) }()
	return p, nil
}

// URL is the proxy's base URL ("http://127.0.0.1:PORT"), to be used as the
// endpoint of every AWS service.
func (p *Proxy) URL() string { return "http://" + p.ln.Addr().String() }

// Close stops the proxy and closes its connections. It is safe to call more
// than once.
func (p *Proxy) Close() {
	p.closeOnce.Do(func() {
		_ = p.srv.Close()
		p.transport.CloseIdleConnections()
	})
}

// SetLatency makes the proxy sleep d before handling each call (0 disables).
func (p *Proxy) SetLatency(d time.Duration) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.latency = d
}

// Inject adds a fault. Faults are matched in the order they were added; every
// matching fault counts the call, and the first one that fires answers it.
func (p *Proxy) Inject(f Fault) {
	if f.Nth < 1 {
		f.Nth = 1
	}
	if f.Times < 1 {
		f.Times = 1
	}
	if f.Status == 0 {
		f.Status = http.StatusBadRequest
	}
	if f.Code == "" {
		f.Code = "InjectedFault"
	}
	if f.Message == "" {
		f.Message = "fault injected by acctest proxy"
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.faults = append(p.faults, &faultState{Fault: f})
}

// ClearFaults removes every fault.
func (p *Proxy) ClearFaults() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.faults = nil
}

// OnCall registers a hook called with each completed Call (nil removes it).
// It runs on the request's goroutine, concurrently for concurrent calls, when
// the response status is known and before the response reaches the client, so
// it has run for every attempt by the time an SDK call returns. Keep it fast.
func (p *Proxy) OnCall(fn func(Call)) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.onCall = fn
}

// Calls returns a copy of the recorded calls in arrival order.
func (p *Proxy) Calls() []Call {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]Call(nil), p.calls...)
}

// CountCalls returns how many recorded calls satisfy filter (all if nil).
func (p *Proxy) CountCalls(filter func(Call) bool) int {
	n := 0
	for _, c := range p.Calls() {
		if filter == nil || filter(c) {
			n++
		}
	}
	return n
}

// Operations returns the recorded calls as "service:Operation", in arrival
// order.
func (p *Proxy) Operations() []string {
	calls := p.Calls()
	out := make([]string, len(calls))
	for i, c := range calls {
		out[i] = c.String()
	}
	return out
}

// MutatingCalls returns the recorded calls whose operation IsMutating.
func (p *Proxy) MutatingCalls() []Call {
	var out []Call
	for _, c := range p.Calls() {
		if IsMutating(c.Operation) {
			out = append(out, c)
		}
	}
	return out
}

// ResetCalls forgets the recorded calls. Calls in flight are not recorded.
func (p *Proxy) ResetCalls() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.calls = nil
	p.gen++
}

var mutatingPrefixes = []string{
	"Create", "Put", "Register", "Update", "Delete", "Deregister", "Modify",
	"Attach", "Detach", "Tag", "Untag", "Set", "Add", "Remove", "Authorize",
	"Revoke", "Associate", "Disassociate", "Run", "Start", "Stop", "Change",
}

// IsMutating is a name heuristic: it reports whether op ("Operation" or
// "service:Operation") starts with a verb that changes state, such as Create,
// Put, Delete, Tag or Stop. The verb must be a whole word ("SetX" matches,
// "Settings" does not).
func IsMutating(op string) bool {
	if i := strings.LastIndexByte(op, ':'); i >= 0 {
		op = op[i+1:]
	}
	for _, v := range mutatingPrefixes {
		if !strings.HasPrefix(op, v) {
			continue
		}
		rest := op[len(v):]
		if rest == "" || rest[0] >= 'A' && rest[0] <= 'Z' {
			return true
		}
	}
	return false
}

func (p *Proxy) serveHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	call := Call{Service: signingService(r), Operation: operationName(r)}

	// Consistency mode (see consistency.go) judges the call first: it may
	// answer with an error itself (the object is not visible yet), or watch
	// the upstream response (record what was created or deleted, rewrite
	// reads). Faults count only the calls it lets through, the ones that
	// would reach AWS, so the Nth call of an injected fault is the same call
	// with the windows on or off.
	p.mu.Lock()
	cons := p.cons
	p.mu.Unlock()
	var ex *exchange
	var early *consistencyAnswer
	if cons != nil {
		if ex = cons.begin(r, call.Service, call.Operation); ex != nil {
			early = ex.check()
		}
	}

	// Record on arrival (arrival order) and decide on a fault in the same
	// critical section, so fault counting follows arrival order too.
	p.mu.Lock()
	idx, gen := len(p.calls), p.gen
	p.calls = append(p.calls, call)
	var fault *Fault
	for _, f := range p.faults {
		if early != nil {
			break
		}
		if f.Service != "" && f.Service != call.Service || f.Operation != "" && f.Operation != call.Operation {
			continue
		}
		f.seen++
		if fault == nil && f.seen >= f.Nth && f.seen < f.Nth+f.Times {
			ff := f.Fault
			fault = &ff
		}
	}
	latency := p.latency
	p.mu.Unlock()

	if latency > 0 {
		t := time.NewTimer(latency)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
		}
	}

	switch {
	case fault != nil:
		ex = nil // the injected answer is all the client sees
	case ex != nil && early == nil:
		r = r.WithContext(context.WithValue(r.Context(), exchangeKey{}, ex))
	}

	// The call is finalized (recorded and the hook run) when the status is
	// written, before the client can see the response: once an SDK call
	// returns, its attempts are in Calls().
	var once sync.Once
	finish := func(status int) {
		once.Do(func() {
			if ex != nil {
				call.Consistency = ex.answered()
			}
			call.Status = status
			call.Duration = time.Since(start)
			p.mu.Lock()
			if p.gen == gen && idx < len(p.calls) {
				p.calls[idx] = call
			}
			hook := p.onCall
			p.mu.Unlock()
			if hook != nil {
				hook(call)
			}
		})
	}
	rec := &statusRecorder{ResponseWriter: w, onStatus: finish}
	switch {
	case fault != nil:
		call.Injected = true
		p.writeFault(rec, r, call.Service, *fault)
	case early != nil:
		p.writeFault(rec, r, call.Service, early.fault)
	default:
		p.rp.ServeHTTP(rec, r)
	}
	finish(http.StatusOK) // no-op unless nothing was written
}

// signingService returns the SigV4 signing name from the credential scope
// ("Credential=AKID/20250101/us-east-1/ecs/aws4_request" -> "ecs").
func signingService(r *http.Request) string {
	if parts := credentialScope(r); len(parts) >= 5 {
		return parts[len(parts)-2]
	}
	return ""
}

// signingRegion returns the region of the credential scope ("us-east-1").
func signingRegion(r *http.Request) string {
	if parts := credentialScope(r); len(parts) >= 5 {
		return parts[len(parts)-3]
	}
	return ""
}

// credentialScope splits the SigV4 credential ("AKID/date/region/service/
// aws4_request") of the Authorization header or a presigned URL.
func credentialScope(r *http.Request) []string {
	cred := ""
	if auth := r.Header.Get("Authorization"); auth != "" {
		if i := strings.Index(auth, "Credential="); i >= 0 {
			cred = auth[i+len("Credential="):]
			if j := strings.IndexAny(cred, ", "); j >= 0 {
				cred = cred[:j]
			}
		}
	} else {
		cred = r.URL.Query().Get("X-Amz-Credential") // presigned URL
	}
	return strings.Split(cred, "/")
}

// operationName returns the operation from X-Amz-Target (JSON protocols), the
// Action parameter (query protocols; the body is read and restored), or the
// rpcv2 path "/service/S/operation/Op".
func operationName(r *http.Request) string {
	if t := r.Header.Get("X-Amz-Target"); t != "" {
		return t[strings.LastIndexByte(t, '.')+1:]
	}
	if a := r.URL.Query().Get("Action"); a != "" {
		return a
	}
	if i := strings.LastIndex(r.URL.Path, "/operation/"); i >= 0 && strings.HasPrefix(r.URL.Path, "/service/") {
		return r.URL.Path[i+len("/operation/"):]
	}
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mt != "application/x-www-form-urlencoded" {
		return ""
	}
	form, err := peekBody(r)
	if err != nil {
		return ""
	}
	v, err := url.ParseQuery(string(form))
	if err != nil {
		return ""
	}
	return v.Get("Action")
}

// maxPeek bounds the bodies the proxy reads to look inside (AWS API requests
// and responses are far smaller).
const maxPeek = 32 << 20

// peekBody reads r's body, puts an identical one back (so it is forwarded
// intact) and returns its content, gunzipped when Content-Encoding is gzip.
func peekBody(r *http.Request) ([]byte, error) {
	if r.Body == nil || r.Body == http.NoBody {
		return nil, nil
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxPeek))
	_ = r.Body.Close()
	r.Body = io.NopCloser(bytes.NewReader(body))
	r.ContentLength = int64(len(body))
	r.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
	if err != nil {
		return nil, err
	}
	if strings.EqualFold(r.Header.Get("Content-Encoding"), "gzip") {
		return gunzip(body)
	}
	return body, nil
}

func gunzip(b []byte) ([]byte, error) {
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		return nil, err
	}
	return io.ReadAll(io.LimitReader(zr, maxPeek))
}

// writeFault answers in the protocol the SDK expects for the request.
func (p *Proxy) writeFault(w http.ResponseWriter, r *http.Request, service string, f Fault) {
	reqID := fmt.Sprintf("acctest-proxy-%08d", p.reqSeq.Add(1))
	ct := r.Header.Get("Content-Type")
	h := w.Header()
	h.Set("X-Amzn-RequestId", reqID)

	switch {
	case r.Header.Get("X-Amz-Target") != "" || strings.Contains(ct, "json"):
		// awsJson1_0 / awsJson1_1 (and restJson1, which reads the same fields).
		if !strings.Contains(ct, "json") {
			ct = "application/x-amz-json-1.1"
		}
		h.Set("Content-Type", ct)
		h.Set("X-Amzn-ErrorType", f.Code)
		body, _ := json.Marshal(map[string]string{"__type": f.Code, "message": f.Message})
		w.WriteHeader(f.Status)
		_, _ = w.Write(body)

	case service == "ec2":
		var b bytes.Buffer
		b.WriteString(xml.Header)
		b.WriteString("<Response><Errors><Error><Code>")
		xmlEscape(&b, f.Code)
		b.WriteString("</Code><Message>")
		xmlEscape(&b, f.Message)
		b.WriteString("</Message></Error></Errors><RequestID>")
		xmlEscape(&b, reqID)
		b.WriteString("</RequestID></Response>")
		h.Set("Content-Type", "text/xml;charset=UTF-8")
		w.WriteHeader(f.Status)
		_, _ = w.Write(b.Bytes())

	default: // awsQuery: IAM, STS, ELBv2, ...
		typ := "Sender"
		if f.Status >= 500 {
			typ = "Receiver"
		}
		var b bytes.Buffer
		b.WriteString(xml.Header)
		b.WriteString(`<ErrorResponse><Error><Type>`)
		b.WriteString(typ)
		b.WriteString("</Type><Code>")
		xmlEscape(&b, f.Code)
		b.WriteString("</Code><Message>")
		xmlEscape(&b, f.Message)
		b.WriteString("</Message></Error><RequestId>")
		xmlEscape(&b, reqID)
		b.WriteString("</RequestId></ErrorResponse>")
		h.Set("Content-Type", "text/xml")
		w.WriteHeader(f.Status)
		_, _ = w.Write(b.Bytes())
	}
}

func xmlEscape(b *bytes.Buffer, s string) { _ = xml.EscapeText(b, []byte(s)) }

// statusRecorder reports the response status once, before it is sent; Unwrap
// lets http.ResponseController (used by ReverseProxy to flush) reach the
// underlying writer.
type statusRecorder struct {
	http.ResponseWriter
	onStatus func(int)
	wrote    bool
}

func (s *statusRecorder) WriteHeader(code int) {
	if !s.wrote && code >= 200 { // 1xx responses are informational
		s.wrote = true
		s.onStatus(code)
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusRecorder) Write(b []byte) (int, error) {
	if !s.wrote {
		s.WriteHeader(http.StatusOK)
	}
	return s.ResponseWriter.Write(b)
}

func (s *statusRecorder) Unwrap() http.ResponseWriter { return s.ResponseWriter }
