package handlers

import (
	"context"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/containerapp/terraform-provider-containerapp/internal/composite"
	"github.com/containerapp/terraform-provider-containerapp/internal/engine"
)

// RolePolicyAPI is the part of *iam.Client the inline role policy handler uses.
type RolePolicyAPI interface {
	PutRolePolicy(ctx context.Context, in *iam.PutRolePolicyInput, optFns ...func(*iam.Options)) (*iam.PutRolePolicyOutput, error)
	GetRolePolicy(ctx context.Context, in *iam.GetRolePolicyInput, optFns ...func(*iam.Options)) (*iam.GetRolePolicyOutput, error)
	DeleteRolePolicy(ctx context.Context, in *iam.DeleteRolePolicyInput, optFns ...func(*iam.Options)) (*iam.DeleteRolePolicyOutput, error)
}

var _ RolePolicyAPI = (*iam.Client)(nil)

// RolePolicyHandler manages composite.KindIAMRolePolicy children (inline
// policies). It has no ARN: its id is "<role>:<policy name>". It holds no
// mutable state and is safe for concurrent use.
type RolePolicyHandler struct {
	api RolePolicyAPI
}

var (
	_ engine.Handler = (*RolePolicyHandler)(nil)
	_ engine.Finder  = (*RolePolicyHandler)(nil)
)

// NewRolePolicyHandler returns a handler for inline IAM role policies.
func NewRolePolicyHandler(api RolePolicyAPI) *RolePolicyHandler {
	return &RolePolicyHandler{api: api}
}

// Create puts the inline policy. A role created moments ago may not be
// visible yet (NoSuchEntity): that is retried for IAMPropagationTimeout.
func (h *RolePolicyHandler) Create(ctx context.Context, c composite.Child) (map[string]string, error) {
	p, err := childProps[composite.RolePolicyProps](c)
	if err != nil {
		return nil, err
	}
	name := firstNonEmpty(p.Name, c.Name)
	err = RetryOn(ctx, IAMPropagationTimeout, func(err error) bool { return ErrorCode(err) == "NoSuchEntity" },
		func(ctx context.Context) error { return h.put(ctx, p.Role, name, p.Policy) })
	if err != nil {
		return nil, err
	}
	return rolePolicyOutputs(p.Role, name), nil
}

// Observe reads the inline policy (one GetRolePolicy call) and maps it
// with rolePolicyProps. A policy or role that does not exist is gone.
func (h *RolePolicyHandler) Observe(ctx context.Context, rec composite.Recorded, full bool) (composite.Observed, bool, error) {
	role, name := rolePolicyIdentity(rec)
	out, err := h.api.GetRolePolicy(ctx, &iam.GetRolePolicyInput{RoleName: aws.String(role), PolicyName: aws.String(name)})
	if IsNotFound(err, "NoSuchEntity") {
		return composite.Observed{}, false, nil
	}
	if err != nil {
		return composite.Observed{}, false, fmt.Errorf("reading inline policy %q of IAM role %q: %w", name, role, err)
	}
	return composite.Observed{Props: rolePolicyProps(role, name, out), Outputs: rolePolicyOutputs(role, name), Full: full}, true, nil
}

// Find looks the inline policy up on its role: q.ID is its id
// "<role>:<policy name>", or the role's name or ARN with the policy name in
// q.Name. Inline policies carry no tags: the role's ownership decides.
func (h *RolePolicyHandler) Find(ctx context.Context, q composite.Lookup) (composite.Recorded, composite.Observed, bool, error) {
	role, name := lastSegment(q.ID), q.Name
	if r, n, ok := strings.Cut(q.ID, ":"); ok && !strings.HasPrefix(q.ID, "arn:") {
		role, name = r, firstNonEmpty(n, name)
	}
	if role == "" || name == "" {
		return composite.Recorded{}, composite.Observed{}, false, fmt.Errorf("looking up %s: want the role and the policy name, have %q and %q", q.Key, q.ID, q.Name)
	}
	rec := composite.Recorded{Key: q.Key, Kind: composite.KindIAMRolePolicy, Name: name, Outputs: rolePolicyOutputs(role, name)}
	obs, found, err := h.Observe(ctx, rec, true)
	if err != nil || !found {
		return composite.Recorded{}, composite.Observed{}, found, err
	}
	return lookupRecord(q, composite.KindIAMRolePolicy, name, obs), obs, true, nil
}

// rolePolicyProps maps an inline policy as GetRolePolicy returns it (the
// document URL-decoded) to its props.
func rolePolicyProps(role, name string, out *iam.GetRolePolicyOutput) *composite.RolePolicyProps {
	return &composite.RolePolicyProps{
		Role:   firstNonEmpty(aws.ToString(out.RoleName), role),
		Name:   firstNonEmpty(aws.ToString(out.PolicyName), name),
		Policy: decodePolicyDocument(aws.ToString(out.PolicyDocument)),
	}
}

// Update puts the policy document. When the role or policy name changed, the
// previous inline policy is deleted afterwards so none is left behind.
func (h *RolePolicyHandler) Update(ctx context.Context, c composite.Child, prev composite.Recorded) (map[string]string, error) {
	p, err := childProps[composite.RolePolicyProps](c)
	if err != nil {
		return nil, err
	}
	name := firstNonEmpty(p.Name, c.Name)
	if err := h.put(ctx, p.Role, name, p.Policy); err != nil {
		return nil, err
	}
	outputs := rolePolicyOutputs(p.Role, name)
	if oldRole, oldName := rolePolicyIdentity(prev); oldRole != "" && oldName != "" && (oldRole != p.Role || oldName != name) {
		if err := h.delete(ctx, oldRole, oldName); err != nil {
			return outputs, err
		}
	}
	return outputs, nil
}

// Delete removes the inline policy; a policy or role already gone is fine.
func (h *RolePolicyHandler) Delete(ctx context.Context, rec composite.Recorded) error {
	role, name := rolePolicyIdentity(rec)
	return h.delete(ctx, role, name)
}

func (h *RolePolicyHandler) put(ctx context.Context, role, name, policy string) error {
	_, err := h.api.PutRolePolicy(ctx, &iam.PutRolePolicyInput{
		RoleName:       aws.String(role),
		PolicyName:     aws.String(name),
		PolicyDocument: aws.String(policy),
	})
	if err != nil {
		return fmt.Errorf("putting inline policy %q on IAM role %q: %w", name, role, err)
	}
	return nil
}

func (h *RolePolicyHandler) delete(ctx context.Context, role, name string) error {
	_, err := h.api.DeleteRolePolicy(ctx, &iam.DeleteRolePolicyInput{RoleName: aws.String(role), PolicyName: aws.String(name)})
	if err != nil && !IsNotFound(err, "NoSuchEntity") {
		return fmt.Errorf("deleting inline policy %q of IAM role %q: %w", name, role, err)
	}
	return nil
}

func rolePolicyOutputs(role, name string) map[string]string {
	return map[string]string{
		composite.AttrID:   role + ":" + name,
		composite.AttrName: name,
		AttrRole:           role,
	}
}

// rolePolicyIdentity finds role and policy name of a recorded inline policy:
// from its outputs, else from its id "<role>:<name>".
func rolePolicyIdentity(rec composite.Recorded) (role, name string) {
	role, name = recordedOutput(rec, AttrRole), recordedOutput(rec, composite.AttrName)
	if role != "" && name != "" {
		return role, name
	}
	id := firstNonEmpty(recordedOutput(rec, composite.AttrID), rec.ARN)
	if r, n, ok := strings.Cut(id, ":"); ok {
		return firstNonEmpty(role, r), firstNonEmpty(name, n)
	}
	return role, firstNonEmpty(name, rec.Name)
}
