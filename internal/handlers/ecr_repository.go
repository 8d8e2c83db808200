package handlers

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	ecrtypes "github.com/aws/aws-sdk-go-v2/service/ecr/types"

	"github.com/containerapp/terraform-provider-containerapp/internal/composite"
	"github.com/containerapp/terraform-provider-containerapp/internal/engine"
)

// errCodeRepositoryAlreadyExists is CreateRepository's answer for a taken name.
const errCodeRepositoryAlreadyExists = "RepositoryAlreadyExistsException"

// RepositoryAPI is the part of *ecr.Client the repository handler uses.
type RepositoryAPI interface {
	CreateRepository(ctx context.Context, in *ecr.CreateRepositoryInput, optFns ...func(*ecr.Options)) (*ecr.CreateRepositoryOutput, error)
	DescribeRepositories(ctx context.Context, in *ecr.DescribeRepositoriesInput, optFns ...func(*ecr.Options)) (*ecr.DescribeRepositoriesOutput, error)
	PutImageTagMutability(ctx context.Context, in *ecr.PutImageTagMutabilityInput, optFns ...func(*ecr.Options)) (*ecr.PutImageTagMutabilityOutput, error)
	PutImageScanningConfiguration(ctx context.Context, in *ecr.PutImageScanningConfigurationInput, optFns ...func(*ecr.Options)) (*ecr.PutImageScanningConfigurationOutput, error)
	GetLifecyclePolicy(ctx context.Context, in *ecr.GetLifecyclePolicyInput, optFns ...func(*ecr.Options)) (*ecr.GetLifecyclePolicyOutput, error)
	PutLifecyclePolicy(ctx context.Context, in *ecr.PutLifecyclePolicyInput, optFns ...func(*ecr.Options)) (*ecr.PutLifecyclePolicyOutput, error)
	DeleteLifecyclePolicy(ctx context.Context, in *ecr.DeleteLifecyclePolicyInput, optFns ...func(*ecr.Options)) (*ecr.DeleteLifecyclePolicyOutput, error)
	ListTagsForResource(ctx context.Context, in *ecr.ListTagsForResourceInput, optFns ...func(*ecr.Options)) (*ecr.ListTagsForResourceOutput, error)
	TagResource(ctx context.Context, in *ecr.TagResourceInput, optFns ...func(*ecr.Options)) (*ecr.TagResourceOutput, error)
	UntagResource(ctx context.Context, in *ecr.UntagResourceInput, optFns ...func(*ecr.Options)) (*ecr.UntagResourceOutput, error)
	DeleteRepository(ctx context.Context, in *ecr.DeleteRepositoryInput, optFns ...func(*ecr.Options)) (*ecr.DeleteRepositoryOutput, error)
}

var _ RepositoryAPI = (*ecr.Client)(nil)

// RepositoryHandler manages composite.KindECRRepository children. It holds no
// mutable state and is safe for concurrent use.
type RepositoryHandler struct {
	api RepositoryAPI
}

var (
	_ engine.Handler = (*RepositoryHandler)(nil)
	_ engine.Finder  = (*RepositoryHandler)(nil)
)

// NewRepositoryHandler returns a handler for ECR repositories.
func NewRepositoryHandler(api RepositoryAPI) *RepositoryHandler { return &RepositoryHandler{api: api} }

// Create creates the repository, then puts its lifecycle policy. When the
// policy fails, the repository's outputs are returned with the error. A
// repository of the same name carrying this child's ownership tags (an
// earlier Create whose response was lost) is adopted and converged; any
// other is refused.
func (h *RepositoryHandler) Create(ctx context.Context, c composite.Child) (map[string]string, error) {
	p, err := childProps[composite.RepositoryProps](c)
	if err != nil {
		return nil, err
	}
	name := firstNonEmpty(p.Name, c.Name)
	in := &ecr.CreateRepositoryInput{
		RepositoryName:             aws.String(name),
		ImageScanningConfiguration: &ecrtypes.ImageScanningConfiguration{ScanOnPush: p.ScanOnPush},
		Tags:                       ecrTags(p.Tags),
	}
	if p.ImageTagMutability != "" {
		in.ImageTagMutability = ecrtypes.ImageTagMutability(p.ImageTagMutability)
	}
	if p.EncryptionType != "" {
		in.EncryptionConfiguration = &ecrtypes.EncryptionConfiguration{EncryptionType: ecrtypes.EncryptionType(p.EncryptionType)}
	}
	out, err := h.api.CreateRepository(ctx, in)
	if ErrorCode(err) == errCodeRepositoryAlreadyExists {
		return h.adopt(ctx, c, p, name, err)
	}
	if err != nil {
		return nil, fmt.Errorf("creating ECR repository %q: %w", name, err)
	}
	outputs := repositoryOutputs(out.Repository, name)
	if p.LifecyclePolicy != "" {
		if err := h.putLifecyclePolicy(ctx, name, p.LifecyclePolicy); err != nil {
			return outputs, err
		}
	}
	return outputs, nil
}

// adopt takes over the repository of the child's name that
// CreateRepository reported as existing (createErr) when it carries the
// child's ownership tags and encryption type - a repository an earlier,
// unrecorded Create made - and converges it with Update. Calls:
// DescribeRepositories, ListTagsForResource, then Update's.
func (h *RepositoryHandler) adopt(ctx context.Context, c composite.Child, p *composite.RepositoryProps, name string, createErr error) (map[string]string, error) {
	repo, err := h.read(ctx, name)
	if err != nil {
		return nil, fmt.Errorf("creating ECR repository %q: %w (reading the existing repository: %v)", name, createErr, err)
	}
	arn := aws.ToString(repo.RepositoryArn)
	tags, err := h.api.ListTagsForResource(ctx, &ecr.ListTagsForResourceInput{ResourceArn: aws.String(arn)})
	if err != nil {
		return nil, fmt.Errorf("creating ECR repository %q: %w (listing the existing repository's tags: %v)", name, createErr, err)
	}
	what := fmt.Sprintf("ECR repository %q (%s)", name, arn)
	if err := ownedByChild(what, ecrTagMap(tags.Tags), c, p.Tags); err != nil {
		return nil, fmt.Errorf("creating ECR repository %q: %w", name, refuseAdoption(err, createErr))
	}
	if repo.EncryptionConfiguration != nil && p.EncryptionType != "" && string(repo.EncryptionConfiguration.EncryptionType) != p.EncryptionType {
		return nil, fmt.Errorf("creating ECR repository %q: %w", name, refuseAdoption(fmt.Errorf("%s has encryption type %s, not %s, which cannot change in place",
			what, repo.EncryptionConfiguration.EncryptionType, p.EncryptionType), createErr))
	}
	return h.Update(ctx, c, composite.Recorded{Key: c.Key, Kind: c.Kind, Name: name, ARN: arn})
}

// Observe reads the repository (one DescribeRepositories call; with full
// also GetLifecyclePolicy and ListTagsForResource) and maps it with
// repositoryProps.
func (h *RepositoryHandler) Observe(ctx context.Context, rec composite.Recorded, full bool) (composite.Observed, bool, error) {
	name := repositoryName(rec)
	repo, err := h.read(ctx, name)
	if IsNotFound(err) {
		return composite.Observed{}, false, nil
	}
	if err != nil {
		return composite.Observed{}, false, err
	}
	var lifecycle string
	var tags map[string]string
	if full {
		if lifecycle, err = h.lifecyclePolicy(ctx, name); err != nil {
			return composite.Observed{}, false, err
		}
		out, err := h.api.ListTagsForResource(ctx, &ecr.ListTagsForResourceInput{ResourceArn: repo.RepositoryArn})
		if err != nil {
			return composite.Observed{}, false, fmt.Errorf("listing tags of ECR repository %q: %w", name, err)
		}
		tags = userTags(ecrTagMap(out.Tags))
	}
	return composite.Observed{
		Props: repositoryProps(repo, lifecycle, tags, rec.ForceDelete), Outputs: repositoryOutputs(repo, name), Full: full,
	}, true, nil
}

// Find looks the repository up by its name (q.Name) and observes it in
// full. With q.OwnedOnly a repository whose ownership tags name another
// owner or key is an error. The record deletes it without force (a found
// repository keeps its images unless the configuration says otherwise).
func (h *RepositoryHandler) Find(ctx context.Context, q composite.Lookup) (composite.Recorded, composite.Observed, bool, error) {
	if q.Name == "" {
		return composite.Recorded{}, composite.Observed{}, false, fmt.Errorf("looking up %s: no repository name", q.Key)
	}
	obs, found, err := h.Observe(ctx, composite.Recorded{Key: q.Key, Kind: composite.KindECRRepository, Name: q.Name}, true)
	if err != nil || !found {
		return composite.Recorded{}, composite.Observed{}, found, err
	}
	what := fmt.Sprintf("ECR repository %q (%s)", q.Name, obs.Outputs[composite.AttrARN])
	if err := lookupOwned(q, what, obs.Props.(*composite.RepositoryProps).Tags); err != nil {
		return composite.Recorded{}, composite.Observed{}, false, err
	}
	return lookupRecord(q, composite.KindECRRepository, q.Name, obs), obs, true, nil
}

// repositoryProps maps a repository as DescribeRepositories returns it (and
// its lifecycle policy text and user tags, empty when not read). ForceDelete
// is not an AWS setting: it is the record's.
func repositoryProps(repo *ecrtypes.Repository, lifecyclePolicy string, tags map[string]string, forceDelete bool) *composite.RepositoryProps {
	p := &composite.RepositoryProps{
		Name:               aws.ToString(repo.RepositoryName),
		ImageTagMutability: string(repo.ImageTagMutability),
		ScanOnPush:         repo.ImageScanningConfiguration != nil && repo.ImageScanningConfiguration.ScanOnPush,
		LifecyclePolicy:    lifecyclePolicy,
		ForceDelete:        forceDelete,
		Tags:               tags,
	}
	if repo.EncryptionConfiguration != nil {
		p.EncryptionType = string(repo.EncryptionConfiguration.EncryptionType)
	}
	return p
}

// Update converges tag mutability, scan on push, lifecycle policy and tags,
// calling only what differs from what ECR reports.
func (h *RepositoryHandler) Update(ctx context.Context, c composite.Child, prev composite.Recorded) (map[string]string, error) {
	p, err := childProps[composite.RepositoryProps](c)
	if err != nil {
		return nil, err
	}
	name := firstNonEmpty(p.Name, c.Name)
	repo, err := h.read(ctx, name)
	if err != nil {
		return nil, fmt.Errorf("updating ECR repository %q: %w", name, err)
	}
	outputs := repositoryOutputs(repo, name)

	want := ecrtypes.ImageTagMutability(firstNonEmpty(p.ImageTagMutability, string(ecrtypes.ImageTagMutabilityMutable)))
	if have := ecrtypes.ImageTagMutability(firstNonEmpty(string(repo.ImageTagMutability), string(ecrtypes.ImageTagMutabilityMutable))); have != want {
		if _, err := h.api.PutImageTagMutability(ctx, &ecr.PutImageTagMutabilityInput{RepositoryName: aws.String(name), ImageTagMutability: want}); err != nil {
			return outputs, fmt.Errorf("setting image tag mutability of ECR repository %q: %w", name, err)
		}
	}

	scanOnPush := repo.ImageScanningConfiguration != nil && repo.ImageScanningConfiguration.ScanOnPush
	if scanOnPush != p.ScanOnPush {
		if _, err := h.api.PutImageScanningConfiguration(ctx, &ecr.PutImageScanningConfigurationInput{
			RepositoryName:             aws.String(name),
			ImageScanningConfiguration: &ecrtypes.ImageScanningConfiguration{ScanOnPush: p.ScanOnPush},
		}); err != nil {
			return outputs, fmt.Errorf("setting image scanning configuration of ECR repository %q: %w", name, err)
		}
	}

	current, err := h.lifecyclePolicy(ctx, name)
	if err != nil {
		return outputs, err
	}
	switch {
	case p.LifecyclePolicy != "" && (current == "" || !jsonEquivalent(current, p.LifecyclePolicy)):
		if err := h.putLifecyclePolicy(ctx, name, p.LifecyclePolicy); err != nil {
			return outputs, err
		}
	case p.LifecyclePolicy == "" && current != "":
		_, err := h.api.DeleteLifecyclePolicy(ctx, &ecr.DeleteLifecyclePolicyInput{RepositoryName: aws.String(name)})
		if err != nil && !IsNotFound(err, "LifecyclePolicyNotFoundException") {
			return outputs, fmt.Errorf("deleting lifecycle policy of ECR repository %q: %w", name, err)
		}
	}

	arn := aws.ToString(repo.RepositoryArn)
	tags, err := h.api.ListTagsForResource(ctx, &ecr.ListTagsForResourceInput{ResourceArn: aws.String(arn)})
	if err != nil {
		return outputs, fmt.Errorf("listing tags of ECR repository %q: %w", name, err)
	}
	set, remove := tagChanges(ecrTagMap(tags.Tags), p.Tags)
	if len(remove) > 0 {
		if _, err := h.api.UntagResource(ctx, &ecr.UntagResourceInput{ResourceArn: aws.String(arn), TagKeys: remove}); err != nil {
			return outputs, fmt.Errorf("untagging ECR repository %q: %w", name, err)
		}
	}
	if len(set) > 0 {
		if _, err := h.api.TagResource(ctx, &ecr.TagResourceInput{ResourceArn: aws.String(arn), Tags: ecrTags(set)}); err != nil {
			return outputs, fmt.Errorf("tagging ECR repository %q: %w", name, err)
		}
	}
	return outputs, nil
}

// Delete deletes the repository, with Force as recorded at create/update
// time (rec.ForceDelete); a repository already gone is fine.
func (h *RepositoryHandler) Delete(ctx context.Context, rec composite.Recorded) error {
	name := repositoryName(rec)
	_, err := h.api.DeleteRepository(ctx, &ecr.DeleteRepositoryInput{
		RepositoryName: aws.String(name),
		Force:          rec.ForceDelete,
	})
	if err != nil && !IsNotFound(err, "RepositoryNotFoundException") {
		return fmt.Errorf("deleting ECR repository %q: %w", name, err)
	}
	return nil
}

// read returns the repository, or an error IsNotFound accepts.
func (h *RepositoryHandler) read(ctx context.Context, name string) (*ecrtypes.Repository, error) {
	out, err := h.api.DescribeRepositories(ctx, &ecr.DescribeRepositoriesInput{RepositoryNames: []string{name}})
	if IsNotFound(err, "RepositoryNotFoundException") {
		return nil, fmt.Errorf("ECR repository %q: %w: %s", name, ErrNotFound, ErrorMessage(err))
	}
	if err != nil {
		return nil, fmt.Errorf("describing ECR repository %q: %w", name, err)
	}
	for i := range out.Repositories {
		if aws.ToString(out.Repositories[i].RepositoryName) == name {
			return &out.Repositories[i], nil
		}
	}
	return nil, fmt.Errorf("ECR repository %q: %w", name, ErrNotFound)
}

// lifecyclePolicy returns the repository's lifecycle policy text, or "".
func (h *RepositoryHandler) lifecyclePolicy(ctx context.Context, name string) (string, error) {
	out, err := h.api.GetLifecyclePolicy(ctx, &ecr.GetLifecyclePolicyInput{RepositoryName: aws.String(name)})
	if IsNotFound(err, "LifecyclePolicyNotFoundException") {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("reading lifecycle policy of ECR repository %q: %w", name, err)
	}
	return aws.ToString(out.LifecyclePolicyText), nil
}

func (h *RepositoryHandler) putLifecyclePolicy(ctx context.Context, name, policy string) error {
	_, err := h.api.PutLifecyclePolicy(ctx, &ecr.PutLifecyclePolicyInput{RepositoryName: aws.String(name), LifecyclePolicyText: aws.String(policy)})
	if err != nil {
		return fmt.Errorf("putting lifecycle policy on ECR repository %q: %w", name, err)
	}
	return nil
}

// repositoryName is the physical name of a recorded repository.
func repositoryName(rec composite.Recorded) string {
	return firstNonEmpty(recordedOutput(rec, composite.AttrName), rec.Name)
}

func repositoryOutputs(repo *ecrtypes.Repository, name string) map[string]string {
	out := map[string]string{composite.AttrName: name}
	if repo != nil {
		out[composite.AttrName] = firstNonEmpty(aws.ToString(repo.RepositoryName), name)
		out[composite.AttrARN] = aws.ToString(repo.RepositoryArn)
		out[composite.AttrURL] = aws.ToString(repo.RepositoryUri)
	}
	return out
}
