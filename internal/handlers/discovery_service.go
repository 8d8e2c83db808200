package handlers

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/arn"
	"github.com/aws/aws-sdk-go-v2/service/servicediscovery"
	sdtypes "github.com/aws/aws-sdk-go-v2/service/servicediscovery/types"

	"github.com/containerapp/terraform-provider-containerapp/internal/composite"
	"github.com/containerapp/terraform-provider-containerapp/internal/engine"
)

// DiscoveryOperationTimeout bounds the wait for an asynchronous Cloud Map
// operation (UpdateService) to finish.
const DiscoveryOperationTimeout = 5 * time.Minute

// errCodeDiscoveryServiceExists is CreateService's answer for a name taken
// in the namespace.
const errCodeDiscoveryServiceExists = "ServiceAlreadyExists"

// errOperationPending is what waitDiscoveryOperation retries on.
var errOperationPending = errors.New("cloud map operation still pending")

// DiscoveryServiceAPI is the part of *servicediscovery.Client the discovery
// service handler uses.
type DiscoveryServiceAPI interface {
	CreateService(ctx context.Context, in *servicediscovery.CreateServiceInput, optFns ...func(*servicediscovery.Options)) (*servicediscovery.CreateServiceOutput, error)
	ListServices(ctx context.Context, in *servicediscovery.ListServicesInput, optFns ...func(*servicediscovery.Options)) (*servicediscovery.ListServicesOutput, error)
	GetService(ctx context.Context, in *servicediscovery.GetServiceInput, optFns ...func(*servicediscovery.Options)) (*servicediscovery.GetServiceOutput, error)
	UpdateService(ctx context.Context, in *servicediscovery.UpdateServiceInput, optFns ...func(*servicediscovery.Options)) (*servicediscovery.UpdateServiceOutput, error)
	GetOperation(ctx context.Context, in *servicediscovery.GetOperationInput, optFns ...func(*servicediscovery.Options)) (*servicediscovery.GetOperationOutput, error)
	ListTagsForResource(ctx context.Context, in *servicediscovery.ListTagsForResourceInput, optFns ...func(*servicediscovery.Options)) (*servicediscovery.ListTagsForResourceOutput, error)
	TagResource(ctx context.Context, in *servicediscovery.TagResourceInput, optFns ...func(*servicediscovery.Options)) (*servicediscovery.TagResourceOutput, error)
	UntagResource(ctx context.Context, in *servicediscovery.UntagResourceInput, optFns ...func(*servicediscovery.Options)) (*servicediscovery.UntagResourceOutput, error)
	DeleteService(ctx context.Context, in *servicediscovery.DeleteServiceInput, optFns ...func(*servicediscovery.Options)) (*servicediscovery.DeleteServiceOutput, error)
}

var _ DiscoveryServiceAPI = (*servicediscovery.Client)(nil)

// DiscoveryServiceHandler manages composite.KindDiscoveryService children
// (Cloud Map services). It holds no mutable state and is safe for concurrent
// use.
type DiscoveryServiceHandler struct {
	api DiscoveryServiceAPI
}

var (
	_ engine.Handler = (*DiscoveryServiceHandler)(nil)
	_ engine.Finder  = (*DiscoveryServiceHandler)(nil)
)

// NewDiscoveryServiceHandler returns a handler for Cloud Map services.
func NewDiscoveryServiceHandler(api DiscoveryServiceAPI) *DiscoveryServiceHandler {
	return &DiscoveryServiceHandler{api: api}
}

// Create creates the service with a fresh random CreatorRequestId (and,
// only in a DNS namespace, its DNS records: Cloud Map refuses a DnsConfig in
// an HTTP namespace, "When you specify an HTTP service, you can't include a
// DnsConfig element"): the
// SDK's own retries of this call resend the same input, so they stay
// idempotent, while a later Create (destroy and recreate, or the next
// apply) never reuses a token AWS may answer with DuplicateRequest. A
// service of the same name in the namespace (ServiceAlreadyExists) carrying
// this child's ownership tags - an earlier Create whose response was lost -
// is adopted and converged; any other is refused.
func (h *DiscoveryServiceHandler) Create(ctx context.Context, c composite.Child) (map[string]string, error) {
	p, err := childProps[composite.DiscoveryServiceProps](c)
	if err != nil {
		return nil, err
	}
	name := firstNonEmpty(p.Name, c.Name)
	token, err := discoveryCreatorRequestID()
	if err != nil {
		return nil, fmt.Errorf("creating Cloud Map service %q in namespace %q: %w", name, p.NamespaceID, err)
	}
	in := &servicediscovery.CreateServiceInput{
		Name:             aws.String(name),
		NamespaceId:      aws.String(p.NamespaceID),
		CreatorRequestId: aws.String(token),
		Tags:             discoveryTags(p.Tags),
	}
	if discoveryHasDNS(p) {
		in.DnsConfig = &sdtypes.DnsConfig{
			RoutingPolicy: sdtypes.RoutingPolicy(p.RoutingPolicy),
			DnsRecords:    discoveryRecords(p),
		}
	}
	if p.FailureThreshold > 0 {
		// ECS reports task health through the custom health check. Its
		// FailureThreshold is deprecated ("This parameter is no longer
		// supported and is always set to 1"): it is not sent.
		in.HealthCheckCustomConfig = &sdtypes.HealthCheckCustomConfig{}
	}
	out, err := h.api.CreateService(ctx, in)
	if ErrorCode(err) == errCodeDiscoveryServiceExists {
		return h.adopt(ctx, c, p, name, err)
	}
	if err != nil {
		return nil, fmt.Errorf("creating Cloud Map service %q in namespace %q: %w", name, p.NamespaceID, err)
	}
	if out.Service == nil {
		return nil, fmt.Errorf("creating Cloud Map service %q in namespace %q: empty response", name, p.NamespaceID)
	}
	return discoveryOutputs(out.Service, name), nil
}

// adopt takes over the service of the child's name in its namespace that
// CreateService reported as existing (createErr, which names its id; else
// it is looked up with ListServices) when it carries the child's ownership
// tags, and converges it with Update. Calls: [ListServices pages],
// GetService, ListTagsForResource, then Update's.
func (h *DiscoveryServiceHandler) adopt(ctx context.Context, c composite.Child, p *composite.DiscoveryServiceProps, name string, createErr error) (map[string]string, error) {
	fail := func(step string, err error) (map[string]string, error) {
		return nil, fmt.Errorf("creating Cloud Map service %q in namespace %q: %w (%s: %v)", name, p.NamespaceID, createErr, step, err)
	}
	var id string
	var exists *sdtypes.ServiceAlreadyExists
	if errors.As(createErr, &exists) {
		id = aws.ToString(exists.ServiceId)
	}
	if id == "" {
		var err error
		if id, err = h.byName(ctx, p.NamespaceID, name); err != nil {
			return fail("looking the service up by name", err)
		}
	}
	svc, err := h.read(ctx, id)
	if err != nil {
		return fail("reading the existing service", err)
	}
	arn := aws.ToString(svc.Arn)
	tags, err := h.api.ListTagsForResource(ctx, &servicediscovery.ListTagsForResourceInput{ResourceARN: aws.String(arn)})
	if err != nil {
		return fail("listing the existing service's tags", err)
	}
	if err := ownedByChild(fmt.Sprintf("Cloud Map service %q (%s)", name, arn), discoveryTagMap(tags.Tags), c, p.Tags); err != nil {
		return nil, fmt.Errorf("creating Cloud Map service %q in namespace %q: %w", name, p.NamespaceID, refuseAdoption(err, createErr))
	}
	return h.Update(ctx, c, composite.Recorded{Key: c.Key, Kind: c.Kind, Name: name, ARN: arn,
		Outputs: map[string]string{composite.AttrID: id}})
}

// Observe reads the service (one GetService call; with full also
// ListTagsForResource) and maps it with discoveryServiceProps.
func (h *DiscoveryServiceHandler) Observe(ctx context.Context, rec composite.Recorded, full bool) (composite.Observed, bool, error) {
	svc, err := h.read(ctx, discoveryServiceID(rec))
	if IsNotFound(err) {
		return composite.Observed{}, false, nil
	}
	if err != nil {
		return composite.Observed{}, false, err
	}
	var tags map[string]string
	if full {
		out, err := h.api.ListTagsForResource(ctx, &servicediscovery.ListTagsForResourceInput{ResourceARN: svc.Arn})
		if err != nil {
			return composite.Observed{}, false, fmt.Errorf("listing tags of Cloud Map service %q: %w", aws.ToString(svc.Id), err)
		}
		tags = userTags(discoveryTagMap(out.Tags))
	}
	return composite.Observed{Props: discoveryServiceProps(svc, tags), Outputs: discoveryOutputs(svc, rec.Name), Full: full}, true, nil
}

// Find looks the service up by its id or ARN (q.ID, e.g. the registry the
// ECS service registers in), else by its name (q.Name) in the namespace
// q.Scope[LookupNamespaceID] (ListServices pages), and observes it in full.
// With q.OwnedOnly a service whose ownership tags name another owner or key
// is an error.
func (h *DiscoveryServiceHandler) Find(ctx context.Context, q composite.Lookup) (composite.Recorded, composite.Observed, bool, error) {
	id := q.ID
	if strings.HasPrefix(id, "arn:") {
		id = discoveryServiceID(composite.Recorded{ARN: id})
	}
	if id == "" {
		namespace := q.Scope[composite.LookupNamespaceID]
		if q.Name == "" || namespace == "" {
			return composite.Recorded{}, composite.Observed{}, false, fmt.Errorf("looking up %s: no Cloud Map service id, or name and namespace", q.Key)
		}
		var err error
		if id, err = h.byName(ctx, namespace, q.Name); err != nil || id == "" {
			return composite.Recorded{}, composite.Observed{}, false, err
		}
	}
	rec := composite.Recorded{Key: q.Key, Kind: composite.KindDiscoveryService, Name: q.Name, Outputs: map[string]string{composite.AttrID: id}}
	obs, found, err := h.Observe(ctx, rec, true)
	if err != nil || !found {
		return composite.Recorded{}, composite.Observed{}, found, err
	}
	p := obs.Props.(*composite.DiscoveryServiceProps)
	if err := lookupOwned(q, fmt.Sprintf("Cloud Map service %q (%s)", p.Name, obs.Outputs[composite.AttrARN]), p.Tags); err != nil {
		return composite.Recorded{}, composite.Observed{}, false, err
	}
	return lookupRecord(q, composite.KindDiscoveryService, p.Name, obs), obs, true, nil
}

// byName returns the id of the service named name in the namespace ("" when
// there is none). Calls: ListServices pages, GetService per service of that
// name (some emulators ignore the namespace filter).
func (h *DiscoveryServiceHandler) byName(ctx context.Context, namespaceID, name string) (string, error) {
	pages := servicediscovery.NewListServicesPaginator(h.api, &servicediscovery.ListServicesInput{Filters: []sdtypes.ServiceFilter{{
		Name: sdtypes.ServiceFilterNameNamespaceId, Values: []string{namespaceID}, Condition: sdtypes.FilterConditionEq,
	}}})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return "", fmt.Errorf("listing the services of Cloud Map namespace %q: %w", namespaceID, err)
		}
		for _, sum := range page.Services {
			if aws.ToString(sum.Name) != name {
				continue
			}
			if svc, err := h.read(ctx, aws.ToString(sum.Id)); err == nil && aws.ToString(svc.NamespaceId) == namespaceID {
				return aws.ToString(sum.Id), nil
			}
		}
	}
	return "", nil
}

// discoveryServiceProps maps a service as GetService returns it (and its
// user tags, nil when not read). The props hold one TTL for every DNS
// record: records whose TTLs differ read as DNSTTL -1, which no
// configuration has. A service without a DnsConfig reads as HTTPNamespace
// (its instances are found by DiscoverInstances only: what the composite
// builds in an HTTP namespace, where Cloud Map refuses DNS records), with no
// records, TTL or routing policy, exactly as the expander writes it. A
// custom health check reads as FailureThreshold 1 whatever GetService
// reports for the deprecated field (Cloud Map always uses 1; the props keep
// it for hash stability).
func discoveryServiceProps(svc *sdtypes.Service, tags map[string]string) *composite.DiscoveryServiceProps {
	p := &composite.DiscoveryServiceProps{
		Name:          aws.ToString(svc.Name),
		NamespaceID:   aws.ToString(svc.NamespaceId),
		HTTPNamespace: svc.DnsConfig == nil,
		Tags:          tags,
	}
	if c := svc.DnsConfig; c != nil {
		p.RoutingPolicy = string(c.RoutingPolicy)
		for i, r := range c.DnsRecords {
			p.RecordTypes = append(p.RecordTypes, string(r.Type))
			switch ttl := aws.ToInt64(r.TTL); {
			case i == 0:
				p.DNSTTL = ttl
			case ttl != p.DNSTTL:
				p.DNSTTL = -1
			}
		}
	}
	if svc.HealthCheckCustomConfig != nil {
		p.FailureThreshold = 1
	}
	return p
}

// discoveryHasDNS reports whether the service gets DNS records: never in an
// HTTP namespace.
func discoveryHasDNS(p *composite.DiscoveryServiceProps) bool {
	return !p.HTTPNamespace && len(p.RecordTypes) > 0
}

// Update changes the DNS records' TTL (UpdateService, waiting for its
// operation; never in an HTTP namespace, whose services have no records)
// and converges tags, calling only what differs.
func (h *DiscoveryServiceHandler) Update(ctx context.Context, c composite.Child, prev composite.Recorded) (map[string]string, error) {
	p, err := childProps[composite.DiscoveryServiceProps](c)
	if err != nil {
		return nil, err
	}
	id := discoveryServiceID(prev)
	svc, err := h.read(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("updating Cloud Map service %q: %w", id, err)
	}
	name := firstNonEmpty(aws.ToString(svc.Name), p.Name, c.Name)
	outputs := discoveryOutputs(svc, name)

	if svc.DnsConfig != nil && discoveryHasDNS(p) && discoveryTTLDiffers(svc.DnsConfig.DnsRecords, p.DNSTTL) {
		out, err := h.api.UpdateService(ctx, &servicediscovery.UpdateServiceInput{
			Id: aws.String(id),
			Service: &sdtypes.ServiceChange{
				// Records left out of the change are deleted: send them all.
				DnsConfig: &sdtypes.DnsConfigChange{DnsRecords: discoveryRecords(p)},
			},
		})
		if err != nil {
			return outputs, fmt.Errorf("updating DNS TTL of Cloud Map service %q: %w", name, err)
		}
		if err := h.waitOperation(ctx, aws.ToString(out.OperationId)); err != nil {
			return outputs, fmt.Errorf("updating DNS TTL of Cloud Map service %q: %w", name, err)
		}
	}

	arn := aws.ToString(svc.Arn)
	tags, err := h.api.ListTagsForResource(ctx, &servicediscovery.ListTagsForResourceInput{ResourceARN: aws.String(arn)})
	if err != nil {
		return outputs, fmt.Errorf("listing tags of Cloud Map service %q: %w", name, err)
	}
	set, remove := tagChanges(discoveryTagMap(tags.Tags), p.Tags)
	if len(remove) > 0 {
		if _, err := h.api.UntagResource(ctx, &servicediscovery.UntagResourceInput{ResourceARN: aws.String(arn), TagKeys: remove}); err != nil {
			return outputs, fmt.Errorf("untagging Cloud Map service %q: %w", name, err)
		}
	}
	if len(set) > 0 {
		if _, err := h.api.TagResource(ctx, &servicediscovery.TagResourceInput{ResourceARN: aws.String(arn), Tags: discoveryTags(set)}); err != nil {
			return outputs, fmt.Errorf("tagging Cloud Map service %q: %w", name, err)
		}
	}
	return outputs, nil
}

// Delete deletes the service. While ECS still deregisters instances Cloud
// Map answers ResourceInUse: that is retried for ResourceInUseTimeout. A
// service already gone is fine.
func (h *DiscoveryServiceHandler) Delete(ctx context.Context, rec composite.Recorded) error {
	id := discoveryServiceID(rec)
	err := RetryOn(ctx, ResourceInUseTimeout, func(err error) bool { return ErrorCode(err) == "ResourceInUse" },
		func(ctx context.Context) error {
			_, err := h.api.DeleteService(ctx, &servicediscovery.DeleteServiceInput{Id: aws.String(id)})
			return err
		})
	if err != nil && !IsNotFound(err, "ServiceNotFound") {
		return fmt.Errorf("deleting Cloud Map service %q: %w", id, err)
	}
	return nil
}

// read returns the service, or an error IsNotFound accepts.
func (h *DiscoveryServiceHandler) read(ctx context.Context, id string) (*sdtypes.Service, error) {
	if id == "" {
		return nil, fmt.Errorf("Cloud Map service without an id: %w", ErrNotFound)
	}
	out, err := h.api.GetService(ctx, &servicediscovery.GetServiceInput{Id: aws.String(id)})
	if IsNotFound(err, "ServiceNotFound") {
		return nil, fmt.Errorf("Cloud Map service %q: %w: %s", id, ErrNotFound, ErrorMessage(err))
	}
	if err != nil {
		return nil, fmt.Errorf("reading Cloud Map service %q: %w", id, err)
	}
	if out.Service == nil {
		return nil, fmt.Errorf("Cloud Map service %q: %w", id, ErrNotFound)
	}
	return out.Service, nil
}

// waitOperation waits until the Cloud Map operation succeeds; a failed
// operation is an error carrying its code and message.
func (h *DiscoveryServiceHandler) waitOperation(ctx context.Context, opID string) error {
	if opID == "" {
		return nil // nothing to wait for (some emulators omit the id)
	}
	return RetryOn(ctx, DiscoveryOperationTimeout, func(err error) bool { return errors.Is(err, errOperationPending) },
		func(ctx context.Context) error {
			out, err := h.api.GetOperation(ctx, &servicediscovery.GetOperationInput{OperationId: aws.String(opID)})
			if err != nil {
				return fmt.Errorf("reading Cloud Map operation %q: %w", opID, err)
			}
			if out.Operation == nil {
				return fmt.Errorf("operation %q: %w", opID, errOperationPending)
			}
			switch out.Operation.Status {
			case sdtypes.OperationStatusSuccess:
				return nil
			case sdtypes.OperationStatusFail:
				return fmt.Errorf("operation %q failed: %s: %s", opID,
					aws.ToString(out.Operation.ErrorCode), aws.ToString(out.Operation.ErrorMessage))
			}
			return fmt.Errorf("operation %q is %s: %w", opID, out.Operation.Status, errOperationPending)
		})
}

// discoveryCreatorRequestID returns a fresh idempotency token for one
// CreateService call (at most 64 characters).
func discoveryCreatorRequestID() (string, error) {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("generating a creator request id: %w", err)
	}
	return "containerapp-" + hex.EncodeToString(b), nil
}

// discoveryServiceID is the recorded service id: the id output, else the last
// part of the ARN (arn:aws:servicediscovery:region:account:service/srv-...).
func discoveryServiceID(rec composite.Recorded) string {
	if id := recordedOutput(rec, composite.AttrID); id != "" {
		return id
	}
	a := firstNonEmpty(recordedOutput(rec, composite.AttrARN), rec.ARN)
	if parsed, err := arn.Parse(a); err == nil {
		if _, id, ok := strings.Cut(parsed.Resource, "/"); ok {
			return id
		}
	}
	return ""
}

func discoveryRecords(p *composite.DiscoveryServiceProps) []sdtypes.DnsRecord {
	records := make([]sdtypes.DnsRecord, 0, len(p.RecordTypes))
	for _, t := range p.RecordTypes {
		records = append(records, sdtypes.DnsRecord{Type: sdtypes.RecordType(t), TTL: aws.Int64(p.DNSTTL)})
	}
	return records
}

func discoveryTTLDiffers(records []sdtypes.DnsRecord, ttl int64) bool {
	for _, r := range records {
		if aws.ToInt64(r.TTL) != ttl {
			return true
		}
	}
	return false
}

func discoveryOutputs(svc *sdtypes.Service, name string) map[string]string {
	return map[string]string{
		composite.AttrARN:  aws.ToString(svc.Arn),
		composite.AttrID:   aws.ToString(svc.Id),
		composite.AttrName: firstNonEmpty(aws.ToString(svc.Name), name),
	}
}
