package handlers

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/containerapp/terraform-provider-containerapp/internal/acctest"

	"github.com/aws/aws-sdk-go-v2/aws"
	elbv2 "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	elbv2types "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"

	"github.com/containerapp/terraform-provider-containerapp/internal/composite"
)

var notFoundAction = composite.ListenerAction{Type: "fixed-response", StatusCode: "404", ContentType: "text/plain", MessageBody: "Not Found"}

func TestAccListenerHandler_lifecycle(t *testing.T) {
	a := newAcc(t)
	ctx := a.ctx
	n := a.newNetwork()
	lbARN := a.newBareLoadBalancer(n)
	cert := a.newServerCertificate()
	h := NewListenerHandler(a.elb)
	owner := acctest.RandomName("cl")

	httpProps := &composite.ListenerProps{LoadBalancerARN: lbARN, Port: 80, Protocol: "HTTP", DefaultAction: notFoundAction,
		Tags: ownerTags(owner, composite.KeyHTTPListener, nil)}
	httpL := newChild(composite.KeyHTTPListener, composite.KindListener, "HTTP:80", httpProps)
	a.ops.reset()
	out, err := h.Create(ctx, httpL)
	if err != nil {
		t.Fatalf("Create: %v", err)
	}
	a.expectCalls("Create", "CreateListener")
	if out[composite.AttrName] != "HTTP:80" || out[composite.AttrARN] == "" {
		t.Errorf("outputs = %v", out)
	}
	rec := recorded(httpL, out)
	obs, found, err := h.Observe(ctx, rec, false)
	if err != nil || !found {
		t.Fatalf("Observe = %v, %v", found, err)
	}
	a.expectCalls("Observe", "DescribeListeners")
	refreshed := clone(httpProps).(*composite.ListenerProps)
	refreshed.Tags = nil
	expectObservedProps(t, "Observe", httpL.Kind, refreshed, obs.Props)
	if p := obs.Props.(*composite.ListenerProps); p.Port != 80 || p.LoadBalancerARN != lbARN {
		t.Errorf("observed props = %+v", p)
	}
	if _, err := h.Update(ctx, httpL, rec); err != nil {
		t.Fatal(err)
	}
	a.expectCalls("no-op Update", "DescribeListeners", "DescribeTags")

	// HTTPS listener with the certificate.
	httpsProps := &composite.ListenerProps{LoadBalancerARN: lbARN, Port: 443, Protocol: "HTTPS", CertificateARN: cert,
		SSLPolicy: composite.DefaultSSLPolicy, DefaultAction: notFoundAction, Tags: ownerTags(owner, composite.KeyHTTPSListener, nil)}
	httpsL := newChild(composite.KeyHTTPSListener, composite.KindListener, "HTTPS:443", httpsProps)
	httpsOut, err := h.Create(ctx, httpsL)
	if err != nil {
		t.Fatalf("Create HTTPS: %v", err)
	}
	obs, _, _ = h.Observe(ctx, recorded(httpsL, httpsOut), false)
	refreshed = clone(httpsProps).(*composite.ListenerProps)
	refreshed.Tags = nil
	expectObservedProps(t, "Observe HTTPS", httpsL.Kind, refreshed, obs.Props)
	if got := obs.Outputs; got[AttrCertificateARN] != cert || got[AttrSSLPolicy] != composite.DefaultSSLPolicy || got[composite.AttrName] != "HTTPS:443" {
		t.Errorf("HTTPS outputs = %v", got)
	}
	a.ops.reset()

	// Find on the load balancer by ownership tags (or by name), and by ARN:
	// in full, the created props.
	q := composite.Lookup{Key: composite.KeyHTTPSListener, Kind: composite.KindListener, Owner: owner, ID: lbARN, OwnedOnly: true}
	frec, fobs, found, err := h.Find(ctx, q)
	if err != nil || !found {
		t.Fatalf("Find = %v, %v", found, err)
	}
	a.expectCalls("Find", "DescribeListeners", "DescribeTags", "DescribeListeners", "DescribeTags")
	if frec.Key != composite.KeyHTTPSListener || frec.Kind != composite.KindListener || frec.Name != "HTTPS:443" ||
		frec.ARN != httpsOut[composite.AttrARN] || !fobs.Full {
		t.Errorf("Find = %+v, %+v", frec, fobs)
	}
	expectObservedProps(t, "Find", httpsL.Kind, httpsProps, fobs.Props)
	for what, q := range map[string]composite.Lookup{
		"by name":  {Key: composite.KeyHTTPSListener, Owner: "other", Name: "HTTPS:443", Scope: map[string]string{ScopeLoadBalancerARN: lbARN}},
		"by ARN":   {Key: composite.KeyHTTPSListener, Owner: owner, ID: httpsOut[composite.AttrARN]},
		"HTTP tag": {Key: composite.KeyHTTPListener, Owner: owner, ID: lbARN},
	} {
		want := httpsOut[composite.AttrARN]
		if q.Key == composite.KeyHTTPListener {
			want = out[composite.AttrARN]
		}
		if frec, _, found, err := h.Find(ctx, q); err != nil || !found || frec.ARN != want {
			t.Errorf("Find %s = %+v, %v, %v", what, frec, found, err)
		}
	}
	if _, _, found, err := h.Find(ctx, composite.Lookup{Key: composite.KeyHTTPSListener, Owner: "other", ID: lbARN}); err != nil || found {
		t.Errorf("Find for another owner = %v, %v", found, err)
	}
	q.ID, q.Owner = httpsOut[composite.AttrARN], "other"
	if _, _, _, err := h.Find(ctx, q); !errors.Is(err, ErrNotOwned) {
		t.Errorf("Find (owned only) by ARN for another owner: err = %v", err)
	}
	a.ops.reset()

	// HTTP now redirects to HTTPS: one ModifyListener.
	redirect := *httpProps
	redirect.DefaultAction = composite.ListenerAction{Type: "redirect", StatusCode: "HTTP_301", RedirectProtocol: "HTTPS", RedirectPort: "443"}
	httpL2 := newChild(httpL.Key, httpL.Kind, "HTTP:80", &redirect)
	out2, err := h.Update(ctx, httpL2, rec)
	if err != nil {
		t.Fatalf("Update: %v", err)
	}
	a.expectCalls("Update", "DescribeListeners", "ModifyListener", "DescribeTags")
	if out2[composite.AttrARN] != rec.ARN {
		t.Errorf("Update outputs = %v", out2)
	}
	_, fobs, _, err = h.Find(ctx, composite.Lookup{Key: httpL.Key, ID: rec.ARN})
	if err != nil {
		t.Fatalf("Find after Update: %v", err)
	}
	expectObservedProps(t, "Find after Update", httpL2.Kind, &redirect, fobs.Props)

	// Drift: the default action changed out of band shows in the props.
	if _, err := a.elb.ModifyListener(ctx, &elbv2.ModifyListenerInput{ListenerArn: aws.String(rec.ARN), DefaultActions: []elbv2types.Action{{
		Type: elbv2types.ActionTypeEnumFixedResponse, FixedResponseConfig: &elbv2types.FixedResponseActionConfig{StatusCode: aws.String("503")},
	}}}); err != nil {
		t.Fatal(err)
	}
	obs, _, _ = h.Observe(ctx, rec, false)
	if a := obs.Props.(*composite.ListenerProps).DefaultAction; a.Type != "fixed-response" || a.StatusCode != "503" {
		t.Fatalf("Observe did not see the changed default action: %+v", a)
	}

	// Create again on the taken port: the owned listener is adopted. (The
	// emulator does not refuse a second listener on a port, AWS does: the
	// DuplicateListener answer is injected.)
	a.ops.failNext("CreateListener", errCodeDuplicateListener, "A listener already exists on this port for this load balancer", 2)
	if out, err := h.Create(ctx, httpL2); err != nil || out[composite.AttrARN] != rec.ARN {
		t.Fatalf("Create over the owned listener = %v, %v", out, err)
	}
	_, fobs, _, _ = h.Find(ctx, composite.Lookup{Key: httpL.Key, ID: rec.ARN})
	expectObservedProps(t, "Find after adopt", httpL2.Kind, &redirect, fobs.Props)
	foreign := newChild(httpL.Key, httpL.Kind, "HTTP:80", &composite.ListenerProps{LoadBalancerARN: lbARN, Port: 80, Protocol: "HTTP",
		DefaultAction: notFoundAction, Tags: ownerTags("other", composite.KeyHTTPListener, nil)})
	if _, err := h.Create(ctx, foreign); err == nil || !strings.Contains(err.Error(), "DuplicateListener") {
		t.Fatalf("Create over a foreign listener: %v", err)
	}

	a.ops.reset()
	if err := h.Delete(ctx, rec); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	a.expectCalls("Delete", "DeleteListener")
	if _, found, err := h.Observe(ctx, rec, false); err != nil || found {
		t.Fatalf("Observe after Delete: found=%v err=%v", found, err)
	}
	if err := h.Delete(ctx, rec); err != nil {
		t.Fatalf("second Delete: %v", err)
	}
	if err := h.Delete(ctx, recorded(httpsL, httpsOut)); err != nil {
		t.Fatal(err)
	}
}

// listenerProps maps DescribeListeners' answer: the default certificate, the
// default action's managed fields.
func TestListenerProps(t *testing.T) {
	l := &elbv2types.Listener{ListenerArn: aws.String("arn:l"), LoadBalancerArn: aws.String("arn:lb"), Port: aws.Int32(443),
		Protocol: elbv2types.ProtocolEnumHttps, SslPolicy: aws.String(composite.DefaultSSLPolicy),
		Certificates: []elbv2types.Certificate{{CertificateArn: aws.String("arn:other")}, {CertificateArn: aws.String("arn:cert"), IsDefault: aws.Bool(true)}},
		DefaultActions: []elbv2types.Action{{Type: elbv2types.ActionTypeEnumRedirect, RedirectConfig: &elbv2types.RedirectActionConfig{
			StatusCode: elbv2types.RedirectActionStatusCodeEnumHttp301, Protocol: aws.String("HTTPS"), Port: aws.String("443"), Host: aws.String("#{host}")}}}}
	want := composite.ListenerProps{LoadBalancerARN: "arn:lb", Port: 443, Protocol: "HTTPS", CertificateARN: "arn:cert", SSLPolicy: composite.DefaultSSLPolicy,
		DefaultAction: composite.ListenerAction{Type: "redirect", StatusCode: "HTTP_301", RedirectProtocol: "HTTPS", RedirectPort: "443"},
		Tags:          map[string]string{"a": "b"}}
	if got := listenerProps(l, map[string]string{"a": "b"}); !reflect.DeepEqual(*got, want) {
		t.Errorf("listenerProps = %+v, want %+v", got, want)
	}
	if !listenerMatches(l, &want) {
		t.Error("listenerMatches: want a match of the props it maps to")
	}
	other := want
	other.DefaultAction.RedirectPort = "8443"
	if listenerMatches(l, &other) {
		t.Error("listenerMatches: another redirect port matched")
	}
}
