package handlers

import (
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
	if out[composite.AttrName] != "HTTP:80" || out[AttrPort] != "80" {
		t.Errorf("outputs = %v", out)
	}
	expectObserved(t, "Create", httpL, out)
	rec := recorded(httpL, out)
	got, found, err := h.Read(ctx, rec)
	if err != nil || !found {
		t.Fatalf("Read = %v, %v", found, err)
	}
	a.expectCalls("Read", "DescribeListeners")
	expectObserved(t, "Read", httpL, got)
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
	expectObserved(t, "Create HTTPS", httpsL, httpsOut)
	got, _, _ = h.Read(ctx, recorded(httpsL, httpsOut))
	expectObserved(t, "Read HTTPS", httpsL, got)
	if got[AttrCertificateARN] != cert || got[AttrSSLPolicy] != composite.DefaultSSLPolicy {
		t.Errorf("HTTPS outputs = %v", got)
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
	expectObserved(t, "Update outputs", httpL2, out2)
	got, _, _ = h.Read(ctx, rec)
	expectObserved(t, "Read after Update", httpL2, got)

	// Drift: the default action changed out of band.
	if _, err := a.elb.ModifyListener(ctx, &elbv2.ModifyListenerInput{ListenerArn: aws.String(rec.ARN), DefaultActions: []elbv2types.Action{{
		Type: elbv2types.ActionTypeEnumFixedResponse, FixedResponseConfig: &elbv2types.FixedResponseActionConfig{StatusCode: aws.String("503")},
	}}}); err != nil {
		t.Fatal(err)
	}
	got, _, _ = h.Read(ctx, rec)
	if want, _ := ExpectedObserved(httpL2); got[AttrObserved] == want {
		t.Fatal("Read did not see the changed default action")
	}

	// Create again on the taken port: the owned listener is adopted. (The
	// emulator does not refuse a second listener on a port, AWS does: the
	// DuplicateListener answer is injected.)
	a.ops.failNext("CreateListener", errCodeDuplicateListener, "A listener already exists on this port for this load balancer", 2)
	if out, err := h.Create(ctx, httpL2); err != nil || out[composite.AttrARN] != rec.ARN {
		t.Fatalf("Create over the owned listener = %v, %v", out, err)
	}
	got, _, _ = h.Read(ctx, rec)
	expectObserved(t, "Read after adopt", httpL2, got)
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
	if _, found, err := h.Read(ctx, rec); err != nil || found {
		t.Fatalf("Read after Delete: found=%v err=%v", found, err)
	}
	if err := h.Delete(ctx, rec); err != nil {
		t.Fatalf("second Delete: %v", err)
	}
	if err := h.Delete(ctx, recorded(httpsL, httpsOut)); err != nil {
		t.Fatal(err)
	}
}
