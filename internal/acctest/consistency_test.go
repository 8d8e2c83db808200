package acctest

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
	elbv2 "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	"github.com/aws/aws-sdk-go-v2/service/iam"
)

const fakeAccount = "123456789012"

// awsFake is a tiny stateful stand-in for the emulator: just enough of ECS
// (JSON), EC2, ELBv2 and IAM (query/XML) for the consistency rules, and like
// moto it answers at once (no consistency windows of its own).
type awsFake struct {
	*httptest.Server
	mu sync.Mutex
	// services: "cluster/name" -> status.
	services map[string]string
	// forgetDeleted makes DeleteService drop the service (DescribeServices
	// then reports MISSING), like an emulator that purges INACTIVE services.
	forgetDeleted bool
	// gzipJSON gzips JSON answers when the client accepts gzip.
	gzipJSON bool
	lbs      map[string][]string // ARN -> security groups
	seq      int
}

func newAWSFake(t *testing.T) *awsFake {
	t.Helper()
	f := &awsFake{services: map[string]string{}, lbs: map[string][]string{}}
	f.Server = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.Close)
	return f
}

func (f *awsFake) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	f.mu.Lock()
	defer f.mu.Unlock()
	if t := r.Header.Get("X-Amz-Target"); t != "" {
		var in map[string]any
		_ = json.Unmarshal(body, &in)
		f.serveECS(w, r, t[strings.LastIndexByte(t, '.')+1:], in)
		return
	}
	form, _ := url.ParseQuery(string(body))
	w.Header().Set("Content-Type", "text/xml")
	switch form.Get("Action") {
	case "CreateSecurityGroup":
		f.seq++
		fmt.Fprintf(w, `<CreateSecurityGroupResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>r</requestId><return>true</return><groupId>sg-%04d</groupId></CreateSecurityGroupResponse>`, f.seq)
	case "AuthorizeSecurityGroupIngress", "AuthorizeSecurityGroupEgress", "RevokeSecurityGroupIngress", "RevokeSecurityGroupEgress", "DeleteSecurityGroup":
		fmt.Fprintf(w, `<%sResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>r</requestId><return>true</return></%[1]sResponse>`, form.Get("Action"))
	case "CreateLoadBalancer":
		arn := fmt.Sprintf("arn:aws:elasticloadbalancing:us-east-1:%s:loadbalancer/app/%s/%04d", fakeAccount, form.Get("Name"), len(f.lbs)+1)
		var sgs []string
		for i := 1; form.Get(fmt.Sprintf("SecurityGroups.member.%d", i)) != ""; i++ {
			sgs = append(sgs, form.Get(fmt.Sprintf("SecurityGroups.member.%d", i)))
		}
		f.lbs[arn] = sgs
		fmt.Fprintf(w, `<CreateLoadBalancerResponse><CreateLoadBalancerResult><LoadBalancers><member><LoadBalancerArn>%s</LoadBalancerArn><SecurityGroups>%s</SecurityGroups></member></LoadBalancers></CreateLoadBalancerResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></CreateLoadBalancerResponse>`, arn, members(sgs))
	case "DescribeLoadBalancers":
		var b strings.Builder
		for arn, sgs := range f.lbs {
			fmt.Fprintf(&b, `<member><LoadBalancerArn>%s</LoadBalancerArn><SecurityGroups>%s</SecurityGroups></member>`, arn, members(sgs))
		}
		fmt.Fprintf(w, `<DescribeLoadBalancersResponse><DescribeLoadBalancersResult><LoadBalancers>%s</LoadBalancers></DescribeLoadBalancersResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></DescribeLoadBalancersResponse>`, b.String())
	case "DeleteLoadBalancer":
		delete(f.lbs, form.Get("LoadBalancerArn"))
		fmt.Fprint(w, `<DeleteLoadBalancerResponse><DeleteLoadBalancerResult/><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></DeleteLoadBalancerResponse>`)
	case "CreateRole":
		name := form.Get("RoleName")
		fmt.Fprintf(w, `<CreateRoleResponse><CreateRoleResult><Role><RoleName>%s</RoleName><Arn>arn:aws:iam::%s:role/%[1]s</Arn><Path>/</Path><RoleId>AROA1</RoleId><CreateDate>2025-01-01T00:00:00Z</CreateDate></Role></CreateRoleResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></CreateRoleResponse>`, name, fakeAccount)
	case "CreateServiceLinkedRole":
		fmt.Fprintf(w, `<CreateServiceLinkedRoleResponse><CreateServiceLinkedRoleResult><Role><RoleName>AWSServiceRoleForECS</RoleName><Arn>arn:aws:iam::%s:role/aws-service-role/ecs.amazonaws.com/AWSServiceRoleForECS</Arn><Path>/aws-service-role/ecs.amazonaws.com/</Path><RoleId>AROA2</RoleId><CreateDate>2025-01-01T00:00:00Z</CreateDate></Role></CreateServiceLinkedRoleResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></CreateServiceLinkedRoleResponse>`, fakeAccount)
	default:
		http.Error(w, "fake: unhandled "+form.Get("Action"), http.StatusInternalServerError)
	}
}

func members(vs []string) string {
	var b strings.Builder
	for _, v := range vs {
		fmt.Fprintf(&b, "<member>%s</member>", v)
	}
	return b.String()
}

func (f *awsFake) serveECS(w http.ResponseWriter, r *http.Request, op string, in map[string]any) {
	str := func(k string) string { s, _ := in[k].(string); return s }
	cluster := lastSegment(str("cluster"))
	if cluster == "" {
		cluster = "default"
	}
	clusterARN := func(name string) string { return fmt.Sprintf("arn:aws:ecs:us-east-1:%s:cluster/%s", fakeAccount, name) }
	service := func(name, status string) map[string]any {
		return map[string]any{
			"serviceArn":  fmt.Sprintf("arn:aws:ecs:us-east-1:%s:service/%s/%s", fakeAccount, cluster, name),
			"serviceName": name, "clusterArn": clusterARN(cluster), "status": status,
			"desiredCount": 1, "createdAt": 1.7356896e9,
		}
	}
	var out any
	switch op {
	case "CreateCluster":
		if str("clusterName") == "refused" {
			w.Header().Set("Content-Type", "application/x-amz-json-1.1")
			w.WriteHeader(http.StatusBadRequest)
			_, _ = io.WriteString(w, `{"__type":"InvalidParameterException","message":"refused by the fake"}`)
			return
		}
		out = map[string]any{"cluster": map[string]any{"clusterArn": clusterARN(str("clusterName")), "clusterName": str("clusterName"), "status": "ACTIVE"}}
	case "DeleteCluster":
		out = map[string]any{"cluster": map[string]any{"clusterArn": clusterARN(cluster), "clusterName": cluster, "status": "INACTIVE"}}
	case "CreateService":
		f.services[cluster+"/"+str("serviceName")] = "ACTIVE"
		out = map[string]any{"service": service(str("serviceName"), "ACTIVE")}
	case "DeleteService":
		name := lastSegment(str("service"))
		if f.forgetDeleted {
			delete(f.services, cluster+"/"+name)
		} else {
			f.services[cluster+"/"+name] = "INACTIVE"
		}
		out = map[string]any{"service": service(name, "INACTIVE")}
	case "DescribeServices":
		services, failures := []any{}, []any{}
		for _, raw := range in["services"].([]any) {
			name := lastSegment(raw.(string))
			if status, ok := f.services[cluster+"/"+name]; ok {
				services = append(services, service(name, status))
			} else {
				failures = append(failures, map[string]any{"arn": fmt.Sprintf("arn:aws:ecs:us-east-1:%s:service/%s", fakeAccount, name), "reason": "MISSING"})
			}
		}
		out = map[string]any{"services": services, "failures": failures}
	case "RegisterTaskDefinition":
		out = map[string]any{"taskDefinition": map[string]any{
			"taskDefinitionArn": fmt.Sprintf("arn:aws:ecs:us-east-1:%s:task-definition/%s:1", fakeAccount, str("family")),
			"family":            str("family"), "revision": 1, "status": "ACTIVE",
		}}
	default:
		http.Error(w, "fake: unhandled "+op, http.StatusInternalServerError)
		return
	}
	b, _ := json.Marshal(out)
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	if f.gzipJSON && strings.Contains(r.Header.Get("Accept-Encoding"), "gzip") {
		var z bytes.Buffer
		zw := gzip.NewWriter(&z)
		_, _ = zw.Write(b)
		_ = zw.Close()
		w.Header().Set("Content-Encoding", "gzip")
		b = z.Bytes()
	}
	_, _ = w.Write(b)
}

// fakeClock is a settable clock for the consistency windows.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// newConsistencyProxy starts the fake emulator and a proxy in front of it in
// consistency mode with windows w and a fake clock.
func newConsistencyProxy(t *testing.T, w Windows) (*Proxy, *awsFake, *fakeClock) {
	t.Helper()
	t.Setenv(ConsistencyEnv, "")
	f := newAWSFake(t)
	p, err := NewProxy(f.URL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.Close)
	if !p.EnableConsistency(w) {
		t.Fatal("EnableConsistency returned false")
	}
	clk := &fakeClock{t: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)}
	p.setConsistencyClock(clk.Now)
	return p, f, clk
}

func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	if err == nil {
		t.Fatalf("want %s, got success", code)
	}
	if got := errorCodeOf(err); got != code {
		t.Fatalf("want %s, got %v", code, err)
	}
}

// errorCodeOf is the smithy error code of err ("" if none).
func errorCodeOf(err error) string {
	var ae interface{ ErrorCode() string }
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

func wantHits(t *testing.T, p *Proxy, want ...string) {
	t.Helper()
	hits := p.ConsistencyHits()
	var got []string
	for _, h := range hits {
		got = append(got, string(h.Rule)+" "+h.Operation+" "+h.Answer)
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("hits:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func describe(t *testing.T, client *ecs.Client, cluster, name string) *ecs.DescribeServicesOutput {
	t.Helper()
	out, err := client.DescribeServices(context.Background(), &ecs.DescribeServicesInput{Cluster: aws.String(cluster), Services: []string{name}})
	if err != nil {
		t.Fatalf("DescribeServices: %v", err)
	}
	return out
}

func createService(client *ecs.Client, cluster, name string) error {
	_, err := client.CreateService(context.Background(), &ecs.CreateServiceInput{
		Cluster: aws.String(cluster), ServiceName: aws.String(name), TaskDefinition: aws.String("td:1"), DesiredCount: aws.Int32(1),
	})
	return err
}

func TestConsistency_serviceMissing(t *testing.T) {
	w := Windows{ServiceMissing: 2 * time.Second}
	p, _, clk := newConsistencyProxy(t, w)
	client := ecs.NewFromConfig(testConfig(p))

	if err := createService(client, "c1", "web"); err != nil {
		t.Fatal(err)
	}
	// Inside the window: MISSING, not an error, and not in services.
	clk.Advance(w.ServiceMissing - time.Millisecond)
	out := describe(t, client, "c1", "web")
	if len(out.Services) != 0 || len(out.Failures) != 1 || aws.ToString(out.Failures[0].Reason) != "MISSING" ||
		aws.ToString(out.Failures[0].Arn) != "arn:aws:ecs:us-east-1:123456789012:service/c1/web" {
		t.Fatalf("inside the window: services %+v failures %+v", out.Services, out.Failures)
	}
	// Another service of the same name in another cluster is not held back.
	if err := createService(client, "c2", "other"); err != nil {
		t.Fatal(err)
	}
	clk.Advance(w.ServiceMissing) // c2/other's window is over too
	if out := describe(t, client, "c1", "web"); len(out.Services) != 1 || aws.ToString(out.Services[0].Status) != "ACTIVE" || len(out.Failures) != 0 {
		t.Fatalf("after the window: services %+v failures %+v", out.Services, out.Failures)
	}
	wantHits(t, p, "ServiceMissing DescribeServices MISSING")
	h := p.ConsistencyHits()[0]
	if h.Service != "ecs" || h.Resource != "arn:aws:ecs:us-east-1:123456789012:service/c1/web" || h.Age != w.ServiceMissing-time.Millisecond {
		t.Fatalf("hit = %+v", h)
	}
	// The call log marks the shaped answer.
	var marked []string
	for _, c := range p.Calls() {
		if c.Consistency != "" {
			marked = append(marked, c.String()+"="+string(c.Consistency))
		}
		if c.Injected {
			t.Errorf("call %s marked Injected", c)
		}
	}
	if strings.Join(marked, ",") != "ecs:DescribeServices=ServiceMissing" {
		t.Fatalf("marked calls = %v", marked)
	}
}

func TestConsistency_clusterNotFound(t *testing.T) {
	w := Windows{ClusterNotFound: time.Second}
	p, _, clk := newConsistencyProxy(t, w)
	ctx := context.Background()
	client := ecs.NewFromConfig(testConfig(p))

	if _, err := client.CreateCluster(ctx, &ecs.CreateClusterInput{ClusterName: aws.String("fresh")}); err != nil {
		t.Fatal(err)
	}
	err := createService(client, "fresh", "web")
	var cnf *ecstypes.ClusterNotFoundException
	if !errors.As(err, &cnf) || cnf.ErrorMessage() != "Cluster not found." {
		t.Fatalf("CreateService inside the window: %v", err)
	}
	// By ARN too, and the pre-check DescribeServices.
	_, err = client.DescribeServices(ctx, &ecs.DescribeServicesInput{Cluster: aws.String("arn:aws:ecs:us-east-1:123456789012:cluster/fresh"), Services: []string{"web"}})
	wantCode(t, err, "ClusterNotFoundException")
	// A cluster the proxy did not see created is visible.
	if err := createService(client, "older", "web"); err != nil {
		t.Fatalf("CreateService in another cluster: %v", err)
	}
	// A failed CreateCluster opens no window.
	_, err = client.CreateCluster(ctx, &ecs.CreateClusterInput{ClusterName: aws.String("refused")})
	wantCode(t, err, "InvalidParameterException")
	if err := createService(client, "refused", "web"); err != nil {
		t.Fatalf("CreateService after a refused CreateCluster: %v", err)
	}

	clk.Advance(w.ClusterNotFound)
	if err := createService(client, "fresh", "web"); err != nil {
		t.Fatalf("CreateService after the window: %v", err)
	}
	wantHits(t, p,
		"ClusterNotFound CreateService ClusterNotFoundException",
		"ClusterNotFound DescribeServices ClusterNotFoundException")
	// Answers given instead of forwarding are marked on their calls (and
	// are not Faults).
	var marked []string
	for _, c := range p.Calls() {
		if c.Consistency != "" {
			marked = append(marked, fmt.Sprintf("%s=%s/%d/%v", c, c.Consistency, c.Status, c.Injected))
		}
	}
	if got := strings.Join(marked, ","); got != "ecs:CreateService=ClusterNotFound/400/false,ecs:DescribeServices=ClusterNotFound/400/false" {
		t.Fatalf("marked calls = %s", got)
	}
}

func TestConsistency_securityGroupNotFound(t *testing.T) {
	w := Windows{SecurityGroupNotFound: time.Second}
	p, _, clk := newConsistencyProxy(t, w)
	ctx := context.Background()
	client := ec2.NewFromConfig(testConfig(p))

	out, err := client.CreateSecurityGroup(ctx, &ec2.CreateSecurityGroupInput{GroupName: aws.String("alb"), Description: aws.String("d"), VpcId: aws.String("vpc-1")})
	if err != nil {
		t.Fatal(err)
	}
	sg := aws.ToString(out.GroupId)
	perm := []ec2types.IpPermission{{IpProtocol: aws.String("tcp"), FromPort: aws.Int32(80), ToPort: aws.Int32(80), IpRanges: []ec2types.IpRange{{CidrIp: aws.String("0.0.0.0/0")}}}}
	calls := map[string]func(group string, perm []ec2types.IpPermission) error{
		"AuthorizeSecurityGroupIngress": func(g string, p []ec2types.IpPermission) error {
			_, err := client.AuthorizeSecurityGroupIngress(ctx, &ec2.AuthorizeSecurityGroupIngressInput{GroupId: aws.String(g), IpPermissions: p})
			return err
		},
		"AuthorizeSecurityGroupEgress": func(g string, p []ec2types.IpPermission) error {
			_, err := client.AuthorizeSecurityGroupEgress(ctx, &ec2.AuthorizeSecurityGroupEgressInput{GroupId: aws.String(g), IpPermissions: p})
			return err
		},
		"RevokeSecurityGroupIngress": func(g string, p []ec2types.IpPermission) error {
			_, err := client.RevokeSecurityGroupIngress(ctx, &ec2.RevokeSecurityGroupIngressInput{GroupId: aws.String(g), IpPermissions: p})
			return err
		},
		"RevokeSecurityGroupEgress": func(g string, p []ec2types.IpPermission) error {
			_, err := client.RevokeSecurityGroupEgress(ctx, &ec2.RevokeSecurityGroupEgressInput{GroupId: aws.String(g), IpPermissions: p})
			return err
		},
	}
	for op, call := range calls {
		err := call(sg, perm)
		wantAPIError(t, err, "InvalidGroup.NotFound", fmt.Sprintf("The security group '%s' does not exist", sg))
		// An older group is fine, unless a rule references the new one.
		if err := call("sg-older", perm); err != nil {
			t.Fatalf("%s on an older group: %v", op, err)
		}
		ref := []ec2types.IpPermission{{IpProtocol: aws.String("tcp"), FromPort: aws.Int32(8080), ToPort: aws.Int32(8080),
			UserIdGroupPairs: []ec2types.UserIdGroupPair{{GroupId: aws.String(sg)}}}}
		wantCode(t, call("sg-older", ref), "InvalidGroup.NotFound")
	}
	if n := p.CountConsistencyHits(RuleSecurityGroupNotFound); n != 8 {
		t.Fatalf("%d SecurityGroupNotFound hits, want 8: %v", n, p.ConsistencyHits())
	}

	clk.Advance(w.SecurityGroupNotFound)
	for op, call := range calls {
		if err := call(sg, perm); err != nil {
			t.Fatalf("%s after the window: %v", op, err)
		}
	}
	if n := p.CountConsistencyHits(""); n != 8 {
		t.Fatalf("hits after the window: %v", p.ConsistencyHits())
	}
}

func TestConsistency_serviceDraining(t *testing.T) {
	for _, forget := range []bool{false, true} {
		t.Run(fmt.Sprintf("emulatorForgetsDeleted=%v", forget), func(t *testing.T) {
			w := Windows{ServiceDraining: 3 * time.Second}
			p, f, clk := newConsistencyProxy(t, w)
			f.forgetDeleted = forget
			ctx := context.Background()
			client := ecs.NewFromConfig(testConfig(p))

			if err := createService(client, "c1", "web"); err != nil {
				t.Fatal(err)
			}
			if _, err := client.DeleteService(ctx, &ecs.DeleteServiceInput{Cluster: aws.String("c1"), Service: aws.String("web"), Force: aws.Bool(true)}); err != nil {
				t.Fatal(err)
			}
			clk.Advance(w.ServiceDraining - time.Millisecond)

			out := describe(t, client, "c1", "web")
			if len(out.Services) != 1 || aws.ToString(out.Services[0].Status) != "DRAINING" || len(out.Failures) != 0 ||
				aws.ToString(out.Services[0].ServiceArn) != "arn:aws:ecs:us-east-1:123456789012:service/c1/web" {
				t.Fatalf("inside the window: services %+v failures %+v", out.Services, out.Failures)
			}
			wantAPIError(t, createService(client, "c1", "web"), "InvalidParameterException", "Creation of service was not idempotent.")
			_, err := client.DeleteCluster(ctx, &ecs.DeleteClusterInput{Cluster: aws.String("c1")})
			wantAPIError(t, err, "ClusterContainsServicesException", "The Cluster cannot be deleted while Services are active.")
			// Other names and clusters are free.
			if err := createService(client, "c1", "api"); err != nil {
				t.Fatalf("another name: %v", err)
			}
			if err := createService(client, "c2", "web"); err != nil {
				t.Fatalf("another cluster: %v", err)
			}

			clk.Advance(time.Millisecond)
			out = describe(t, client, "c1", "web")
			if forget {
				if len(out.Services) != 0 || len(out.Failures) != 1 {
					t.Fatalf("after the window: services %+v failures %+v", out.Services, out.Failures)
				}
			} else if len(out.Services) != 1 || aws.ToString(out.Services[0].Status) != "INACTIVE" {
				t.Fatalf("after the window: services %+v failures %+v", out.Services, out.Failures)
			}
			if _, err := client.DeleteCluster(ctx, &ecs.DeleteClusterInput{Cluster: aws.String("c1")}); err != nil {
				t.Fatalf("DeleteCluster after the window: %v", err)
			}
			if err := createService(client, "c1", "web"); err != nil {
				t.Fatalf("CreateService after the window: %v", err)
			}
			wantHits(t, p,
				"ServiceDraining DescribeServices DRAINING",
				"ServiceDraining CreateService InvalidParameterException",
				"ServiceDraining DeleteCluster ClusterContainsServicesException")
		})
	}
}

func TestConsistency_roleNotAssumable(t *testing.T) {
	w := Windows{RoleNotAssumable: 3 * time.Second}
	p, _, clk := newConsistencyProxy(t, w)
	ctx := context.Background()
	cfg := testConfig(p)
	iamClient, client := iam.NewFromConfig(cfg), ecs.NewFromConfig(cfg)

	role, err := iamClient.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("exec"), AssumeRolePolicyDocument: aws.String("{}")})
	if err != nil {
		t.Fatal(err)
	}
	arn := aws.ToString(role.Role.Arn)
	register := func(exec, task string) error {
		_, err := client.RegisterTaskDefinition(ctx, &ecs.RegisterTaskDefinitionInput{
			Family: aws.String("app"), ExecutionRoleArn: optStr(exec), TaskRoleArn: optStr(task),
			ContainerDefinitions: []ecstypes.ContainerDefinition{{Name: aws.String("app"), Image: aws.String("nginx")}},
		})
		return err
	}
	older := "arn:aws:iam::123456789012:role/older"
	var ce *ecstypes.ClientException
	if err := register(arn, older); !errors.As(err, &ce) || ce.ErrorMessage() != "Role is not valid" {
		t.Fatalf("RegisterTaskDefinition with a new execution role: %v", err)
	}
	wantAPIError(t, register(older, arn), "ClientException", "Role is not valid")
	wantAPIError(t, register("", "exec"), "ClientException", "Role is not valid") // by name
	if err := register(older, older); err != nil {
		t.Fatalf("older roles: %v", err)
	}
	_, err = client.CreateService(ctx, &ecs.CreateServiceInput{Cluster: aws.String("c1"), ServiceName: aws.String("web"), TaskDefinition: aws.String("app:1"), Role: aws.String(arn)})
	wantAPIError(t, err, "InvalidParameterException", "Unable to assume role and validate the specified targetGroupArn. Please verify that the ECS service role being passed has the proper permissions.")

	// ECS's service-linked role, created on first use in an account.
	if _, err := iamClient.CreateServiceLinkedRole(ctx, &iam.CreateServiceLinkedRoleInput{AWSServiceName: aws.String("ecs.amazonaws.com")}); err != nil {
		t.Fatal(err)
	}
	const slr = "Unable to assume the service linked role. Please verify that the ECS service linked role exists."
	_, err = client.CreateCluster(ctx, &ecs.CreateClusterInput{ClusterName: aws.String("c2")})
	wantAPIError(t, err, "InvalidParameterException", slr)
	wantAPIError(t, createService(client, "c1", "api"), "InvalidParameterException", slr)

	clk.Advance(w.RoleNotAssumable)
	if err := register(arn, "exec"); err != nil {
		t.Fatalf("after the window: %v", err)
	}
	if _, err := client.CreateService(ctx, &ecs.CreateServiceInput{Cluster: aws.String("c1"), ServiceName: aws.String("web"), TaskDefinition: aws.String("app:1"), Role: aws.String(arn)}); err != nil {
		t.Fatalf("CreateService after the window: %v", err)
	}
	if _, err := client.CreateCluster(ctx, &ecs.CreateClusterInput{ClusterName: aws.String("c2")}); err != nil {
		t.Fatalf("CreateCluster after the window: %v", err)
	}
	wantHits(t, p,
		"RoleNotAssumable RegisterTaskDefinition ClientException",
		"RoleNotAssumable RegisterTaskDefinition ClientException",
		"RoleNotAssumable RegisterTaskDefinition ClientException",
		"RoleNotAssumable CreateService InvalidParameterException",
		"RoleNotAssumable CreateCluster InvalidParameterException",
		"RoleNotAssumable CreateService InvalidParameterException")
	if h := p.ConsistencyHits()[0]; h.Resource != arn {
		t.Fatalf("hit resource = %q, want %q", h.Resource, arn)
	}
}

func optStr(s string) *string {
	if s == "" {
		return nil
	}
	return aws.String(s)
}

func TestConsistency_securityGroupInUse(t *testing.T) {
	w := Windows{SecurityGroupInUse: 3 * time.Second}
	p, f, clk := newConsistencyProxy(t, w)
	ctx := context.Background()
	cfg := testConfig(p)
	lbClient, ec2Client := elbv2.NewFromConfig(cfg), ec2.NewFromConfig(cfg)
	deleteSG := func(id string) error {
		_, err := ec2Client.DeleteSecurityGroup(ctx, &ec2.DeleteSecurityGroupInput{GroupId: aws.String(id)})
		return err
	}

	lb, err := lbClient.CreateLoadBalancer(ctx, &elbv2.CreateLoadBalancerInput{Name: aws.String("alb"), Subnets: []string{"subnet-1", "subnet-2"}, SecurityGroups: []string{"sg-alb", "sg-extra"}})
	if err != nil {
		t.Fatal(err)
	}
	// A load balancer the proxy only sees described (made before the mode
	// was on, or by a fixture) is learned too.
	f.mu.Lock()
	f.lbs["arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/fixture/1"] = []string{"sg-fixture"}
	f.mu.Unlock()
	if _, err := lbClient.DescribeLoadBalancers(ctx, &elbv2.DescribeLoadBalancersInput{}); err != nil {
		t.Fatal(err)
	}
	// Before the load balancer is deleted, no rule applies (moto's own
	// DependencyViolation checks, if any, are upstream's business).
	if err := deleteSG("sg-unrelated"); err != nil {
		t.Fatal(err)
	}
	for _, arn := range []string{aws.ToString(lb.LoadBalancers[0].LoadBalancerArn), "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/fixture/1"} {
		if _, err := lbClient.DeleteLoadBalancer(ctx, &elbv2.DeleteLoadBalancerInput{LoadBalancerArn: aws.String(arn)}); err != nil {
			t.Fatal(err)
		}
	}

	clk.Advance(w.SecurityGroupInUse - time.Millisecond)
	for _, sg := range []string{"sg-alb", "sg-extra", "sg-fixture"} {
		wantAPIError(t, deleteSG(sg), "DependencyViolation", "resource "+sg+" has a dependent object")
	}
	if err := deleteSG("sg-other"); err != nil {
		t.Fatalf("a group no load balancer had: %v", err)
	}
	clk.Advance(time.Millisecond)
	for _, sg := range []string{"sg-alb", "sg-extra", "sg-fixture"} {
		if err := deleteSG(sg); err != nil {
			t.Fatalf("DeleteSecurityGroup %s after the window: %v", sg, err)
		}
	}
	wantHits(t, p,
		"SecurityGroupInUse DeleteSecurityGroup DependencyViolation",
		"SecurityGroupInUse DeleteSecurityGroup DependencyViolation",
		"SecurityGroupInUse DeleteSecurityGroup DependencyViolation")
}

// TestConsistency_realClock runs one rule on the wall clock: the default
// clock opens and closes windows.
func TestConsistency_realClock(t *testing.T) {
	t.Setenv(ConsistencyEnv, "1")
	f := newAWSFake(t)
	const window = 150 * time.Millisecond
	p, err := NewProxy(f.URL, WithConsistency(Windows{ClusterNotFound: window}))
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	client := ecs.NewFromConfig(testConfig(p))
	start := time.Now()
	if _, err := client.CreateCluster(context.Background(), &ecs.CreateClusterInput{ClusterName: aws.String("c1")}); err != nil {
		t.Fatal(err)
	}
	if err := createService(client, "c1", "web"); time.Since(start) < window {
		wantCode(t, err, "ClusterNotFoundException")
	}
	time.Sleep(window)
	if err := createService(client, "c1", "web"); err != nil {
		t.Fatalf("after the window: %v", err)
	}
}

func TestConsistency_envTurnsItOff(t *testing.T) {
	for _, v := range []string{"0", "false", "OFF", "no"} {
		t.Setenv(ConsistencyEnv, v)
		if ConsistencyEnabled() {
			t.Fatalf("%s=%q: ConsistencyEnabled() = true", ConsistencyEnv, v)
		}
	}
	t.Setenv(ConsistencyEnv, "0")
	f := newAWSFake(t)
	p, err := NewProxy(f.URL, WithConsistency(RealisticWindows()))
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	if p.ConsistencyEnabled() || p.EnableConsistency(RealisticWindows()) {
		t.Fatal("consistency mode on despite the env var")
	}
	client := ecs.NewFromConfig(testConfig(p))
	if _, err := client.CreateCluster(context.Background(), &ecs.CreateClusterInput{ClusterName: aws.String("c1")}); err != nil {
		t.Fatal(err)
	}
	if err := createService(client, "c1", "web"); err != nil {
		t.Fatalf("CreateService right after CreateCluster with the mode off: %v", err)
	}
	if out := describe(t, client, "c1", "web"); len(out.Services) != 1 {
		t.Fatalf("DescribeServices with the mode off: %+v", out)
	}
	if hits := p.ConsistencyHits(); hits != nil {
		t.Fatalf("hits = %v", hits)
	}
}

func TestConsistency_disableResetAndFaults(t *testing.T) {
	p, _, clk := newConsistencyProxy(t, RealisticWindows())
	ctx := context.Background()
	client := ecs.NewFromConfig(testConfig(p))

	// A call an injected fault answers is never forwarded: it opens no window.
	p.Inject(Fault{Service: "ecs", Operation: "CreateCluster", Code: "ServerException", Status: 400, Message: "boom"})
	_, err := client.CreateCluster(ctx, &ecs.CreateClusterInput{ClusterName: aws.String("c1")})
	wantCode(t, err, "ServerException")
	if err := createService(client, "c1", "web"); err != nil {
		t.Fatalf("after a faulted CreateCluster: %v", err)
	}
	// A consistency answer comes first, and a fault counts only the calls
	// that would reach AWS: the Nth call of a fault is the same with the
	// windows on or off.
	if _, err := client.CreateCluster(ctx, &ecs.CreateClusterInput{ClusterName: aws.String("c2")}); err != nil {
		t.Fatal(err)
	}
	p.Inject(Fault{Service: "ecs", Operation: "CreateService", Code: "AccessDeniedException", Status: 400, Message: "no"})
	wantCode(t, createService(client, "c2", "web"), "ClusterNotFoundException")
	wantCode(t, createService(client, "c2", "web"), "ClusterNotFoundException")
	clk.Advance(RealisticWindows().ClusterNotFound)
	wantCode(t, createService(client, "c2", "web"), "AccessDeniedException")
	p.ClearFaults()
	if _, err := client.CreateCluster(ctx, &ecs.CreateClusterInput{ClusterName: aws.String("c2b")}); err != nil {
		t.Fatal(err)
	}
	wantCode(t, createService(client, "c2b", "web"), "ClusterNotFoundException")

	// ResetConsistency closes the open windows and forgets the hits.
	p.ResetConsistency()
	if p.ConsistencyHits() != nil {
		t.Fatalf("hits after reset: %v", p.ConsistencyHits())
	}
	if err := createService(client, "c2", "web"); err != nil {
		t.Fatalf("after ResetConsistency: %v", err)
	}
	// ...and DisableConsistency turns the mode off.
	if _, err := client.CreateCluster(ctx, &ecs.CreateClusterInput{ClusterName: aws.String("c3")}); err != nil {
		t.Fatal(err)
	}
	p.DisableConsistency()
	if err := createService(client, "c3", "web"); err != nil || p.ConsistencyEnabled() {
		t.Fatalf("after DisableConsistency: %v", err)
	}
}

// TestConsistency_gzipResponse rewrites a gzipped DescribeServices answer
// (a client that asks for gzip itself gets the raw upstream encoding).
func TestConsistency_gzipResponse(t *testing.T) {
	p, f, _ := newConsistencyProxy(t, Windows{ServiceMissing: time.Second})
	f.gzipJSON = true
	client := ecs.NewFromConfig(testConfig(p))
	if err := createService(client, "c1", "web"); err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest(http.MethodPost, p.URL(), strings.NewReader(`{"cluster":"c1","services":["web"]}`))
	req.Header.Set("X-Amz-Target", "AmazonEC2ContainerServiceV20141113.DescribeServices")
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	req.Header.Set("Accept-Encoding", "gzip")
	req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=AKID/20250101/us-east-1/ecs/aws4_request, SignedHeaders=host, Signature=x")
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.Header.Get("Content-Encoding") == "gzip" {
		if body, err = gunzip(body); err != nil {
			t.Fatal(err)
		}
	}
	var out struct {
		Services []any
		Failures []struct{ Arn, Reason string }
	}
	if err := json.Unmarshal(body, &out); err != nil {
		t.Fatalf("%v: %q", err, body)
	}
	if len(out.Services) != 0 || len(out.Failures) != 1 || out.Failures[0].Reason != "MISSING" {
		t.Fatalf("answer = %s", body)
	}
	if resp.ContentLength != -1 && resp.ContentLength != int64(len(body)) && resp.Header.Get("Content-Encoding") == "" {
		t.Fatalf("Content-Length %d for a %d-byte body", resp.ContentLength, len(body))
	}
}

func TestRealisticWindows(t *testing.T) {
	w := RealisticWindows()
	for name, d := range map[string]time.Duration{
		"ServiceMissing": w.ServiceMissing, "ClusterNotFound": w.ClusterNotFound, "SecurityGroupNotFound": w.SecurityGroupNotFound,
		"ServiceDraining": w.ServiceDraining, "RoleNotAssumable": w.RoleNotAssumable, "SecurityGroupInUse": w.SecurityGroupInUse,
	} {
		if d < time.Second || d > 3*time.Second {
			t.Errorf("%s = %v, want 1-3 s", name, d)
		}
	}
	if got := w.Scale(2).ServiceDraining; got != 2*w.ServiceDraining {
		t.Errorf("Scale(2).ServiceDraining = %v", got)
	}
}
