package handlers

import (
	"context"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	elbv2 "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	elbv2types "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"

	"github.com/containerapp/terraform-provider-containerapp/internal/composite"
	"github.com/containerapp/terraform-provider-containerapp/internal/engine"
)

const (
	errCodeListenerNotFound  = "ListenerNotFound"
	errCodeDuplicateListener = "DuplicateListener"
)

// ListenerAPI is the part of *elasticloadbalancingv2.Client the listener
// handler uses.
type ListenerAPI interface {
	CreateListener(ctx context.Context, in *elbv2.CreateListenerInput, optFns ...func(*elbv2.Options)) (*elbv2.CreateListenerOutput, error)
	DescribeListeners(ctx context.Context, in *elbv2.DescribeListenersInput, optFns ...func(*elbv2.Options)) (*elbv2.DescribeListenersOutput, error)
	ModifyListener(ctx context.Context, in *elbv2.ModifyListenerInput, optFns ...func(*elbv2.Options)) (*elbv2.ModifyListenerOutput, error)
	DeleteListener(ctx context.Context, in *elbv2.DeleteListenerInput, optFns ...func(*elbv2.Options)) (*elbv2.DeleteListenerOutput, error)
	DescribeTags(ctx context.Context, in *elbv2.DescribeTagsInput, optFns ...func(*elbv2.Options)) (*elbv2.DescribeTagsOutput, error)
	AddTags(ctx context.Context, in *elbv2.AddTagsInput, optFns ...func(*elbv2.Options)) (*elbv2.AddTagsOutput, error)
	RemoveTags(ctx context.Context, in *elbv2.RemoveTagsInput, optFns ...func(*elbv2.Options)) (*elbv2.RemoveTagsOutput, error)
}

var _ ListenerAPI = (*elbv2.Client)(nil)

// ListenerHandler manages composite.KindListener children. It holds no
// mutable state and is safe for concurrent use.
type ListenerHandler struct {
	api ListenerAPI
}

var (
	_ engine.Handler = (*ListenerHandler)(nil)
	_ engine.Finder  = (*ListenerHandler)(nil)
)

// NewListenerHandler returns a handler for load balancer listeners.
func NewListenerHandler(api ListenerAPI) *ListenerHandler { return &ListenerHandler{api: api} }

// Create creates the listener with its default action and tags (one
// CreateListener call). DuplicateListener (the port is taken) adopts a
// listener carrying this child's ownership tags (an earlier create whose
// result was lost), after DescribeListeners and DescribeTags; otherwise it
// is an error.
func (h *ListenerHandler) Create(ctx context.Context, c composite.Child) (map[string]string, error) {
	p, err := childProps[composite.ListenerProps](c)
	if err != nil {
		return nil, err
	}
	in := &elbv2.CreateListenerInput{
		LoadBalancerArn: aws.String(p.LoadBalancerARN),
		Port:            aws.Int32(p.Port),
		Protocol:        elbv2types.ProtocolEnum(p.Protocol),
		DefaultActions:  listenerActions(p.DefaultAction),
		Tags:            elbv2Tags(p.Tags),
	}
	if p.CertificateARN != "" {
		in.Certificates = []elbv2types.Certificate{{CertificateArn: aws.String(p.CertificateARN)}}
		in.SslPolicy = optString(p.SSLPolicy)
	}
	out, err := h.api.CreateListener(ctx, in)
	if ErrorCode(err) == errCodeDuplicateListener {
		if l, ferr := h.ownedOnPort(ctx, p); ferr == nil {
			return h.converge(ctx, l, p)
		}
	}
	if err != nil {
		return nil, fmt.Errorf("creating %s listener on port %d of %s: %w", p.Protocol, p.Port, p.LoadBalancerARN, err)
	}
	if len(out.Listeners) == 0 {
		return nil, fmt.Errorf("creating %s listener on port %d of %s: empty response", p.Protocol, p.Port, p.LoadBalancerARN)
	}
	return listenerOutputs(&out.Listeners[0]), nil
}

// Observe reads the listener (one DescribeListeners call; with full also
// DescribeTags) and maps it with listenerProps.
func (h *ListenerHandler) Observe(ctx context.Context, rec composite.Recorded, full bool) (composite.Observed, bool, error) {
	l, err := h.read(ctx, rec.ARN)
	if IsNotFound(err) {
		return composite.Observed{}, false, nil
	}
	if err != nil {
		return composite.Observed{}, false, err
	}
	var tags map[string]string
	if full {
		if tags, err = elbv2TagsOf(ctx, h.api, rec.ARN); err != nil {
			return composite.Observed{}, false, err
		}
		tags = userTags(tags)
	}
	return composite.Observed{Props: listenerProps(l, tags), Outputs: listenerOutputs(l), Full: full}, true, nil
}

// ScopeLoadBalancerARN is the Lookup scope key of the load balancer whose
// listeners Find searches (a q.ID that is a load balancer ARN does the
// same).
const ScopeLoadBalancerARN = composite.LookupLoadBalancerARN

// Find looks the listener up by its ARN (q.ID), else among the listeners of
// the load balancer (q.ID or q.Scope[ScopeLoadBalancerARN]: DescribeListeners
// pages, DescribeTags per 20 listeners) as the one carrying q's ownership
// tags, or else the one named q.Name ("<protocol>:<port>"), and observes it
// in full. With q.OwnedOnly a listener whose ownership tags name another
// owner or key is an error.
func (h *ListenerHandler) Find(ctx context.Context, q composite.Lookup) (composite.Recorded, composite.Observed, bool, error) {
	arn := q.ID
	if lbARN := firstNonEmpty(q.Scope[ScopeLoadBalancerARN], loadBalancerARN(q.ID)); lbARN != "" {
		var err error
		if arn, err = h.onLoadBalancer(ctx, q, lbARN); err != nil || arn == "" {
			return composite.Recorded{}, composite.Observed{}, false, err
		}
	}
	if arn == "" {
		return composite.Recorded{}, composite.Observed{}, false, fmt.Errorf("looking up %s: no listener or load balancer ARN", q.Key)
	}
	obs, found, err := h.Observe(ctx, composite.Recorded{Key: q.Key, Kind: composite.KindListener, ARN: arn}, true)
	if err != nil || !found {
		return composite.Recorded{}, composite.Observed{}, found, err
	}
	p := obs.Props.(*composite.ListenerProps)
	if err := lookupOwned(q, fmt.Sprintf("listener %s (%s)", obs.Outputs[composite.AttrName], arn), p.Tags); err != nil {
		return composite.Recorded{}, composite.Observed{}, false, err
	}
	return lookupRecord(q, composite.KindListener, "", obs), obs, true, nil
}

// onLoadBalancer returns the ARN of the listener Find looks for on the load
// balancer ("" when there is none).
func (h *ListenerHandler) onLoadBalancer(ctx context.Context, q composite.Lookup, lbARN string) (string, error) {
	var listeners []elbv2types.Listener
	pages := elbv2.NewDescribeListenersPaginator(h.api, &elbv2.DescribeListenersInput{LoadBalancerArn: aws.String(lbARN)})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if IsNotFound(err, errCodeLoadBalancerNotFound) {
			return "", nil
		}
		if err != nil {
			return "", fmt.Errorf("listing the listeners of %s: %w", lbARN, err)
		}
		listeners = append(listeners, page.Listeners...)
	}
	named := ""
	for start := 0; start < len(listeners); start += elbv2TagsPerCall {
		chunk := listeners[start:min(start+elbv2TagsPerCall, len(listeners))]
		arns := make([]string, 0, len(chunk))
		for _, l := range chunk {
			arns = append(arns, aws.ToString(l.ListenerArn))
		}
		tags, err := elbv2TagsOfMany(ctx, h.api, arns)
		if err != nil {
			return "", err
		}
		for i, l := range chunk {
			if ownsLookup(q, tags[arns[i]]) {
				return arns[i], nil
			}
			if q.Name != "" && composite.ListenerName(string(l.Protocol), aws.ToInt32(l.Port)) == q.Name {
				named = arns[i]
			}
		}
	}
	return named, nil
}

// loadBalancerARN returns s when it is a load balancer ARN, else "".
func loadBalancerARN(s string) string {
	if strings.Contains(s, ":loadbalancer/") {
		return s
	}
	return ""
}

// listenerProps maps a listener as DescribeListeners returns it (and its
// user tags, nil when not read): its default certificate, its one default
// action in the fields the composite manages (see liveAction).
func listenerProps(l *elbv2types.Listener, tags map[string]string) *composite.ListenerProps {
	p := &composite.ListenerProps{
		LoadBalancerARN: aws.ToString(l.LoadBalancerArn),
		Port:            aws.ToInt32(l.Port),
		Protocol:        string(l.Protocol),
		SSLPolicy:       aws.ToString(l.SslPolicy),
		DefaultAction:   liveAction(l.DefaultActions),
		Tags:            tags,
	}
	for _, c := range l.Certificates {
		if aws.ToBool(c.IsDefault) || p.CertificateARN == "" {
			p.CertificateARN = aws.ToString(c.CertificateArn)
		}
	}
	return p
}

// listenerMatches reports whether the listener already has p's port,
// protocol, certificate, TLS policy (HTTPS only) and default action.
func listenerMatches(l *elbv2types.Listener, p *composite.ListenerProps) bool {
	live := listenerProps(l, nil)
	return live.Port == p.Port && live.Protocol == p.Protocol && live.CertificateARN == p.CertificateARN &&
		(p.Protocol != "HTTPS" || live.SSLPolicy == p.SSLPolicy) && live.DefaultAction == normalizeAction(p.DefaultAction)
}

// Update converges port, protocol, certificate, TLS policy and default
// action (one ModifyListener, only if something differs) and the tags.
// Calls: DescribeListeners, [ModifyListener], DescribeTags, [RemoveTags],
// [AddTags].
func (h *ListenerHandler) Update(ctx context.Context, c composite.Child, prev composite.Recorded) (map[string]string, error) {
	p, err := childProps[composite.ListenerProps](c)
	if err != nil {
		return nil, err
	}
	l, err := h.read(ctx, prev.ARN)
	if err != nil {
		return nil, fmt.Errorf("updating listener %s: %w", prev.ARN, err)
	}
	return h.converge(ctx, l, p)
}

func (h *ListenerHandler) converge(ctx context.Context, l *elbv2types.Listener, p *composite.ListenerProps) (map[string]string, error) {
	arn := aws.ToString(l.ListenerArn)
	outputs := listenerOutputs(l)
	if !listenerMatches(l, p) {
		in := &elbv2.ModifyListenerInput{
			ListenerArn:    aws.String(arn),
			Port:           aws.Int32(p.Port),
			Protocol:       elbv2types.ProtocolEnum(p.Protocol),
			DefaultActions: listenerActions(p.DefaultAction),
		}
		if p.CertificateARN != "" {
			in.Certificates = []elbv2types.Certificate{{CertificateArn: aws.String(p.CertificateARN)}}
			in.SslPolicy = optString(p.SSLPolicy)
		}
		out, err := h.api.ModifyListener(ctx, in)
		if err != nil {
			return outputs, fmt.Errorf("modifying listener %s: %w", arn, err)
		}
		if len(out.Listeners) > 0 {
			outputs = listenerOutputs(&out.Listeners[0])
		}
	}
	if err := syncELBv2Tags(ctx, h.api, arn, p.Tags); err != nil {
		return outputs, fmt.Errorf("updating listener %s: %w", arn, err)
	}
	return outputs, nil
}

// Delete deletes the listener; a listener already gone (or whose load
// balancer is gone) is not an error.
func (h *ListenerHandler) Delete(ctx context.Context, rec composite.Recorded) error {
	if rec.ARN == "" {
		return nil
	}
	_, err := h.api.DeleteListener(ctx, &elbv2.DeleteListenerInput{ListenerArn: aws.String(rec.ARN)})
	if err != nil && !IsNotFound(err, errCodeListenerNotFound, errCodeLoadBalancerNotFound) {
		return fmt.Errorf("deleting listener %s: %w", rec.ARN, err)
	}
	return nil
}

// read returns the listener, or an error IsNotFound accepts.
func (h *ListenerHandler) read(ctx context.Context, arn string) (*elbv2types.Listener, error) {
	if arn == "" {
		return nil, fmt.Errorf("listener without ARN: %w", ErrNotFound)
	}
	out, err := h.api.DescribeListeners(ctx, &elbv2.DescribeListenersInput{ListenerArns: []string{arn}})
	if IsNotFound(err, errCodeListenerNotFound, errCodeLoadBalancerNotFound) {
		return nil, fmt.Errorf("listener %s: %w", arn, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("reading listener %s: %w", arn, err)
	}
	for i := range out.Listeners {
		if aws.ToString(out.Listeners[i].ListenerArn) == arn {
			return &out.Listeners[i], nil
		}
	}
	return nil, fmt.Errorf("listener %s: %w", arn, ErrNotFound)
}

// ownedOnPort returns the load balancer's listener on p.Port when it
// carries p's ownership tags.
func (h *ListenerHandler) ownedOnPort(ctx context.Context, p *composite.ListenerProps) (*elbv2types.Listener, error) {
	out, err := h.api.DescribeListeners(ctx, &elbv2.DescribeListenersInput{LoadBalancerArn: aws.String(p.LoadBalancerARN)})
	if err != nil {
		return nil, err
	}
	for i := range out.Listeners {
		l := &out.Listeners[i]
		if aws.ToInt32(l.Port) != p.Port {
			continue
		}
		tags, err := elbv2TagsOf(ctx, h.api, aws.ToString(l.ListenerArn))
		if err != nil {
			return nil, err
		}
		if tags[composite.TagOwner] == p.Tags[composite.TagOwner] && tags[composite.TagKey] == p.Tags[composite.TagKey] {
			return l, nil
		}
	}
	return nil, fmt.Errorf("listener on port %d: %w", p.Port, ErrNotFound)
}

func listenerActions(a composite.ListenerAction) []elbv2types.Action {
	act := elbv2types.Action{Type: elbv2types.ActionTypeEnum(a.Type)}
	switch a.Type {
	case string(elbv2types.ActionTypeEnumFixedResponse):
		act.FixedResponseConfig = &elbv2types.FixedResponseActionConfig{
			StatusCode: aws.String(a.StatusCode), ContentType: optString(a.ContentType), MessageBody: optString(a.MessageBody),
		}
	case string(elbv2types.ActionTypeEnumRedirect):
		act.RedirectConfig = &elbv2types.RedirectActionConfig{
			StatusCode: elbv2types.RedirectActionStatusCodeEnum(a.StatusCode),
			Protocol:   optString(a.RedirectProtocol),
			Port:       optString(a.RedirectPort),
			Host:       aws.String("#{host}"),
			Path:       aws.String("/#{path}"),
			Query:      aws.String("#{query}"),
		}
	}
	return []elbv2types.Action{act}
}

// normalizeAction keeps the fields the composite manages.
func normalizeAction(a composite.ListenerAction) composite.ListenerAction {
	out := composite.ListenerAction{Type: a.Type, StatusCode: a.StatusCode}
	switch a.Type {
	case string(elbv2types.ActionTypeEnumFixedResponse):
		out.ContentType, out.MessageBody = a.ContentType, a.MessageBody
	case string(elbv2types.ActionTypeEnumRedirect):
		out.RedirectProtocol, out.RedirectPort = a.RedirectProtocol, a.RedirectPort
	}
	return out
}

func liveAction(actions []elbv2types.Action) composite.ListenerAction {
	if len(actions) != 1 {
		return composite.ListenerAction{Type: fmt.Sprintf("%d actions", len(actions))}
	}
	a := actions[0]
	out := composite.ListenerAction{Type: string(a.Type)}
	if f := a.FixedResponseConfig; f != nil {
		out.StatusCode, out.ContentType, out.MessageBody = aws.ToString(f.StatusCode), aws.ToString(f.ContentType), aws.ToString(f.MessageBody)
	}
	if r := a.RedirectConfig; r != nil {
		out.StatusCode, out.RedirectProtocol, out.RedirectPort = string(r.StatusCode), aws.ToString(r.Protocol), aws.ToString(r.Port)
	}
	return normalizeAction(out)
}

// listenerOutputs renders the outputs: the name "<protocol>:<port>", the
// certificate and (HTTPS only) the TLS policy.
func listenerOutputs(l *elbv2types.Listener) map[string]string {
	p := listenerProps(l, nil)
	if p.Protocol != "HTTPS" {
		p.SSLPolicy = ""
	}
	return map[string]string{
		composite.AttrARN:  aws.ToString(l.ListenerArn),
		composite.AttrName: composite.ListenerName(p.Protocol, p.Port),
		AttrCertificateARN: p.CertificateARN,
		AttrSSLPolicy:      p.SSLPolicy,
	}
}
