package handlers

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	awspolicy "github.com/hashicorp/awspolicyequivalence"

	"github.com/containerapp/terraform-provider-containerapp/internal/composite"
	"github.com/containerapp/terraform-provider-containerapp/internal/engine"
)

// iamDefaultMaxSessionDuration is what IAM applies when MaxSessionDuration is
// not given.
const iamDefaultMaxSessionDuration = 3600

// errCodeEntityAlreadyExists is CreateRole's answer for a taken name.
const errCodeEntityAlreadyExists = "EntityAlreadyExists"

// RoleAPI is the part of *iam.Client the role handler uses.
type RoleAPI interface {
	CreateRole(ctx context.Context, in *iam.CreateRoleInput, optFns ...func(*iam.Options)) (*iam.CreateRoleOutput, error)
	GetRole(ctx context.Context, in *iam.GetRoleInput, optFns ...func(*iam.Options)) (*iam.GetRoleOutput, error)
	UpdateRole(ctx context.Context, in *iam.UpdateRoleInput, optFns ...func(*iam.Options)) (*iam.UpdateRoleOutput, error)
	UpdateAssumeRolePolicy(ctx context.Context, in *iam.UpdateAssumeRolePolicyInput, optFns ...func(*iam.Options)) (*iam.UpdateAssumeRolePolicyOutput, error)
	AttachRolePolicy(ctx context.Context, in *iam.AttachRolePolicyInput, optFns ...func(*iam.Options)) (*iam.AttachRolePolicyOutput, error)
	DetachRolePolicy(ctx context.Context, in *iam.DetachRolePolicyInput, optFns ...func(*iam.Options)) (*iam.DetachRolePolicyOutput, error)
	ListAttachedRolePolicies(ctx context.Context, in *iam.ListAttachedRolePoliciesInput, optFns ...func(*iam.Options)) (*iam.ListAttachedRolePoliciesOutput, error)
	ListRolePolicies(ctx context.Context, in *iam.ListRolePoliciesInput, optFns ...func(*iam.Options)) (*iam.ListRolePoliciesOutput, error)
	DeleteRolePolicy(ctx context.Context, in *iam.DeleteRolePolicyInput, optFns ...func(*iam.Options)) (*iam.DeleteRolePolicyOutput, error)
	TagRole(ctx context.Context, in *iam.TagRoleInput, optFns ...func(*iam.Options)) (*iam.TagRoleOutput, error)
	UntagRole(ctx context.Context, in *iam.UntagRoleInput, optFns ...func(*iam.Options)) (*iam.UntagRoleOutput, error)
	DeleteRole(ctx context.Context, in *iam.DeleteRoleInput, optFns ...func(*iam.Options)) (*iam.DeleteRoleOutput, error)
}

var _ RoleAPI = (*iam.Client)(nil)

// RoleHandler manages composite.KindIAMRole children. It holds no mutable
// state and is safe for concurrent use.
type RoleHandler struct {
	api RoleAPI
}

var (
	_ engine.Handler = (*RoleHandler)(nil)
	_ engine.Finder  = (*RoleHandler)(nil)
)

// NewRoleHandler returns a handler for IAM roles.
func NewRoleHandler(api RoleAPI) *RoleHandler { return &RoleHandler{api: api} }

// Create creates the role and attaches its managed policies. When an attach
// fails the role's outputs are returned with the error. A role of the same
// name carrying this child's ownership tags (an earlier Create whose
// response was lost) is adopted and converged; any other is refused.
func (h *RoleHandler) Create(ctx context.Context, c composite.Child) (map[string]string, error) {
	p, err := childProps[composite.RoleProps](c)
	if err != nil {
		return nil, err
	}
	name := firstNonEmpty(p.Name, c.Name)
	in := &iam.CreateRoleInput{
		RoleName:                 aws.String(name),
		AssumeRolePolicyDocument: aws.String(p.AssumeRolePolicy),
		Tags:                     iamTags(p.Tags),
	}
	if p.Path != "" {
		in.Path = aws.String(p.Path)
	}
	if p.Description != "" {
		in.Description = aws.String(p.Description)
	}
	if p.MaxSessionDuration > 0 {
		in.MaxSessionDuration = aws.Int32(p.MaxSessionDuration)
	}
	out, err := h.api.CreateRole(ctx, in)
	if ErrorCode(err) == errCodeEntityAlreadyExists {
		return h.adopt(ctx, c, p, name, err)
	}
	if err != nil {
		return nil, fmt.Errorf("creating IAM role %q: %w", name, err)
	}
	outputs := roleOutputs(out.Role, name)
	for _, arn := range p.ManagedPolicyARNs {
		if err := h.attach(ctx, name, arn); err != nil {
			return outputs, err
		}
	}
	return outputs, nil
}

// adopt takes over the role of the child's name that CreateRole reported
// as existing (createErr) when it carries the child's ownership tags and
// path - a role an earlier, unrecorded Create made - and converges it with
// Update. Calls: GetRole, then Update's.
func (h *RoleHandler) adopt(ctx context.Context, c composite.Child, p *composite.RoleProps, name string, createErr error) (map[string]string, error) {
	role, err := h.read(ctx, name)
	if err != nil {
		return nil, fmt.Errorf("creating IAM role %q: %w (reading the existing role: %v)", name, createErr, err)
	}
	what := fmt.Sprintf("IAM role %q (%s)", name, aws.ToString(role.Arn))
	if err := ownedByChild(what, iamTagMap(role.Tags), c, p.Tags); err != nil {
		return nil, fmt.Errorf("creating IAM role %q: %w", name, refuseAdoption(err, createErr))
	}
	if want, have := firstNonEmpty(p.Path, "/"), firstNonEmpty(aws.ToString(role.Path), "/"); want != have {
		return nil, fmt.Errorf("creating IAM role %q: %w", name,
			refuseAdoption(fmt.Errorf("%s has path %q, not %q, which cannot change in place", what, have, want), createErr))
	}
	return h.Update(ctx, c, composite.Recorded{Key: c.Key, Kind: c.Kind, Name: name})
}

// Observe reads the role (one GetRole call; with full also
// ListAttachedRolePolicies pages, for the managed policies) and maps it
// with roleProps. A role that does not exist is gone.
func (h *RoleHandler) Observe(ctx context.Context, rec composite.Recorded, full bool) (composite.Observed, bool, error) {
	name := roleName(rec)
	role, err := h.read(ctx, name)
	if IsNotFound(err) {
		return composite.Observed{}, false, nil
	}
	if err != nil {
		return composite.Observed{}, false, err
	}
	var managed []string
	if full {
		attached, err := h.attachedPolicies(ctx, name)
		if err != nil {
			return composite.Observed{}, false, err
		}
		managed = sortedSetKeys(attached)
	}
	return composite.Observed{Props: roleProps(role, managed), Outputs: roleOutputs(role, name), Full: full}, true, nil
}

// Find looks the role up by name (q.Name, else the last part of the role
// ARN q.ID) and observes it in full. With q.OwnedOnly a role whose
// ownership tags name another owner or key is an error.
func (h *RoleHandler) Find(ctx context.Context, q composite.Lookup) (composite.Recorded, composite.Observed, bool, error) {
	name := firstNonEmpty(q.Name, lastSegment(q.ID))
	if name == "" {
		return composite.Recorded{}, composite.Observed{}, false, fmt.Errorf("looking up %s: no role name or ARN", q.Key)
	}
	obs, found, err := h.Observe(ctx, composite.Recorded{Key: q.Key, Kind: composite.KindIAMRole, Name: name}, true)
	if err != nil || !found {
		return composite.Recorded{}, composite.Observed{}, found, err
	}
	what := fmt.Sprintf("IAM role %q (%s)", name, obs.Outputs[composite.AttrARN])
	if err := lookupOwned(q, what, obs.Props.(*composite.RoleProps).Tags); err != nil {
		return composite.Recorded{}, composite.Observed{}, false, err
	}
	return lookupRecord(q, composite.KindIAMRole, name, obs), obs, true, nil
}

// roleProps maps a role as GetRole returns it (and the ARNs of its attached
// managed policies, nil when not read) to the props it was created from:
// the trust policy URL-decoded, the user tags.
func roleProps(role *iamtypes.Role, managedPolicyARNs []string) *composite.RoleProps {
	return &composite.RoleProps{
		Name:               aws.ToString(role.RoleName),
		Path:               aws.ToString(role.Path),
		Description:        aws.ToString(role.Description),
		AssumeRolePolicy:   decodePolicyDocument(aws.ToString(role.AssumeRolePolicyDocument)),
		ManagedPolicyARNs:  managedPolicyARNs,
		MaxSessionDuration: aws.ToInt32(role.MaxSessionDuration),
		Tags:               userTags(iamTagMap(role.Tags)),
	}
}

// Update converges trust policy, description, max session duration, managed
// policy attachments and tags, calling only what differs.
func (h *RoleHandler) Update(ctx context.Context, c composite.Child, prev composite.Recorded) (map[string]string, error) {
	p, err := childProps[composite.RoleProps](c)
	if err != nil {
		return nil, err
	}
	name := firstNonEmpty(p.Name, c.Name)
	role, err := h.read(ctx, name)
	if err != nil {
		return nil, fmt.Errorf("updating IAM role %q: %w", name, err)
	}
	outputs := roleOutputs(role, name)

	same, err := trustPolicyEquivalent(aws.ToString(role.AssumeRolePolicyDocument), p.AssumeRolePolicy)
	if err != nil {
		return outputs, fmt.Errorf("updating IAM role %q: comparing assume role policies: %w", name, err)
	}
	if !same {
		if _, err := h.api.UpdateAssumeRolePolicy(ctx, &iam.UpdateAssumeRolePolicyInput{
			RoleName:       aws.String(name),
			PolicyDocument: aws.String(p.AssumeRolePolicy),
		}); err != nil {
			return outputs, fmt.Errorf("updating assume role policy of IAM role %q: %w", name, err)
		}
	}

	upd := &iam.UpdateRoleInput{RoleName: aws.String(name)}
	changed := false
	if aws.ToString(role.Description) != p.Description {
		upd.Description = aws.String(p.Description)
		changed = true
	}
	if want, have := effectiveMaxSession(p.MaxSessionDuration), effectiveMaxSession(aws.ToInt32(role.MaxSessionDuration)); want != have {
		upd.MaxSessionDuration = aws.Int32(want)
		changed = true
	}
	if changed {
		if _, err := h.api.UpdateRole(ctx, upd); err != nil {
			return outputs, fmt.Errorf("updating IAM role %q: %w", name, err)
		}
	}

	attached, err := h.attachedPolicies(ctx, name)
	if err != nil {
		return outputs, err
	}
	want := map[string]bool{}
	for _, arn := range p.ManagedPolicyARNs {
		want[arn] = true
		if !attached[arn] {
			if err := h.attach(ctx, name, arn); err != nil {
				return outputs, err
			}
		}
	}
	for _, arn := range sortedSetKeys(attached) {
		if !want[arn] {
			if err := h.detach(ctx, name, arn); err != nil {
				return outputs, err
			}
		}
	}

	set, remove := tagChanges(iamTagMap(role.Tags), p.Tags)
	if len(remove) > 0 {
		if _, err := h.api.UntagRole(ctx, &iam.UntagRoleInput{RoleName: aws.String(name), TagKeys: remove}); err != nil {
			return outputs, fmt.Errorf("untagging IAM role %q: %w", name, err)
		}
	}
	if len(set) > 0 {
		if _, err := h.api.TagRole(ctx, &iam.TagRoleInput{RoleName: aws.String(name), Tags: iamTags(set)}); err != nil {
			return outputs, fmt.Errorf("tagging IAM role %q: %w", name, err)
		}
	}
	return outputs, nil
}

// Delete detaches managed policies, deletes inline policies (so DeleteRole
// cannot fail with DeleteConflict) and deletes the role. A role that is
// already gone is not an error.
func (h *RoleHandler) Delete(ctx context.Context, rec composite.Recorded) error {
	name := roleName(rec)
	attached, err := h.attachedPolicies(ctx, name)
	if IsNotFound(err, "NoSuchEntity") {
		return nil
	}
	if err != nil {
		return err
	}
	for _, arn := range sortedSetKeys(attached) {
		if err := h.detach(ctx, name, arn); err != nil && !IsNotFound(err, "NoSuchEntity") {
			return err
		}
	}
	inline := iam.NewListRolePoliciesPaginator(h.api, &iam.ListRolePoliciesInput{RoleName: aws.String(name)})
	for inline.HasMorePages() {
		page, err := inline.NextPage(ctx)
		if IsNotFound(err, "NoSuchEntity") {
			return nil
		}
		if err != nil {
			return fmt.Errorf("listing inline policies of IAM role %q: %w", name, err)
		}
		for _, pn := range page.PolicyNames {
			_, err := h.api.DeleteRolePolicy(ctx, &iam.DeleteRolePolicyInput{RoleName: aws.String(name), PolicyName: aws.String(pn)})
			if err != nil && !IsNotFound(err, "NoSuchEntity") {
				return fmt.Errorf("deleting inline policy %q of IAM role %q: %w", pn, name, err)
			}
		}
	}
	if _, err := h.api.DeleteRole(ctx, &iam.DeleteRoleInput{RoleName: aws.String(name)}); err != nil && !IsNotFound(err, "NoSuchEntity") {
		return fmt.Errorf("deleting IAM role %q: %w", name, err)
	}
	return nil
}

// read returns the role, or an error IsNotFound accepts.
func (h *RoleHandler) read(ctx context.Context, name string) (*iamtypes.Role, error) {
	out, err := h.api.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(name)})
	if IsNotFound(err, "NoSuchEntity") {
		return nil, fmt.Errorf("IAM role %q: %w: %s", name, ErrNotFound, ErrorMessage(err))
	}
	if err != nil {
		return nil, fmt.Errorf("reading IAM role %q: %w", name, err)
	}
	if out.Role == nil {
		return nil, fmt.Errorf("IAM role %q: %w", name, ErrNotFound)
	}
	return out.Role, nil
}

// attachedPolicies returns the ARNs of the managed policies attached to the role.
func (h *RoleHandler) attachedPolicies(ctx context.Context, name string) (map[string]bool, error) {
	attached := map[string]bool{}
	pages := iam.NewListAttachedRolePoliciesPaginator(h.api, &iam.ListAttachedRolePoliciesInput{RoleName: aws.String(name)})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("listing managed policies attached to IAM role %q: %w", name, err)
		}
		for _, ap := range page.AttachedPolicies {
			attached[aws.ToString(ap.PolicyArn)] = true
		}
	}
	return attached, nil
}

func (h *RoleHandler) attach(ctx context.Context, role, arn string) error {
	if _, err := h.api.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String(role), PolicyArn: aws.String(arn)}); err != nil {
		return fmt.Errorf("attaching policy %q to IAM role %q: %w", arn, role, err)
	}
	return nil
}

func (h *RoleHandler) detach(ctx context.Context, role, arn string) error {
	if _, err := h.api.DetachRolePolicy(ctx, &iam.DetachRolePolicyInput{RoleName: aws.String(role), PolicyArn: aws.String(arn)}); err != nil {
		return fmt.Errorf("detaching policy %q from IAM role %q: %w", arn, role, err)
	}
	return nil
}

// roleName is the physical name of a recorded role.
func roleName(rec composite.Recorded) string {
	return firstNonEmpty(recordedOutput(rec, composite.AttrName), rec.Name)
}

func roleOutputs(role *iamtypes.Role, name string) map[string]string {
	if role != nil && role.RoleName != nil {
		name = aws.ToString(role.RoleName)
	}
	out := map[string]string{
		composite.AttrName: name,
		composite.AttrID:   name,
	}
	if role != nil {
		out[composite.AttrARN] = aws.ToString(role.Arn)
	}
	return out
}

// trustPolicyEquivalent compares the (URL-encoded) document IAM returns with
// the desired one.
func trustPolicyEquivalent(current, desired string) (bool, error) {
	decoded := decodePolicyDocument(current)
	if decoded == "" || desired == "" {
		return decoded == desired, nil
	}
	return awspolicy.PoliciesAreEquivalent(decoded, desired)
}

// decodePolicyDocument undoes the URL encoding IAM applies to the policy
// documents it returns (RFC 3986); a document that already is JSON is
// returned as is.
func decodePolicyDocument(doc string) string {
	if json.Valid([]byte(doc)) {
		return doc
	}
	for _, unescape := range []func(string) (string, error){url.QueryUnescape, url.PathUnescape} {
		if s, err := unescape(doc); err == nil && json.Valid([]byte(s)) {
			return s
		}
	}
	return doc
}

func effectiveMaxSession(v int32) int32 {
	if v <= 0 {
		return iamDefaultMaxSessionDuration
	}
	return v
}
