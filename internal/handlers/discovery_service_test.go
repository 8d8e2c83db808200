package handlers

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/containerapp/terraform-provider-containerapp/internal/acctest"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/servicediscovery"
	sdtypes "github.com/aws/aws-sdk-go-v2/service/servicediscovery/types"
	"github.com/aws/smithy-go"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/containerapp/terraform-provider-containerapp/internal/composite"
)

func discoveryChild(name, namespace string, ttl int64, tags map[string]string) composite.Child {
	return composite.Child{
		Key: "discovery_service", Kind: composite.KindDiscoveryService, Name: name, Hash: "h",
		Props: &composite.DiscoveryServiceProps{
			Name: name, NamespaceID: namespace, DNSTTL: ttl, RoutingPolicy: "MULTIVALUE",
			RecordTypes: []string{"A", "SRV"}, FailureThreshold: 1, Tags: tags,
		},
	}
}

// httpDiscoveryChild is the child the expander builds in an HTTP
// namespace: no DNS records, TTL or routing policy.
func httpDiscoveryChild(name, namespace string, tags map[string]string) composite.Child {
	return newChild("discovery_service", composite.KindDiscoveryService, name, &composite.DiscoveryServiceProps{
		Name: name, NamespaceID: namespace, FailureThreshold: 1, HTTPNamespace: true, Tags: tags,
	})
}

// newHTTPNamespace creates a Cloud Map HTTP namespace for the test and
// removes it afterwards.
func newHTTPNamespace(t *testing.T, at *accEnv, client *servicediscovery.Client) string {
	t.Helper()
	out, err := client.CreateHttpNamespace(at.ctx, &servicediscovery.CreateHttpNamespaceInput{Name: aws.String(acctest.RandomName("ns"))})
	if err != nil {
		t.Fatalf("CreateHttpNamespace: %v", err)
	}
	return namespaceOperationTarget(t, at, client, out.OperationId)
}

// newDNSNamespace creates a Cloud Map private DNS namespace (in a VPC of its
// own: one private DNS namespace per VPC) for a test of DNS records, and
// removes both afterwards.
func newDNSNamespace(t *testing.T, at *accEnv, client *servicediscovery.Client) string {
	t.Helper()
	vpc, err := at.ec2.CreateVpc(at.ctx, &ec2.CreateVpcInput{CidrBlock: aws.String("10.41.0.0/16")})
	if err != nil {
		t.Fatalf("CreateVpc: %v", err)
	}
	vpcID := aws.ToString(vpc.Vpc.VpcId)
	t.Cleanup(func() { _, _ = at.ec2.DeleteVpc(context.Background(), &ec2.DeleteVpcInput{VpcId: aws.String(vpcID)}) })
	out, err := client.CreatePrivateDnsNamespace(at.ctx, &servicediscovery.CreatePrivateDnsNamespaceInput{
		Name: aws.String(acctest.RandomName("ns") + ".internal"), Vpc: aws.String(vpcID),
	})
	if err != nil {
		t.Fatalf("CreatePrivateDnsNamespace: %v", err)
	}
	return namespaceOperationTarget(t, at, client, out.OperationId)
}

// namespaceOperationTarget returns the namespace a create operation made,
// deleted when the test ends.
func namespaceOperationTarget(t *testing.T, at *accEnv, client *servicediscovery.Client, opID *string) string {
	t.Helper()
	op, err := client.GetOperation(at.ctx, &servicediscovery.GetOperationInput{OperationId: opID})
	if err != nil {
		t.Fatalf("GetOperation: %v", err)
	}
	id := op.Operation.Targets[string(sdtypes.OperationTargetTypeNamespace)]
	if id == "" {
		t.Fatalf("namespace operation %+v has no namespace target", op.Operation)
	}
	t.Cleanup(func() {
		_, _ = client.DeleteNamespace(context.Background(), &servicediscovery.DeleteNamespaceInput{Id: aws.String(id)})
	})
	return id
}

func TestAccDiscoveryServiceHandler_lifecycle(t *testing.T) {
	at := newAcc(t)
	ctx := at.ctx
	client := servicediscovery.NewFromConfig(at.cfg)
	h := NewDiscoveryServiceHandler(client)
	namespace := newDNSNamespace(t, at, client)
	name := acctest.RandomName("app")
	owner := acctest.RandomName("owner")

	// Create.
	c := discoveryChild(name, namespace, 10, ownerTags(owner, "discovery_service", map[string]string{"team": "a", "drop": "me"}))
	out, err := h.Create(ctx, c)
	if err != nil {
		t.Fatalf("Create: %v", err)
	}
	requireOutputs(t, out, composite.AttrARN, composite.AttrID, composite.AttrName)
	id := out[composite.AttrID]
	t.Cleanup(func() { _ = h.Delete(ctx, composite.Recorded{Outputs: map[string]string{composite.AttrID: id}}) })
	if !strings.HasSuffix(out[composite.AttrARN], "/"+id) || out[composite.AttrName] != name {
		t.Errorf("Create outputs = %v", out)
	}
	svc := getDiscoveryService(t, at, client, id)
	if svc.DnsConfig == nil || len(svc.DnsConfig.DnsRecords) != 2 || aws.ToInt64(svc.DnsConfig.DnsRecords[0].TTL) != 10 ||
		svc.DnsConfig.RoutingPolicy != sdtypes.RoutingPolicyMultivalue {
		t.Errorf("DNS config after create = %+v", svc.DnsConfig)
	}
	if got := aws.ToString(svc.CreatorRequestId); !strings.HasPrefix(got, "containerapp-") || len(got) > 64 {
		t.Errorf("CreatorRequestId = %q, want a containerapp- token of at most 64 characters", got)
	}
	rec := recorded(c, out)

	// Observe (a refresh): found, one call, the props without the tags
	// (another call); the ARN alone is enough to find it.
	at.ops.reset()
	obs, found, err := h.Observe(ctx, rec, false)
	if err != nil || !found {
		t.Fatalf("Observe = found %v, err %v; want found", found, err)
	}
	requireCalls(t, "Observe", at.ops.calls(), "GetService")
	if got := obs.Outputs; got[composite.AttrARN] != out[composite.AttrARN] || got[composite.AttrID] != id || got[composite.AttrName] != name {
		t.Errorf("Observe outputs = %v, want %v", got, out)
	}
	refreshed := clone(c.Props).(*composite.DiscoveryServiceProps)
	refreshed.Tags = nil
	expectObservedProps(t, "Observe", c.Kind, refreshed, obs.Props)
	if _, found, err := h.Observe(ctx, composite.Recorded{ARN: out[composite.AttrARN]}, false); err != nil || !found {
		t.Errorf("Observe by ARN = found %v, err %v", found, err)
	}

	// Find by the registry ARN (what the ECS service registers in), and by
	// name in the namespace: in full, the created props.
	at.ops.reset()
	q := composite.Lookup{Key: c.Key, Kind: c.Kind, Owner: owner, ID: out[composite.AttrARN], OwnedOnly: true}
	frec, fobs, found, err := h.Find(ctx, q)
	if err != nil || !found {
		t.Fatalf("Find = found %v, err %v", found, err)
	}
	requireCalls(t, "Find", at.ops.calls(), "GetService", "ListTagsForResource")
	if frec.Key != c.Key || frec.Kind != c.Kind || frec.Name != name || frec.ARN != out[composite.AttrARN] || frec.Outputs[composite.AttrID] != id || !fobs.Full {
		t.Errorf("Find = %+v, %+v", frec, fobs)
	}
	expectObservedProps(t, "Find", c.Kind, c.Props, fobs.Props)
	byName := composite.Lookup{Key: c.Key, Kind: c.Kind, Owner: owner, Name: name, Scope: map[string]string{composite.LookupNamespaceID: namespace}}
	if frec, _, found, err := h.Find(ctx, byName); err != nil || !found || frec.Outputs[composite.AttrID] != id {
		t.Errorf("Find by name = %+v, %v, %v", frec, found, err)
	}
	byName.Name = name + "-missing"
	if _, _, found, err := h.Find(ctx, byName); err != nil || found {
		t.Errorf("Find of a missing name = %v, %v", found, err)
	}
	q.Owner = "someone-else"
	if _, _, _, err := h.Find(ctx, q); !errors.Is(err, ErrNotOwned) || !strings.Contains(err.Error(), name) {
		t.Errorf("Find (owned only) of another owner's service: err = %v", err)
	}

	// No-op update: no mutating call.
	at.ops.reset()
	if _, err := h.Update(ctx, c, rec); err != nil {
		t.Fatalf("no-op Update: %v", err)
	}
	if m := at.ops.mutating(); len(m) > 0 {
		t.Errorf("no-op Update made mutating calls %v", m)
	}

	// Update the TTL and tags.
	c2 := discoveryChild(name, namespace, 60, ownerTags(owner, "discovery_service", map[string]string{"team": "b", "new": "x"}))
	at.ops.reset()
	out2, err := h.Update(ctx, c2, rec)
	if err != nil {
		t.Fatalf("Update: %v", err)
	}
	requireCalls(t, "Update mutations", at.ops.mutating(), "UpdateService", "UntagResource", "TagResource")
	if out2[composite.AttrID] != id {
		t.Errorf("Update outputs = %v", out2)
	}
	svc = getDiscoveryService(t, at, client, id)
	if svc.DnsConfig == nil || len(svc.DnsConfig.DnsRecords) != 2 {
		t.Fatalf("DNS config after update = %+v, want both records kept", svc.DnsConfig)
	}
	for _, r := range svc.DnsConfig.DnsRecords {
		if aws.ToInt64(r.TTL) != 60 {
			t.Errorf("record %s TTL = %d, want 60", r.Type, aws.ToInt64(r.TTL))
		}
	}
	tags, err := client.ListTagsForResource(ctx, &servicediscovery.ListTagsForResourceInput{ResourceARN: aws.String(out2[composite.AttrARN])})
	if err != nil {
		t.Fatalf("ListTagsForResource: %v", err)
	}
	requireTags(t, "service tags", discoveryTagMap(tags.Tags), c2.Props.(*composite.DiscoveryServiceProps).Tags)
	if _, fobs, _, err := h.Find(ctx, composite.Lookup{Key: c.Key, Kind: c.Kind, ID: id}); err == nil {
		expectObservedProps(t, "Find after Update", c.Kind, c2.Props, fobs.Props)
	} else {
		t.Errorf("Find after Update: %v", err)
	}

	// Delete, gone, delete again.
	rec = recorded(c2, out2)
	if err := h.Delete(ctx, rec); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	if _, found, err := h.Observe(ctx, rec, false); err != nil || found {
		t.Fatalf("Observe after delete = found %v, err %v; want gone", found, err)
	}
	if err := h.Delete(ctx, rec); err != nil {
		t.Fatalf("second Delete: %v", err)
	}
}

// ResourceInUse on DeleteService (instances still registered) is retried;
// other errors are not.
func TestAccDiscoveryServiceHandler_deleteResourceInUse(t *testing.T) {
	at := newAcc(t)
	ctx := at.ctx
	client := servicediscovery.NewFromConfig(at.cfg)
	h := NewDiscoveryServiceHandler(client)
	namespace := newDNSNamespace(t, at, client)
	c := discoveryChild(acctest.RandomName("app"), namespace, 10, nil)
	out, err := h.Create(ctx, c)
	if err != nil {
		t.Fatalf("Create: %v", err)
	}
	rec := recorded(c, out)
	t.Cleanup(func() { at.ops.clearFailures(); _ = h.Delete(ctx, rec) })

	// Fail DeleteService with ResourceInUse once, then let it through.
	at.ops.failOperation("DeleteService", "ResourceInUse")
	at.ops.reset()
	done := make(chan error, 1)
	go func() { done <- h.Delete(ctx, rec) }()
	for len(at.ops.calls()) == 0 { // wait for the first attempt
		time.Sleep(10 * time.Millisecond)
	}
	at.ops.clearFailures()
	if err := <-done; err != nil {
		t.Fatalf("Delete with ResourceInUse then success: %v", err)
	}
	if n := len(at.ops.calls()); n < 2 {
		t.Errorf("DeleteService attempts = %d, want a retry", n)
	}
	if _, found, err := h.Observe(ctx, rec, false); err != nil || found {
		t.Fatalf("Observe after delete = found %v, err %v; want gone", found, err)
	}

	// Another error fails at once, with the AWS message.
	at.ops.failOperation("DeleteService", "InvalidInput")
	at.ops.reset()
	err = h.Delete(ctx, rec)
	if err == nil || !strings.Contains(err.Error(), "injected failure") {
		t.Fatalf("Delete error = %v, want the injected AWS message", err)
	}
	if n := len(at.ops.calls()); n != 1 {
		t.Errorf("DeleteService attempts = %d, want 1 (no retry)", n)
	}
}

func getDiscoveryService(t *testing.T, at *accEnv, client *servicediscovery.Client, id string) *sdtypes.Service {
	t.Helper()
	out, err := client.GetService(at.ctx, &servicediscovery.GetServiceInput{Id: aws.String(id)})
	if err != nil {
		t.Fatalf("GetService: %v", err)
	}
	return out.Service
}

// discoveryServiceProps maps GetService's answer; records whose TTLs differ
// read as TTL -1.
func TestDiscoveryServiceProps(t *testing.T) {
	svc := &sdtypes.Service{Id: aws.String("srv-1"), Name: aws.String("web"), NamespaceId: aws.String("ns-1"),
		HealthCheckCustomConfig: &sdtypes.HealthCheckCustomConfig{FailureThreshold: aws.Int32(1)},
		DnsConfig: &sdtypes.DnsConfig{RoutingPolicy: sdtypes.RoutingPolicyMultivalue,
			DnsRecords: []sdtypes.DnsRecord{{Type: sdtypes.RecordTypeSrv, TTL: aws.Int64(10)}, {Type: sdtypes.RecordTypeA, TTL: aws.Int64(10)}}}}
	want := composite.DiscoveryServiceProps{Name: "web", NamespaceID: "ns-1", DNSTTL: 10, RoutingPolicy: "MULTIVALUE",
		RecordTypes: []string{"SRV", "A"}, FailureThreshold: 1, Tags: map[string]string{"a": "b"}}
	if got := discoveryServiceProps(svc, map[string]string{"a": "b"}); !reflect.DeepEqual(*got, want) {
		t.Errorf("discoveryServiceProps = %+v, want %+v", got, want)
	}
	svc.DnsConfig.DnsRecords[1].TTL = aws.Int64(60)
	if got := discoveryServiceProps(svc, nil); got.DNSTTL != -1 {
		t.Errorf("TTLs 10 and 60 read as %d, want -1", got.DNSTTL)
	}

	// A service of an HTTP namespace: no DnsConfig. It reads exactly as the
	// expander builds it, whatever the deprecated FailureThreshold reads.
	http := &sdtypes.Service{Name: aws.String("web"), NamespaceId: aws.String("ns-2"), Type: sdtypes.ServiceTypeHttp,
		HealthCheckCustomConfig: &sdtypes.HealthCheckCustomConfig{}}
	want = composite.DiscoveryServiceProps{Name: "web", NamespaceID: "ns-2", FailureThreshold: 1, HTTPNamespace: true}
	if got := discoveryServiceProps(http, nil); !reflect.DeepEqual(*got, want) {
		t.Errorf("service without DNS config = %+v, want %+v", got, want)
	}
	if got := discoveryServiceProps(&sdtypes.Service{Name: aws.String("web")}, nil); got.FailureThreshold != 0 {
		t.Errorf("service without a custom health check reads FailureThreshold %d, want 0", got.FailureThreshold)
	}
}

// In an HTTP namespace Cloud Map refuses DNS records ("InvalidInput: When
// you specify an HTTP service, you can't include a DnsConfig element"; the
// patched emulator enforces it): the service is created without a
// DnsConfig, even from props that carry records, reads back as the props
// the expander builds (HTTPNamespace, no records: no drift), and an Update
// never tries to change records. No CreateService sends the deprecated
// FailureThreshold (issue 8, items 1 and 22).
func TestAccDiscoveryServiceHandler_httpNamespace(t *testing.T) {
	at := newAcc(t)
	ctx := at.ctx
	wire := &requestIDLog{}
	client := servicediscovery.NewFromConfig(at.cfg, func(o *servicediscovery.Options) {
		o.APIOptions = append(o.APIOptions, wire.register)
	})
	h := NewDiscoveryServiceHandler(client)
	namespace := newHTTPNamespace(t, at, client)
	owner := acctest.RandomName("owner")

	// As the expander builds it.
	name := acctest.RandomName("app")
	c := httpDiscoveryChild(name, namespace, ownerTags(owner, "discovery_service", nil))
	out, err := h.Create(ctx, c)
	if err != nil {
		t.Fatalf("Create: %v", err)
	}
	t.Cleanup(func() { _ = h.Delete(context.Background(), recorded(c, out)) })
	svc := getDiscoveryService(t, at, client, out[composite.AttrID])
	if svc.DnsConfig != nil {
		t.Errorf("DnsConfig of the HTTP service = %+v, want none", svc.DnsConfig)
	}
	if svc.HealthCheckCustomConfig == nil {
		t.Errorf("HTTP service has no custom health check config (ECS reports task health through it)")
	}
	bodies := wire.bodies()
	if len(bodies) != 1 || strings.Contains(bodies[0], "DnsConfig") || strings.Contains(bodies[0], "FailureThreshold") ||
		!strings.Contains(bodies[0], `"HealthCheckCustomConfig":{}`) {
		t.Errorf("CreateService bodies = %v, want one without DnsConfig and FailureThreshold, with an empty HealthCheckCustomConfig", bodies)
	}
	rec := recorded(c, out)
	obs, found, err := h.Observe(ctx, rec, false)
	if err != nil || !found {
		t.Fatalf("Observe = found %v, err %v", found, err)
	}
	refreshed := clone(c.Props).(*composite.DiscoveryServiceProps)
	refreshed.Tags = nil
	expectObservedProps(t, "Observe", c.Kind, refreshed, obs.Props)
	_, fobs, found, err := h.Find(ctx, composite.Lookup{Key: c.Key, Kind: c.Kind, Owner: owner, ID: out[composite.AttrID], OwnedOnly: true})
	if err != nil || !found {
		t.Fatalf("Find = found %v, err %v", found, err)
	}
	expectObservedProps(t, "Find", c.Kind, c.Props, fobs.Props)

	// Props that carry records anyway (an older configuration's shape): no
	// DnsConfig is sent, and no Update tries to change records.
	name2 := acctest.RandomName("app")
	withRecords := discoveryChild(name2, namespace, 10, ownerTags(owner, "discovery_service", nil))
	withRecords.Props.(*composite.DiscoveryServiceProps).HTTPNamespace = true
	out2, err := h.Create(ctx, withRecords)
	if err != nil {
		t.Fatalf("Create of HTTP-namespace props with records: %v", err)
	}
	t.Cleanup(func() { _ = h.Delete(context.Background(), recorded(withRecords, out2)) })
	if svc := getDiscoveryService(t, at, client, out2[composite.AttrID]); svc.DnsConfig != nil {
		t.Errorf("DnsConfig = %+v, want none", svc.DnsConfig)
	}
	ttl := discoveryChild(name2, namespace, 60, ownerTags(owner, "discovery_service", nil))
	ttl.Props.(*composite.DiscoveryServiceProps).HTTPNamespace = true
	at.ops.reset()
	if _, err := h.Update(ctx, ttl, recorded(withRecords, out2)); err != nil {
		t.Fatalf("Update: %v", err)
	}
	if m := at.ops.mutating(); len(m) > 0 {
		t.Errorf("Update of an HTTP service made mutating calls %v", m)
	}
}

func TestDiscoveryServiceID(t *testing.T) {
	arn := "arn:aws:servicediscovery:us-east-1:123456789012:service/srv-abc123"
	for _, rec := range []composite.Recorded{
		{Outputs: map[string]string{composite.AttrID: "srv-abc123"}},
		{Outputs: map[string]string{composite.AttrARN: arn}},
		{ARN: arn},
	} {
		if got := discoveryServiceID(rec); got != "srv-abc123" {
			t.Errorf("discoveryServiceID(%+v) = %q", rec, got)
		}
	}
	if got := discoveryServiceID(composite.Recorded{}); got != "" {
		t.Errorf("discoveryServiceID(empty) = %q", got)
	}
	a, errA := discoveryCreatorRequestID()
	b, errB := discoveryCreatorRequestID()
	if errA != nil || errB != nil || a == b || len(a) > 64 || !strings.HasPrefix(a, "containerapp-") {
		t.Errorf("creator request ids %q, %q (%v, %v): want distinct per call, <= 64 chars", a, b, errA, errB)
	}
}

// Every Create sends a fresh CreatorRequestId (destroy and recreate must not
// reuse a token), and the SDK's retries of one CreateService call resend
// the same one.
func TestAccDiscoveryServiceHandler_creatorRequestIDPerCreate(t *testing.T) {
	at := newAcc(t)
	ctx := at.ctx
	tokens := &requestIDLog{}
	client := servicediscovery.NewFromConfig(at.cfg, func(o *servicediscovery.Options) {
		o.APIOptions = append(o.APIOptions, tokens.register)
	})
	h := NewDiscoveryServiceHandler(client)
	namespace := newDNSNamespace(t, at, client)
	c := discoveryChild(acctest.RandomName("app"), namespace, 10, nil)

	// The first attempt of the first CreateService fails with a throttling
	// error the SDK retries.
	tokens.throttleFirst = true
	out, err := h.Create(ctx, c)
	if err != nil {
		t.Fatalf("Create: %v", err)
	}
	first := getDiscoveryService(t, at, client, out[composite.AttrID])
	if err := h.Delete(ctx, recorded(c, out)); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	out2, err := h.Create(ctx, c)
	if err != nil {
		t.Fatalf("re-Create: %v", err)
	}
	t.Cleanup(func() { _ = h.Delete(ctx, recorded(c, out2)) })
	second := getDiscoveryService(t, at, client, out2[composite.AttrID])

	got := tokens.get()
	if len(got) != 3 || got[0] != got[1] || got[1] == got[2] {
		t.Errorf("CreatorRequestId per attempt = %v, want [a a b]: one token per Create, kept across SDK retries", got)
	}
	if a, b := aws.ToString(first.CreatorRequestId), aws.ToString(second.CreatorRequestId); a == b || a != got[0] || b != got[2] {
		t.Errorf("stored CreatorRequestIds %q, %q; sent %v", a, b, got)
	}
}

// A service created by an earlier Create whose response was lost (AWS then
// answers ServiceAlreadyExists, naming the service; the patched emulator
// does too, and an injected answer without the id makes the handler look
// it up by name) is adopted when it carries the child's ownership tags, and
// refused otherwise.
func TestAccDiscoveryServiceHandler_adopt(t *testing.T) {
	at := newAcc(t)
	ctx := at.ctx
	client := servicediscovery.NewFromConfig(at.cfg)
	h := NewDiscoveryServiceHandler(client)
	namespace := newDNSNamespace(t, at, client)
	owner := acctest.RandomName("owner")
	name := acctest.RandomName("app")
	c := discoveryChild(name, namespace, 10, ownerTags(owner, "discovery_service", nil))
	out, err := h.Create(ctx, c)
	if err != nil {
		t.Fatalf("Create: %v", err)
	}
	t.Cleanup(func() { at.ops.clearFailures(); _ = h.Delete(ctx, recorded(c, out)) })

	// The emulator's own answer names the service: no lookup by name. (A
	// run killed after CreateService: the next apply's Create.)
	at.ops.reset()
	again, err := h.Create(ctx, c)
	if err != nil {
		t.Fatalf("Create again (the emulator's ServiceAlreadyExists): %v", err)
	}
	if again[composite.AttrID] != out[composite.AttrID] {
		t.Errorf("adopted outputs = %v, want those of %v", again, out)
	}
	requireCalls(t, "adopting Create by the answer's ServiceId", at.ops.calls(),
		"CreateService", "GetService", "ListTagsForResource", "GetService", "ListTagsForResource")

	at.ops.failOperation("CreateService", errCodeDiscoveryServiceExists)
	c2 := discoveryChild(name, namespace, 30, ownerTags(owner, "discovery_service", nil))
	at.ops.reset()
	got, err := h.Create(ctx, c2)
	if err != nil {
		t.Fatalf("Create over our own service: %v", err)
	}
	if got[composite.AttrID] != out[composite.AttrID] || got[composite.AttrARN] != out[composite.AttrARN] {
		t.Errorf("adopted outputs = %v, want those of %v", got, out)
	}
	requireCalls(t, "adopting Create mutations", at.ops.mutating(), "CreateService", "UpdateService")
	if svc := getDiscoveryService(t, at, client, out[composite.AttrID]); aws.ToInt64(svc.DnsConfig.DnsRecords[0].TTL) != 30 {
		t.Errorf("adopted service TTL = %d, want 30 (converged)", aws.ToInt64(svc.DnsConfig.DnsRecords[0].TTL))
	}

	// Another owner's service of the same name is refused and left alone.
	at.ops.clearFailures()
	foreign := acctest.RandomName("app")
	fo, err := client.CreateService(ctx, &servicediscovery.CreateServiceInput{
		Name: aws.String(foreign), NamespaceId: aws.String(namespace),
		Tags: discoveryTags(ownerTags("someone-else", "discovery_service", nil)),
	})
	if err != nil {
		t.Fatalf("CreateService: %v", err)
	}
	t.Cleanup(func() { _, _ = client.DeleteService(ctx, &servicediscovery.DeleteServiceInput{Id: fo.Service.Id}) })
	at.ops.failOperation("CreateService", errCodeDiscoveryServiceExists)
	_, err = h.Create(ctx, discoveryChild(foreign, namespace, 10, ownerTags(owner, "discovery_service", nil)))
	if !errors.Is(err, ErrNotOwned) || ErrorCode(err) != errCodeDiscoveryServiceExists ||
		!strings.Contains(err.Error(), aws.ToString(fo.Service.Arn)) || !strings.Contains(err.Error(), "someone-else") {
		t.Fatalf("Create over a foreign service: err = %v, want a refusal naming it and its owner", err)
	}
}

// requestIDLog records the CreatorRequestId (and the body) of every
// CreateService attempt as sent on the wire (after the SDK's retry middleware), and can
// fail the first attempt with a retryable throttling error.
type requestIDLog struct {
	mu            sync.Mutex
	ids           []string
	raw           []string
	throttleFirst bool
}

func (l *requestIDLog) register(stack *middleware.Stack) error {
	return stack.Finalize.Insert(middleware.FinalizeMiddlewareFunc("requestIDLog",
		func(ctx context.Context, in middleware.FinalizeInput, next middleware.FinalizeHandler) (middleware.FinalizeOutput, middleware.Metadata, error) {
			req, ok := in.Request.(*smithyhttp.Request)
			if !ok || awsmiddleware.GetOperationName(ctx) != "CreateService" {
				return next.HandleFinalize(ctx, in)
			}
			body, err := io.ReadAll(req.GetStream())
			if err != nil {
				return middleware.FinalizeOutput{}, middleware.Metadata{}, err
			}
			if err := req.RewindStream(); err != nil {
				return middleware.FinalizeOutput{}, middleware.Metadata{}, err
			}
			var sent struct{ CreatorRequestId string }
			_ = json.Unmarshal(body, &sent)
			l.mu.Lock()
			l.ids = append(l.ids, sent.CreatorRequestId)
			l.raw = append(l.raw, string(body))
			throttle := l.throttleFirst
			l.throttleFirst = false
			l.mu.Unlock()
			if throttle {
				return middleware.FinalizeOutput{}, middleware.Metadata{}, &smithy.GenericAPIError{Code: "ThrottlingException", Message: "injected throttling"}
			}
			return next.HandleFinalize(ctx, in)
		}), "Retry", middleware.After)
}

// bodies returns the CreateService request bodies, one per attempt.
func (l *requestIDLog) bodies() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.raw...)
}

func (l *requestIDLog) get() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.ids...)
}
