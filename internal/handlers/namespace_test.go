package handlers

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/containerapp/terraform-provider-containerapp/internal/acctest"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/servicediscovery"
	sdtypes "github.com/aws/aws-sdk-go-v2/service/servicediscovery/types"

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
			requireOutputs(t, out, composite.AttrARN, composite.AttrID, composite.AttrName, AttrType, AttrDescription)
			if !strings.HasPrefix(out[composite.AttrID], "ns-") || out[AttrType] != typ {
				t.Errorf("outputs = %v", out)
			}
			rec := recorded(child, out)

			// Observe (a refresh): one call, the props without the tags.
			obs, found, err := h.Observe(ctx, rec, false)
			if err != nil || !found {
				t.Fatalf("Observe = %v, %v", found, err)
			}
			a.expectCalls("Observe", "GetNamespace")
			refreshed := clone(p).(*composite.NamespaceProps)
			refreshed.Tags = nil
			expectObservedProps(t, "Observe", child.Kind, refreshed, obs.Props)

			// Find by id, by name, and by ownership tags: in full.
			q := composite.Lookup{Key: composite.KeyNamespace, Kind: child.Kind, Owner: owner, ID: out[composite.AttrID], OwnedOnly: true}
			frec, fobs, found, err := h.Find(ctx, q)
			if err != nil || !found {
				t.Fatalf("Find = %v, %v", found, err)
			}
			a.expectCalls("Find", "GetNamespace", "ListTagsForResource")
			if frec.Key != composite.KeyNamespace || frec.Kind != child.Kind || frec.Name != name || frec.ARN != out[composite.AttrARN] ||
				frec.Outputs[composite.AttrID] != out[composite.AttrID] || !fobs.Full {
				t.Errorf("Find = %+v, %+v", frec, fobs)
			}
			expectObservedProps(t, "Find", child.Kind, p, fobs.Props)
			for what, q := range map[string]composite.Lookup{
				"by name": {Key: composite.KeyNamespace, Kind: child.Kind, Owner: owner, Name: name},
				"by tags": {Key: composite.KeyNamespace, Kind: child.Kind, Owner: owner},
			} {
				if frec, _, found, err := h.Find(ctx, q); err != nil || !found || frec.Outputs[composite.AttrID] != out[composite.AttrID] {
					t.Errorf("Find %s = %+v, %v, %v", what, frec, found, err)
				}
			}
			q.Owner = "someone-else"
			if _, _, _, err := h.Find(ctx, q); !errors.Is(err, ErrNotOwned) || !strings.Contains(err.Error(), name) {
				t.Errorf("Find (owned only) for another owner: err = %v", err)
			}
			if _, _, found, err := h.Find(ctx, composite.Lookup{Key: composite.KeyNamespace, Kind: child.Kind, Owner: "someone-else"}); err != nil || found {
				t.Errorf("Find by another owner's tags = %v, %v", found, err)
			}
			a.ops.reset()

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
			if out2[AttrDescription] != "second" {
				t.Errorf("Update outputs = %v", out2)
			}
			_, fobs, _, err = h.Find(ctx, composite.Lookup{Key: composite.KeyNamespace, Kind: child.Kind, ID: out[composite.AttrID]})
			if err != nil {
				t.Fatalf("Find after Update: %v", err)
			}
			expectObservedProps(t, "Find after Update", child2.Kind, &p2, fobs.Props)
			tags, err := a.sd.ListTagsForResource(ctx, &servicediscovery.ListTagsForResourceInput{ResourceARN: aws.String(out[composite.AttrARN])})
			if err != nil || !sameTags(discoveryTagMap(tags.Tags), p2.Tags) {
				t.Errorf("tags = %v, %v", tags, err)
			}

			if err := h.Delete(ctx, rec); err != nil {
				t.Fatalf("Delete: %v", err)
			}
			if _, found, err := h.Observe(ctx, rec, false); err != nil || found {
				t.Fatalf("Observe after Delete: found=%v err=%v", found, err)
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

// namespaceProps maps GetNamespace's answer.
func TestNamespaceProps(t *testing.T) {
	ns := &sdtypes.Namespace{Id: aws.String("ns-1"), Name: aws.String("app.internal"), Type: sdtypes.NamespaceTypeDnsPrivate, Description: aws.String("d")}
	want := composite.NamespaceProps{Name: "app.internal", Type: "DNS_PRIVATE", Description: "d", Tags: map[string]string{"a": "b"}}
	if got := namespaceProps(ns, map[string]string{"a": "b"}); !reflect.DeepEqual(*got, want) {
		t.Errorf("namespaceProps = %+v, want %+v", got, want)
	}
}

// An HTTP namespace created by a Create whose response was lost (a run
// killed after CreateHttpNamespace): the next Create meets
// NamespaceAlreadyExists (AWS's answer, and the patched emulator's) and
// adopts it when it carries the child's ownership tags; another owner's is
// refused and left alone.
func TestAccNamespaceHandler_adoptAfterLostCreate(t *testing.T) {
	a := newAcc(t)
	ctx := a.ctx
	h := NewNamespaceHandler(a.sd)
	name := acctest.RandomName("ns") + ".internal"
	owner := acctest.RandomName("owner")
	p := &composite.NamespaceProps{Name: name, Type: composite.NamespaceTypeHTTP, Description: "first", Tags: ownerTags(owner, composite.KeyNamespace, nil)}
	child := newChild(composite.KeyNamespace, composite.NamespaceKind(p.Type), name, p)
	out, err := h.Create(ctx, child)
	if err != nil {
		t.Fatalf("Create: %v", err)
	}
	t.Cleanup(func() { _ = h.Delete(ctx, recorded(child, out)) })

	a.ops.reset()
	again, err := h.Create(ctx, child)
	if err != nil {
		t.Fatalf("Create again: %v", err)
	}
	if again[composite.AttrID] != out[composite.AttrID] || again[composite.AttrARN] != out[composite.AttrARN] {
		t.Errorf("adopted outputs = %v, want those of %v", again, out)
	}
	if m := a.ops.mutating(); len(m) != 1 || m[0] != "CreateHttpNamespace" {
		t.Errorf("adopting Create mutations = %v, want only the refused CreateHttpNamespace", m)
	}
	list, err := a.sd.ListNamespaces(ctx, &servicediscovery.ListNamespacesInput{})
	if err != nil {
		t.Fatal(err)
	}
	var same int
	for _, ns := range list.Namespaces {
		if aws.ToString(ns.Name) == name {
			same++
		}
	}
	if same != 1 {
		t.Errorf("%d namespaces named %s, want 1", same, name)
	}

	// Another owner's child of the same name: refused.
	foreign := newChild(composite.KeyNamespace, child.Kind, name, &composite.NamespaceProps{Name: name, Type: p.Type, Tags: ownerTags("someone-else", composite.KeyNamespace, nil)})
	if _, err := h.Create(ctx, foreign); !errors.Is(err, ErrNotOwned) || ErrorCode(err) != errCodeNamespaceAlreadyExists || !strings.Contains(err.Error(), owner) {
		t.Fatalf("Create over another owner's namespace: err = %v, want a refusal naming its owner", err)
	}
}
