package handlers

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/servicediscovery"
	sdtypes "github.com/aws/aws-sdk-go-v2/service/servicediscovery/types"

	"github.com/containerapp/terraform-provider-containerapp/internal/composite"
	"github.com/containerapp/terraform-provider-containerapp/internal/engine"
)

const (
	errCodeNamespaceNotFound       = "NamespaceNotFound"
	errCodeNamespaceAlreadyExists  = "NamespaceAlreadyExists"
	errCodeConflictingDomainExists = "ConflictingDomainExists"
	errCodeResourceInUseSD         = "ResourceInUse"
	// NamespaceInUseTimeout bounds the retry of DeleteNamespace while Cloud
	// Map services in the namespace are still being deleted.
	NamespaceInUseTimeout = 2 * time.Minute
)

// NamespaceAPI is the part of *servicediscovery.Client the namespace handler
// uses.
type NamespaceAPI interface {
	CreatePrivateDnsNamespace(ctx context.Context, in *servicediscovery.CreatePrivateDnsNamespaceInput, optFns ...func(*servicediscovery.Options)) (*servicediscovery.CreatePrivateDnsNamespaceOutput, error)
	CreateHttpNamespace(ctx context.Context, in *servicediscovery.CreateHttpNamespaceInput, optFns ...func(*servicediscovery.Options)) (*servicediscovery.CreateHttpNamespaceOutput, error)
	GetNamespace(ctx context.Context, in *servicediscovery.GetNamespaceInput, optFns ...func(*servicediscovery.Options)) (*servicediscovery.GetNamespaceOutput, error)
	ListNamespaces(ctx context.Context, in *servicediscovery.ListNamespacesInput, optFns ...func(*servicediscovery.Options)) (*servicediscovery.ListNamespacesOutput, error)
	UpdateHttpNamespace(ctx context.Context, in *servicediscovery.UpdateHttpNamespaceInput, optFns ...func(*servicediscovery.Options)) (*servicediscovery.UpdateHttpNamespaceOutput, error)
	UpdatePrivateDnsNamespace(ctx context.Context, in *servicediscovery.UpdatePrivateDnsNamespaceInput, optFns ...func(*servicediscovery.Options)) (*servicediscovery.UpdatePrivateDnsNamespaceOutput, error)
	DeleteNamespace(ctx context.Context, in *servicediscovery.DeleteNamespaceInput, optFns ...func(*servicediscovery.Options)) (*servicediscovery.DeleteNamespaceOutput, error)
	GetOperation(ctx context.Context, in *servicediscovery.GetOperationInput, optFns ...func(*servicediscovery.Options)) (*servicediscovery.GetOperationOutput, error)
	ListTagsForResource(ctx context.Context, in *servicediscovery.ListTagsForResourceInput, optFns ...func(*servicediscovery.Options)) (*servicediscovery.ListTagsForResourceOutput, error)
	TagResource(ctx context.Context, in *servicediscovery.TagResourceInput, optFns ...func(*servicediscovery.Options)) (*servicediscovery.TagResourceOutput, error)
	UntagResource(ctx context.Context, in *servicediscovery.UntagResourceInput, optFns ...func(*servicediscovery.Options)) (*servicediscovery.UntagResourceOutput, error)
}

var _ NamespaceAPI = (*servicediscovery.Client)(nil)

// NamespaceHandler manages Cloud Map namespaces: both
// composite.KindPrivateDNSNamespace and composite.KindHTTPNamespace children
// (NamespaceProps.Type decides). It holds no mutable state and is safe for
// concurrent use.
type NamespaceHandler struct {
	api NamespaceAPI
}

var (
	_ engine.Handler = (*NamespaceHandler)(nil)
	_ engine.Finder  = (*NamespaceHandler)(nil)
)

// NewNamespaceHandler returns a handler for Cloud Map namespaces.
func NewNamespaceHandler(api NamespaceAPI) *NamespaceHandler { return &NamespaceHandler{api: api} }

// Create creates the namespace, waits for its operation and reads it back.
// Calls: CreatePrivateDnsNamespace or CreateHttpNamespace, GetOperation,
// GetNamespace. If the namespace was created but the wait or the read fails,
// it is looked up by name (ListNamespaces) so that it is returned, and
// recorded, with the error. A namespace of the same name that carries this
// child's ownership tags (an earlier create whose result was lost) is
// adopted.
func (h *NamespaceHandler) Create(ctx context.Context, c composite.Child) (map[string]string, error) {
	p, err := childProps[composite.NamespaceProps](c)
	if err != nil {
		return nil, err
	}
	token := "containerapp-" + randomHex(16) // idempotent across SDK retries of this call only
	var opID *string
	switch p.Type {
	case composite.NamespaceTypeHTTP:
		out, cerr := h.api.CreateHttpNamespace(ctx, &servicediscovery.CreateHttpNamespaceInput{
			Name: aws.String(p.Name), CreatorRequestId: aws.String(token), Description: optString(p.Description), Tags: discoveryTags(p.Tags),
		})
		err = cerr
		if out != nil {
			opID = out.OperationId
		}
	case composite.NamespaceTypeDNSPrivate:
		out, cerr := h.api.CreatePrivateDnsNamespace(ctx, &servicediscovery.CreatePrivateDnsNamespaceInput{
			Name: aws.String(p.Name), Vpc: aws.String(p.VpcID), CreatorRequestId: aws.String(token), Description: optString(p.Description), Tags: discoveryTags(p.Tags),
		})
		err = cerr
		if out != nil {
			opID = out.OperationId
		}
	default:
		return nil, fmt.Errorf("creating Cloud Map namespace %q: unknown type %q", p.Name, p.Type)
	}
	if code := ErrorCode(err); code == errCodeNamespaceAlreadyExists || code == errCodeConflictingDomainExists {
		ns, ferr := h.ownedByName(ctx, c, p)
		if ferr == nil {
			return h.Update(ctx, c, composite.Recorded{ARN: aws.ToString(ns.Arn), Outputs: map[string]string{composite.AttrID: aws.ToString(ns.Id)}})
		}
		if errors.Is(ferr, ErrNotOwned) {
			return nil, fmt.Errorf("creating Cloud Map namespace %q: %w", p.Name, refuseAdoption(ferr, err))
		}
	}
	if err != nil {
		return nil, fmt.Errorf("creating Cloud Map namespace %q: %w", p.Name, err)
	}
	id, err := h.waitOperation(ctx, aws.ToString(opID))
	if err == nil && id == "" {
		err = fmt.Errorf("operation %s reported no namespace id", aws.ToString(opID))
	}
	var ns *sdtypes.Namespace
	if err == nil {
		ns, err = h.read(ctx, id)
	}
	if err != nil {
		// Created (probably) but not confirmed: return what exists, if anything.
		if found, ferr := h.byName(ctx, p.Name, p.Type); ferr == nil {
			return namespaceOutputsFromSummary(found), fmt.Errorf("creating Cloud Map namespace %q: %w", p.Name, err)
		}
		return nil, fmt.Errorf("creating Cloud Map namespace %q: %w", p.Name, err)
	}
	return namespaceOutputs(ns), nil
}

// Observe reads the namespace (one GetNamespace call; with full also
// ListTagsForResource) and maps it with namespaceProps.
func (h *NamespaceHandler) Observe(ctx context.Context, rec composite.Recorded, full bool) (composite.Observed, bool, error) {
	ns, err := h.read(ctx, namespaceID(rec))
	if IsNotFound(err) {
		return composite.Observed{}, false, nil
	}
	if err != nil {
		return composite.Observed{}, false, err
	}
	var tags map[string]string
	if full {
		if tags, err = h.tags(ctx, aws.ToString(ns.Arn)); err != nil {
			return composite.Observed{}, false, err
		}
	}
	return composite.Observed{Props: namespaceProps(ns, tags), Outputs: namespaceOutputs(ns), Full: full}, true, nil
}

// Find looks the namespace up by its id (q.ID), else among the namespaces
// of q.Kind's type (ListNamespaces pages): by its name (q.Name) when
// given, else as the one carrying q's ownership tags (ListTagsForResource
// per namespace), and observes it in full. With q.OwnedOnly a namespace
// found by id or name whose ownership tags name another owner or key is an
// error. The record's kind follows the namespace's type.
func (h *NamespaceHandler) Find(ctx context.Context, q composite.Lookup) (composite.Recorded, composite.Observed, bool, error) {
	id := q.ID
	if id == "" {
		all, err := h.list(ctx)
		if err != nil {
			return composite.Recorded{}, composite.Observed{}, false, err
		}
		for i := range all {
			ns := &all[i]
			// The lookup cannot know the namespace's type (its kind):
			// either namespace kind finds both.
			if q.Name != "" {
				if aws.ToString(ns.Name) == q.Name {
					id = aws.ToString(ns.Id)
					break
				}
				continue
			}
			tags, err := h.tags(ctx, aws.ToString(ns.Arn))
			if IsNotFound(err) {
				continue
			}
			if err != nil {
				return composite.Recorded{}, composite.Observed{}, false, err
			}
			if ownsLookup(q, tags) {
				id = aws.ToString(ns.Id)
				break
			}
		}
		if id == "" {
			return composite.Recorded{}, composite.Observed{}, false, nil
		}
	}
	obs, found, err := h.Observe(ctx, composite.Recorded{Key: q.Key, Kind: q.Kind, Outputs: map[string]string{composite.AttrID: id}}, true)
	if err != nil || !found {
		return composite.Recorded{}, composite.Observed{}, found, err
	}
	p := obs.Props.(*composite.NamespaceProps)
	if err := lookupOwned(q, fmt.Sprintf("Cloud Map namespace %q (%s)", p.Name, id), p.Tags); err != nil {
		return composite.Recorded{}, composite.Observed{}, false, err
	}
	return lookupRecord(q, composite.NamespaceKind(p.Type), p.Name, obs), obs, true, nil
}

// tags returns the user tags of a namespace (one ListTagsForResource call),
// or an error IsNotFound accepts.
func (h *NamespaceHandler) tags(ctx context.Context, nsARN string) (map[string]string, error) {
	out, err := h.api.ListTagsForResource(ctx, &servicediscovery.ListTagsForResourceInput{ResourceARN: aws.String(nsARN)})
	if IsNotFound(err, "ResourceNotFoundException", errCodeNamespaceNotFound) {
		return nil, fmt.Errorf("Cloud Map namespace %s: %w", nsARN, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("reading the tags of Cloud Map namespace %s: %w", nsARN, err)
	}
	return userTags(discoveryTagMap(out.Tags)), nil
}

// namespaceProps maps a namespace as GetNamespace returns it (and its user
// tags, nil when not read). GetNamespace does not report the VPC of a
// private DNS namespace (only its hosted zone): VpcID stays empty.
func namespaceProps(ns *sdtypes.Namespace, tags map[string]string) *composite.NamespaceProps {
	return &composite.NamespaceProps{
		Name:        aws.ToString(ns.Name),
		Type:        string(ns.Type),
		Description: aws.ToString(ns.Description),
		Tags:        tags,
	}
}

// Update converges the description (UpdateHttpNamespace or
// UpdatePrivateDnsNamespace, waiting for the operation) and the tags. Name,
// type and VPC cannot change: the composite replaces the namespace. Calls:
// GetNamespace, [Update...Namespace, GetOperation], ListTagsForResource,
// [UntagResource], [TagResource].
func (h *NamespaceHandler) Update(ctx context.Context, c composite.Child, prev composite.Recorded) (map[string]string, error) {
	p, err := childProps[composite.NamespaceProps](c)
	if err != nil {
		return nil, err
	}
	id := namespaceID(prev)
	ns, err := h.read(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("updating Cloud Map namespace %q: %w", p.Name, err)
	}
	outputs := namespaceOutputs(ns)
	if aws.ToString(ns.Description) != p.Description {
		var opID *string
		token := aws.String("containerapp-" + randomHex(16))
		if ns.Type == sdtypes.NamespaceTypeHttp {
			out, uerr := h.api.UpdateHttpNamespace(ctx, &servicediscovery.UpdateHttpNamespaceInput{
				Id: aws.String(id), UpdaterRequestId: token, Namespace: &sdtypes.HttpNamespaceChange{Description: aws.String(p.Description)},
			})
			err = uerr
			if out != nil {
				opID = out.OperationId
			}
		} else {
			out, uerr := h.api.UpdatePrivateDnsNamespace(ctx, &servicediscovery.UpdatePrivateDnsNamespaceInput{
				Id: aws.String(id), UpdaterRequestId: token, Namespace: &sdtypes.PrivateDnsNamespaceChange{Description: aws.String(p.Description)},
			})
			err = uerr
			if out != nil {
				opID = out.OperationId
			}
		}
		if err == nil {
			_, err = h.waitOperation(ctx, aws.ToString(opID))
		}
		if err != nil {
			return outputs, fmt.Errorf("updating the description of Cloud Map namespace %q: %w", p.Name, err)
		}
		outputs[AttrDescription] = p.Description
	}
	arn := aws.ToString(ns.Arn)
	tags, err := h.api.ListTagsForResource(ctx, &servicediscovery.ListTagsForResourceInput{ResourceARN: aws.String(arn)})
	if err != nil {
		return outputs, fmt.Errorf("listing tags of Cloud Map namespace %q: %w", p.Name, err)
	}
	set, remove := tagChanges(discoveryTagMap(tags.Tags), p.Tags)
	if len(remove) > 0 {
		if _, err := h.api.UntagResource(ctx, &servicediscovery.UntagResourceInput{ResourceARN: aws.String(arn), TagKeys: remove}); err != nil {
			return outputs, fmt.Errorf("untagging Cloud Map namespace %q: %w", p.Name, err)
		}
	}
	if len(set) > 0 {
		if _, err := h.api.TagResource(ctx, &servicediscovery.TagResourceInput{ResourceARN: aws.String(arn), Tags: discoveryTags(set)}); err != nil {
			return outputs, fmt.Errorf("tagging Cloud Map namespace %q: %w", p.Name, err)
		}
	}
	return outputs, nil
}

// Delete deletes the namespace and waits for the operation. A namespace
// already gone is fine; ResourceInUse (services still being deleted) is
// retried for up to NamespaceInUseTimeout.
func (h *NamespaceHandler) Delete(ctx context.Context, rec composite.Recorded) error {
	id := namespaceID(rec)
	if id == "" {
		return nil
	}
	var opID *string
	err := RetryOn(ctx, NamespaceInUseTimeout, func(err error) bool { return ErrorCode(err) == errCodeResourceInUseSD },
		func(ctx context.Context) error {
			out, err := h.api.DeleteNamespace(ctx, &servicediscovery.DeleteNamespaceInput{Id: aws.String(id)})
			if out != nil {
				opID = out.OperationId
			}
			return err
		})
	if IsNotFound(err, errCodeNamespaceNotFound) {
		return nil
	}
	if err == nil {
		_, err = h.waitOperation(ctx, aws.ToString(opID))
	}
	if err != nil {
		return fmt.Errorf("deleting Cloud Map namespace %q: %w", id, err)
	}
	return nil
}

// read returns the namespace, or an error IsNotFound accepts.
func (h *NamespaceHandler) read(ctx context.Context, id string) (*sdtypes.Namespace, error) {
	if id == "" {
		return nil, fmt.Errorf("Cloud Map namespace without an id: %w", ErrNotFound)
	}
	out, err := h.api.GetNamespace(ctx, &servicediscovery.GetNamespaceInput{Id: aws.String(id)})
	if IsNotFound(err, errCodeNamespaceNotFound) {
		return nil, fmt.Errorf("Cloud Map namespace %s: %w: %s", id, ErrNotFound, ErrorMessage(err))
	}
	if err != nil {
		return nil, fmt.Errorf("reading Cloud Map namespace %s: %w", id, err)
	}
	if out.Namespace == nil {
		return nil, fmt.Errorf("Cloud Map namespace %s: %w", id, ErrNotFound)
	}
	return out.Namespace, nil
}

// byName returns the namespace of that name and type (ListNamespaces
// pages), or an error IsNotFound accepts.
func (h *NamespaceHandler) byName(ctx context.Context, name, typ string) (*sdtypes.NamespaceSummary, error) {
	all, err := h.list(ctx)
	if err != nil {
		return nil, err
	}
	for i := range all {
		if aws.ToString(all[i].Name) == name && string(all[i].Type) == typ {
			return &all[i], nil
		}
	}
	return nil, fmt.Errorf("Cloud Map namespace %q: %w", name, ErrNotFound)
}

// ownedByName returns the namespace of p's name and type when it carries c's
// ownership tags; for one that does not, an error wrapping ErrNotOwned that
// names it and says why.
func (h *NamespaceHandler) ownedByName(ctx context.Context, c composite.Child, p *composite.NamespaceProps) (*sdtypes.NamespaceSummary, error) {
	ns, err := h.byName(ctx, p.Name, p.Type)
	if err != nil {
		return nil, err
	}
	m, err := h.tags(ctx, aws.ToString(ns.Arn))
	if err != nil {
		return nil, err
	}
	if err := ownedByChild(fmt.Sprintf("Cloud Map namespace %q (%s)", p.Name, aws.ToString(ns.Arn)), m, c, p.Tags); err != nil {
		return nil, err
	}
	return ns, nil
}

// list returns every namespace (ListNamespaces pages).
func (h *NamespaceHandler) list(ctx context.Context) ([]sdtypes.NamespaceSummary, error) {
	var all []sdtypes.NamespaceSummary
	p := servicediscovery.NewListNamespacesPaginator(h.api, &servicediscovery.ListNamespacesInput{})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("listing Cloud Map namespaces: %w", err)
		}
		all = append(all, out.Namespaces...)
	}
	return all, nil
}

// waitOperation waits until the operation succeeds and returns the
// namespace id it names. An empty id means there is nothing to wait for
// (some emulators omit it on updates).
func (h *NamespaceHandler) waitOperation(ctx context.Context, opID string) (string, error) {
	if opID == "" {
		return "", nil
	}
	var nsID string
	err := RetryOn(ctx, DiscoveryOperationTimeout, func(err error) bool { return errors.Is(err, errOperationPending) },
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
				nsID = out.Operation.Targets[string(sdtypes.OperationTargetTypeNamespace)]
				return nil
			case sdtypes.OperationStatusFail:
				return fmt.Errorf("operation %q failed: %s: %s", opID, aws.ToString(out.Operation.ErrorCode), aws.ToString(out.Operation.ErrorMessage))
			}
			return fmt.Errorf("operation %q is %s: %w", opID, out.Operation.Status, errOperationPending)
		})
	return nsID, err
}

// namespaceID is the recorded namespace id: the id output, else the last
// part of the ARN (arn:...:namespace/ns-...).
func namespaceID(rec composite.Recorded) string {
	if id := recordedOutput(rec, composite.AttrID); id != "" {
		return id
	}
	return lastSegment(firstNonEmpty(recordedOutput(rec, composite.AttrARN), rec.ARN))
}

func namespaceOutputs(ns *sdtypes.Namespace) map[string]string {
	return namespaceOutputValues(aws.ToString(ns.Arn), aws.ToString(ns.Id), aws.ToString(ns.Name), string(ns.Type), aws.ToString(ns.Description))
}

func namespaceOutputsFromSummary(ns *sdtypes.NamespaceSummary) map[string]string {
	return namespaceOutputValues(aws.ToString(ns.Arn), aws.ToString(ns.Id), aws.ToString(ns.Name), string(ns.Type), aws.ToString(ns.Description))
}

func namespaceOutputValues(arn, id, name, typ, description string) map[string]string {
	return map[string]string{
		composite.AttrARN:  arn,
		composite.AttrID:   id,
		composite.AttrName: name,
		AttrType:           typ,
		AttrDescription:    description,
	}
}

// randomHex returns n random bytes in hex.
func randomHex(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		return fmt.Sprint(time.Now().UnixNano())
	}
	return hex.EncodeToString(b)
}
