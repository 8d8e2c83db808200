package engine

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/containerapp/terraform-provider-containerapp/internal/composite"
)

// fakeCloud is an in-memory AWS for engine tests. It enforces what matters
// for ordering (unique names, resources in use cannot be deleted, references
// must be resolved), records every call with timestamps, tracks concurrency
// and injects faults.
type fakeCloud struct {
	mu          sync.Mutex
	seq         int
	live        map[string]*fakeObj // by identifier (arn, or id)
	calls       []fakeCall
	faults      []*fakeFault
	delay       time.Duration
	delays      map[composite.Kind]time.Duration
	inflight    int
	maxInflight int
	// after, if set, runs (outside the lock) after every call.
	after func(fakeCall)
}

type fakeObj struct {
	Ident   string
	Key     string // logical key of the child that created it
	Kind    composite.Kind
	Name    string
	Props   any // resolved
	Outputs map[string]string
}

type fakeCall struct {
	Kind       composite.Kind
	Op         string // create | update | delete | read
	Key        string
	Ident      string // for update/delete/read: the recorded identifier
	Start, End time.Time
	Err        error
}

// fakeFault fails the Nth call matching (Kind, Op, Key); empty fields match
// anything, Op "" matches mutating calls only. N == 0 fails every match.
// Partial creates/updates do the work, then return outputs and the error.
type fakeFault struct {
	Kind    composite.Kind
	Op      string
	Key     string
	N       int
	Partial bool
	seen    int
	hit     int
}

var errInjected = errors.New("injected fault")

func newFakeCloud() *fakeCloud {
	return &fakeCloud{live: map[string]*fakeObj{}, delay: 10 * time.Millisecond, delays: map[composite.Kind]time.Duration{}}
}

var allKinds = []composite.Kind{
	composite.KindIAMRole, composite.KindIAMRolePolicy, composite.KindLogGroup, composite.KindECRRepository,
	composite.KindTargetGroup, composite.KindListenerRule, composite.KindDiscoveryService,
	composite.KindTaskDefinition, composite.KindECSService,
}

func (f *fakeCloud) registry() Registry {
	reg := Registry{}
	for _, k := range allKinds {
		reg[k] = &fakeHandler{f: f, kind: k}
	}
	return reg
}

func (f *fakeCloud) addFault(ft *fakeFault) *fakeFault {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.faults = append(f.faults, ft)
	return ft
}

func (f *fakeCloud) clearFaults() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.faults = nil
}

func (f *fakeCloud) faultHits() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	for _, ft := range f.faults {
		n += ft.hit
	}
	return n
}

// fault reports whether this call fails (and whether partially). Must hold mu.
func (f *fakeCloud) fault(kind composite.Kind, op, key string) (error, bool) {
	for _, ft := range f.faults {
		if ft.Kind != "" && ft.Kind != kind {
			continue
		}
		if ft.Op == "" && op == "read" || ft.Op != "" && ft.Op != op {
			continue
		}
		if ft.Key != "" && ft.Key != key {
			continue
		}
		ft.seen++
		if ft.N == 0 || ft.seen == ft.N {
			ft.hit++
			return fmt.Errorf("%w: %s %s %s (call %d)", errInjected, op, kind, key, ft.seen), ft.Partial
		}
	}
	return nil, false
}

func (f *fakeCloud) begin(kind composite.Kind) time.Time {
	f.mu.Lock()
	f.inflight++
	if f.inflight > f.maxInflight {
		f.maxInflight = f.inflight
	}
	d, ok := f.delays[kind]
	if !ok {
		d = f.delay
	}
	f.mu.Unlock()
	start := time.Now()
	time.Sleep(d)
	return start
}

// end records the call; must hold mu.
func (f *fakeCloud) end(c fakeCall) fakeCall {
	c.End = time.Now()
	f.inflight--
	f.calls = append(f.calls, c)
	return c
}

func (f *fakeCloud) finish(c fakeCall) {
	if f.after != nil {
		f.after(c)
	}
}

func (f *fakeCloud) outputs(kind composite.Kind, name string, props any, arn string, seq int) map[string]string {
	out := map[string]string{composite.AttrName: name}
	switch p := props.(type) {
	case *composite.RolePolicyProps:
		out[composite.AttrID] = p.Role + ":" + p.Name
		return out
	}
	out[composite.AttrARN] = arn
	switch kind {
	case composite.KindECRRepository:
		out[composite.AttrURL] = "123456789012.dkr.ecr.us-east-1.amazonaws.com/" + name
	case composite.KindTaskDefinition:
		out[composite.AttrRevision] = strconv.Itoa(seq)
	case composite.KindListenerRule:
		out[composite.AttrPriority] = "100"
	}
	return out
}

// identOf is the identifier the engine should record for outputs.
func identOf(out map[string]string) string {
	if out[composite.AttrARN] != "" {
		return out[composite.AttrARN]
	}
	return out[composite.AttrID]
}

func propsJSON(p any) string {
	b, _ := json.Marshal(p)
	return string(b)
}

type fakeHandler struct {
	f    *fakeCloud
	kind composite.Kind
}

func (h *fakeHandler) Create(ctx context.Context, c composite.Child) (map[string]string, error) {
	f := h.f
	start := f.begin(h.kind)
	f.mu.Lock()
	call := fakeCall{Kind: h.kind, Op: "create", Key: c.Key, Start: start}
	out, err := func() (map[string]string, error) {
		if c.Kind != h.kind {
			return nil, fmt.Errorf("child kind %s sent to %s handler", c.Kind, h.kind)
		}
		if strings.Contains(propsJSON(c.Props), "${") {
			return nil, fmt.Errorf("unresolved reference in props: %s", propsJSON(c.Props))
		}
		ferr, partial := f.fault(h.kind, "create", c.Key)
		if ferr != nil && !partial {
			return nil, ferr
		}
		if h.kind != composite.KindTaskDefinition {
			// Names are unique per kind and name scope (a Cloud Map service
			// per namespace, a security group per VPC, ...).
			scope := composite.NameScope(c)
			for _, o := range f.live {
				if o.Kind == h.kind && o.Name == c.Name && composite.NameScope(composite.Child{Kind: o.Kind, Name: o.Name, Props: o.Props}) == scope {
					return nil, fmt.Errorf("AlreadyExists: %s %q in scope %q", h.kind, c.Name, scope)
				}
			}
		}
		f.seq++
		arn := fmt.Sprintf("arn:fake:%s:%s/%d", h.kind, c.Name, f.seq)
		out := f.outputs(h.kind, c.Name, c.Props, arn, f.seq)
		o := &fakeObj{Ident: identOf(out), Key: c.Key, Kind: h.kind, Name: c.Name, Props: c.Props, Outputs: out}
		f.live[o.Ident] = o
		call.Ident = o.Ident
		return copyOutputs(out), ferr
	}()
	call.Err = err
	call = f.end(call)
	f.mu.Unlock()
	f.finish(call)
	return out, err
}

func (h *fakeHandler) Update(ctx context.Context, c composite.Child, prev composite.Recorded) (map[string]string, error) {
	f := h.f
	start := f.begin(h.kind)
	f.mu.Lock()
	call := fakeCall{Kind: h.kind, Op: "update", Key: c.Key, Ident: prev.ARN, Start: start}
	out, err := func() (map[string]string, error) {
		if strings.Contains(propsJSON(c.Props), "${") {
			return nil, fmt.Errorf("unresolved reference in props: %s", propsJSON(c.Props))
		}
		ferr, partial := f.fault(h.kind, "update", c.Key)
		if ferr != nil && !partial {
			return nil, ferr
		}
		o, ok := f.live[prev.ARN]
		if !ok {
			return nil, fmt.Errorf("NotFound: %s %q", h.kind, prev.ARN)
		}
		if h.kind == composite.KindTaskDefinition && propsJSON(o.Props) != propsJSON(c.Props) {
			// Like ECS: a changed task definition is a new revision; the
			// previous one stays until it is deregistered.
			f.seq++
			arn := fmt.Sprintf("arn:fake:%s:%s/%d", h.kind, c.Name, f.seq)
			out := f.outputs(h.kind, c.Name, c.Props, arn, f.seq)
			n := &fakeObj{Ident: identOf(out), Key: c.Key, Kind: h.kind, Name: c.Name, Props: c.Props, Outputs: out}
			f.live[n.Ident] = n
			return copyOutputs(out), ferr
		}
		seq, _ := strconv.Atoi(o.Outputs[composite.AttrRevision])
		out := f.outputs(h.kind, c.Name, c.Props, o.Outputs[composite.AttrARN], seq)
		delete(f.live, o.Ident)
		o.Ident, o.Name, o.Props, o.Outputs = identOf(out), c.Name, c.Props, out
		f.live[o.Ident] = o
		return copyOutputs(out), ferr
	}()
	call.Err = err
	call = f.end(call)
	f.mu.Unlock()
	f.finish(call)
	return out, err
}

func (h *fakeHandler) Delete(ctx context.Context, rec composite.Recorded) error {
	f := h.f
	start := f.begin(h.kind)
	f.mu.Lock()
	call := fakeCall{Kind: h.kind, Op: "delete", Key: rec.Key, Ident: rec.ARN, Start: start}
	err := func() error {
		if ferr, _ := f.fault(h.kind, "delete", rec.Key); ferr != nil {
			return ferr
		}
		o, ok := f.live[rec.ARN]
		if !ok {
			return nil // already gone
		}
		for _, other := range f.live {
			if other == o {
				continue
			}
			switch o.Kind {
			case composite.KindTargetGroup, composite.KindDiscoveryService, composite.KindTaskDefinition:
				if strings.Contains(propsJSON(other.Props), o.Ident) {
					return fmt.Errorf("ResourceInUse: %s %q is used by %s %q", o.Kind, o.Name, other.Kind, other.Name)
				}
			case composite.KindIAMRole:
				if p, ok := other.Props.(*composite.RolePolicyProps); ok && p.Role == o.Name {
					return fmt.Errorf("DeleteConflict: role %q has inline policy %q", o.Name, p.Name)
				}
			}
		}
		delete(f.live, rec.ARN)
		return nil
	}()
	call.Err = err
	call = f.end(call)
	f.mu.Unlock()
	f.finish(call)
	return err
}

func (h *fakeHandler) Observe(ctx context.Context, rec composite.Recorded, _ bool) (composite.Observed, bool, error) {
	f := h.f
	start := f.begin(h.kind)
	f.mu.Lock()
	call := fakeCall{Kind: h.kind, Op: "read", Key: rec.Key, Ident: rec.ARN, Start: start}
	var (
		obs   composite.Observed
		found bool
		err   error
	)
	if err, _ = f.fault(h.kind, "read", rec.Key); err == nil {
		if o, ok := f.live[rec.ARN]; ok {
			obs, found = composite.Observed{Props: o.Props, Outputs: copyOutputs(o.Outputs)}, true
		}
	}
	call.Err = err
	call = f.end(call)
	f.mu.Unlock()
	f.finish(call)
	return obs, found, err
}

// --- inspection helpers ---

func (f *fakeCloud) liveIdents() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []string
	for id := range f.live {
		out = append(out, id)
	}
	sort.Strings(out)
	return out
}

func (f *fakeCloud) obj(ident string) *fakeObj {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.live[ident]
}

func (f *fakeCloud) removeOutOfBand(ident string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	delete(f.live, ident)
}

func (f *fakeCloud) callLog() []fakeCall {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]fakeCall(nil), f.calls...)
}

func (f *fakeCloud) resetCalls() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls, f.maxInflight = nil, 0
}

func (f *fakeCloud) peak() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.maxInflight
}

// find returns the calls matching op and key ("" matches any).
func findCalls(calls []fakeCall, op, key string) []fakeCall {
	var out []fakeCall
	for _, c := range calls {
		if (op == "" || c.Op == op) && (key == "" || c.Key == key) {
			out = append(out, c)
		}
	}
	return out
}

// assertNoOrphans checks the central promise: what the fake says exists is
// exactly what the recorded set says, child by child.
func assertNoOrphans(t *testing.T, f *fakeCloud, rec map[string]composite.Recorded) {
	t.Helper()
	var recorded []string
	for k, r := range rec {
		if r.Key != k {
			t.Errorf("record under %q has Key %q", k, r.Key)
		}
		recorded = append(recorded, r.ARN)
		o := f.obj(r.ARN)
		if o == nil {
			t.Errorf("recorded %q (%s) does not exist in the fake", k, r.ARN)
			continue
		}
		if base, _, _ := strings.Cut(k, "#"); o.Key != base || o.Kind != r.Kind {
			t.Errorf("recorded %q points at %s created for %q", k, o.Kind, o.Key)
		}
	}
	sort.Strings(recorded)
	if live := f.liveIdents(); strings.Join(live, ",") != strings.Join(recorded, ",") {
		t.Errorf("live objects differ from recorded set:\n live:     %v\n recorded: %v", live, recorded)
	}
}

// assertConverged checks that rec is exactly the graph, fully applied, and
// that a new plan is empty.
func assertConverged(t *testing.T, f *fakeCloud, g composite.Graph, rec map[string]composite.Recorded) {
	t.Helper()
	assertNoOrphans(t, f, rec)
	if len(rec) != len(g.Children) {
		t.Errorf("recorded %d children, graph has %d: %v", len(rec), len(g.Children), keysOf(rec))
	}
	for _, c := range g.Children {
		r, ok := rec[c.Key]
		if !ok {
			t.Errorf("child %q not recorded", c.Key)
			continue
		}
		if r.Hash != c.Hash || r.ReplaceHash != c.ReplaceHash || r.Name != c.Name || r.Kind != c.Kind {
			t.Errorf("child %q recorded as %+v", c.Key, r)
		}
	}
	// What exists matches the graph resolved against what exists: no child
	// still points at an object that was replaced.
	outputs := map[string]map[string]string{}
	for k, r := range rec {
		outputs[k] = r.Outputs
	}
	for _, c := range g.Children {
		want, err := composite.Resolve(c.Props, outputs)
		if err != nil {
			t.Errorf("resolving %q: %v", c.Key, err)
			continue
		}
		if o := f.obj(rec[c.Key].ARN); o != nil && propsJSON(o.Props) != propsJSON(want) {
			t.Errorf("child %q is stale:\n have %s\n want %s", c.Key, propsJSON(o.Props), propsJSON(want))
		}
	}
	for _, a := range composite.Diff(g, rec) {
		if a.Changes() {
			t.Errorf("plan after apply not empty: %+v", a)
		}
	}
}

func keysOf(m map[string]composite.Recorded) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// childErrors flattens err (joined or not) into its ChildErrors.
func childErrors(err error) []*ChildError {
	var out []*ChildError
	var walk func(error)
	walk = func(e error) {
		if e == nil {
			return
		}
		if ce, ok := e.(*ChildError); ok {
			out = append(out, ce)
			return
		}
		switch u := e.(type) {
		case interface{ Unwrap() []error }:
			for _, x := range u.Unwrap() {
				walk(x)
			}
		case interface{ Unwrap() error }:
			walk(u.Unwrap())
		}
	}
	walk(err)
	return out
}

// --- the test graph ---

func testHash(parts ...string) string {
	s := sha256.Sum256([]byte(strings.Join(parts, "\x00")))
	return hex.EncodeToString(s[:8])
}

func testChild(key string, kind composite.Kind, name string, props any, replaceOn ...string) composite.Child {
	c := composite.Child{Key: key, Kind: kind, Name: name, Props: props, ReplaceOn: replaceOn}
	c.Hash = testHash(string(kind), name, propsJSON(props))
	c.ReplaceHash = testHash(string(kind), name)
	if kind == composite.KindTaskDefinition {
		c.ReplaceHash = c.Hash
	}
	return c
}

// rehash recomputes the hashes of every child (after a test edits props).
func rehash(g composite.Graph) composite.Graph {
	for i, c := range g.Children {
		g.Children[i] = testChild(c.Key, c.Kind, c.Name, c.Props, c.ReplaceOn...)
	}
	return g
}

type svcOpts struct {
	execRoleName string
	image        string
}

// serviceGraph is shaped like the expansion of a load-balanced service.
func serviceGraph(o svcOpts) composite.Graph {
	if o.execRoleName == "" {
		o.execRoleName = "web-exec"
	}
	if o.image == "" {
		o.image = composite.RefString("repository", composite.AttrURL) + ":v1"
	}
	ref := composite.RefString
	tags := map[string]string{composite.TagOwner: "platform/web"}
	return composite.Graph{Owner: "platform/web", Children: []composite.Child{
		testChild("execution_role", composite.KindIAMRole, o.execRoleName,
			&composite.RoleProps{Name: o.execRoleName, AssumeRolePolicy: `{"Version":"2012-10-17"}`, Tags: tags}),
		testChild("execution_role_policy", composite.KindIAMRolePolicy, "web-exec-policy",
			&composite.RolePolicyProps{Role: ref("execution_role", composite.AttrName), Name: "web-exec-policy",
				Policy: `{"Resource":["` + ref("log_group", composite.AttrARN) + `","` + ref("repository", composite.AttrARN) + `"]}`}),
		testChild("task_role", composite.KindIAMRole, "web-task",
			&composite.RoleProps{Name: "web-task", AssumeRolePolicy: `{"Version":"2012-10-17"}`, Tags: tags}),
		testChild("log_group", composite.KindLogGroup, "/ecs/web",
			&composite.LogGroupProps{Name: "/ecs/web", RetentionDays: 30, Tags: tags}),
		testChild("repository", composite.KindECRRepository, "web",
			&composite.RepositoryProps{Name: "web", ImageTagMutability: "IMMUTABLE", ScanOnPush: true, Tags: tags}),
		testChild("target_group", composite.KindTargetGroup, "web-tg",
			&composite.TargetGroupProps{Name: "web-tg", Port: 8080, Protocol: "HTTP", TargetType: "ip", Tags: tags}),
		testChild("listener_rule", composite.KindListenerRule, "web-rule",
			&composite.ListenerRuleProps{ListenerARN: "arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/lb/1/2",
				PathPatterns: []string{"/*"}, TargetGroupARN: ref("target_group", composite.AttrARN), Tags: tags}),
		testChild("discovery_service", composite.KindDiscoveryService, "web",
			&composite.DiscoveryServiceProps{Name: "web", NamespaceID: "ns-1", DNSTTL: 10, Tags: tags}),
		testChild("task_definition", composite.KindTaskDefinition, "web",
			&composite.TaskDefinitionProps{Family: "web", CPU: 256, Memory: 512, NetworkMode: "awsvpc",
				ExecutionRoleARN: ref("execution_role", composite.AttrARN), TaskRoleARN: ref("task_role", composite.AttrARN),
				Containers: []composite.ContainerDef{{Name: "web", Image: o.image, Essential: true, Port: 8080,
					LogGroup: ref("log_group", composite.AttrName), LogStreamPrefix: "web"}},
				Tags: tags},
			"execution_role", "task_role"),
		testChild("service", composite.KindECSService, "web",
			&composite.ServiceProps{Name: "web", Cluster: "platform", TaskDefinition: ref("task_definition", composite.AttrARN), DesiredCount: 2,
				LoadBalancers:     []composite.ServiceLoadBalancer{{TargetGroupARN: ref("target_group", composite.AttrARN), ContainerName: "web", ContainerPort: 8080}},
				ServiceRegistries: []composite.ServiceRegistry{{RegistryARN: ref("discovery_service", composite.AttrARN)}},
				Tags:              tags}),
	}}
}

// createAll applies a full create without faults.
func createAll(t *testing.T, f *fakeCloud, g composite.Graph, opts Options) map[string]composite.Recorded {
	t.Helper()
	rec, err := Apply(context.Background(), f.registry(), g, nil, composite.Diff(g, nil), opts)
	if err != nil {
		t.Fatalf("create: %v", err)
	}
	assertConverged(t, f, g, rec)
	return rec
}

// destroyAll destroys and checks that nothing is left.
func destroyAll(t *testing.T, f *fakeCloud, rec map[string]composite.Recorded, opts Options) {
	t.Helper()
	out, err := Destroy(context.Background(), f.registry(), rec, opts)
	if err != nil {
		t.Fatalf("destroy: %v", err)
	}
	if len(out) != 0 {
		t.Errorf("destroy left records: %v", keysOf(out))
	}
	if live := f.liveIdents(); len(live) != 0 {
		t.Errorf("destroy left objects: %v", live)
	}
}

// Find locates a live object by the id a lookup carries, else by name; a
// lookup that asks for an owned object refuses one made for another key.
func (h *fakeHandler) Find(ctx context.Context, q composite.Lookup) (composite.Recorded, composite.Observed, bool, error) {
	f := h.f
	start := f.begin(h.kind)
	f.mu.Lock()
	call := fakeCall{Kind: h.kind, Op: "find", Key: q.Key, Ident: q.ID, Start: start}
	var (
		rec   composite.Recorded
		obs   composite.Observed
		found bool
		err   error
	)
	for _, o := range f.live {
		if o.Kind != h.kind || (q.ID != "" && o.Ident != q.ID) || (q.ID == "" && o.Name != q.Name) {
			continue
		}
		if q.OwnedOnly && o.Key != q.Key {
			err = fmt.Errorf("%s %q belongs to child %q, not %q", o.Kind, o.Name, o.Key, q.Key)
			break
		}
		rec = composite.Recorded{Kind: o.Kind, Name: o.Name, ARN: o.Ident, Outputs: copyOutputs(o.Outputs)}
		obs, found = composite.Observed{Props: o.Props, Outputs: copyOutputs(o.Outputs), Full: true}, true
		break
	}
	call.Err = err
	call = f.end(call)
	f.mu.Unlock()
	f.finish(call)
	return rec, obs, found, err
}
