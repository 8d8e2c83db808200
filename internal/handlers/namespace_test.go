package handlers

import (
	"strings"
	"testing"

	"github.com/containerapp/terraform-provider-containerapp/internal/acctest"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/servicediscovery"

	"github.com/containerapp/terraform-provider-containerapp/internal/composite"
)

func TestAccNamespaceHandler_lifecycle(t *testing.T) {
	a := newAcc(t)
	ctx := a.ctx
	n := a.newNetwork()
	h := NewNamespaceHandler(a.sd)

	for _, typ := range []string{composite.NamespaceTypeHTTP, composite.NamespaceTypeDNSPrivate} {
		t.Run(typ, func(t *testing.T) {
			name := acctest.RandomName("ns") + ".internal"
			owner := acctest.RandomName("owner")
			p := &composite.NamespaceProps{Name: name, Type: typ, Description: "first", Tags: ownerTags(owner, composite.KeyNamespace, nil)}
			create := "CreateHttpNamespace"
			if typ == composite.NamespaceTypeDNSPrivate {
				p.VpcID = n.VpcID
				create = "CreatePrivateDnsNamespace"
			}
			child := newChild(composite.KeyNamespace, composite.NamespaceKind(typ), name, p)

			a.ops.reset()
			out, err := h.Create(ctx, child)
			if err != nil {
				t.Fatalf("Create: %v", err)
			}
			a.expectCalls("Create", create, "GetOperation", "GetNamespace")
			requireOutputs(t, out, composite.AttrARN, composite.AttrID, composite.AttrName, AttrObserved)
			if !strings.HasPrefix(out[composite.AttrID], "ns-") || out[AttrType] != typ {
				t.Errorf("outputs = %v", out)
			}
			expectObserved(t, "Create", child, out)
			rec := recorded(child, out)

			got, found, err := h.Read(ctx, rec)
			if err != nil || !found {
				t.Fatalf("Read = %v, %v", found, err)
			}
			a.expectCalls("Read", "GetNamespace")
			expectObserved(t, "Read", child, got)

			// No-op update; then description and tags.
			if _, err := h.Update(ctx, child, rec); err != nil {
				t.Fatal(err)
			}
			a.expectCalls("no-op Update", "GetNamespace", "ListTagsForResource")
			p2 := *p
			p2.Description = "second"
			p2.Tags = ownerTags(owner, composite.KeyNamespace, map[string]string{"env": "prod"})
			child2 := newChild(composite.KeyNamespace, child.Kind, name, &p2)
			update := "UpdateHttpNamespace"
			if typ == composite.NamespaceTypeDNSPrivate {
				update = "UpdatePrivateDnsNamespace"
			}
			out2, err := h.Update(ctx, child2, rec)
			if err != nil {
				t.Fatalf("Update: %v", err)
			}
			calls := strings.Join(a.ops.calls(), ",")
			if !strings.HasPrefix(calls, "GetNamespace,"+update) || !strings.HasSuffix(calls, "ListTagsForResource,TagResource") {
				t.Errorf("Update calls = %s", calls)
			}
			a.ops.reset()
			expectObserved(t, "Update", child2, out2)
			got, _, _ = h.Read(ctx, rec)
			expectObserved(t, "Read after Update", child2, got)
			tags, err := a.sd.ListTagsForResource(ctx, &servicediscovery.ListTagsForResourceInput{ResourceARN: aws.String(out[composite.AttrARN])})
			if err != nil || !sameTags(discoveryTagMap(tags.Tags), p2.Tags) {
				t.Errorf("tags = %v, %v", tags, err)
			}

			if err := h.Delete(ctx, rec); err != nil {
				t.Fatalf("Delete: %v", err)
			}
			if _, found, err := h.Read(ctx, rec); err != nil || found {
				t.Fatalf("Read after Delete: found=%v err=%v", found, err)
			}
			if err := h.Delete(ctx, rec); err != nil {
				t.Fatalf("second Delete: %v", err)
			}
		})
	}
}

// A create whose operation cannot be confirmed still returns the namespace
// (found by name), so the engine records it and nothing is orphaned.
func TestAccNamespaceHandler_createConfirmFails(t *testing.T) {
	a := newAcc(t)
	h := NewNamespaceHandler(a.sd)
	name := acctest.RandomName("ns")
	p := &composite.NamespaceProps{Name: name, Type: composite.NamespaceTypeHTTP, Tags: ownerTags(name, composite.KeyNamespace, nil)}
	a.ops.failNext("GetOperation", "ServiceUnavailable", "injected", 1)
	out, err := h.Create(a.ctx, newChild(composite.KeyNamespace, composite.KindHTTPNamespace, name, p))
	if err == nil {
		t.Fatal("Create succeeded despite the failed GetOperation")
	}
	if out[composite.AttrID] == "" || out[composite.AttrName] != name {
		t.Fatalf("Create returned no outputs with its error: %v", out)
	}
	if err := h.Delete(a.ctx, composite.Recorded{ARN: out[composite.AttrARN], Outputs: out}); err != nil {
		t.Fatal(err)
	}
}
