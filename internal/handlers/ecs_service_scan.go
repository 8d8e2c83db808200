package handlers

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	ecrtypes "github.com/aws/aws-sdk-go-v2/service/ecr/types"
	"github.com/aws/aws-sdk-go-v2/service/ecs"

	"github.com/containerapp/terraform-provider-containerapp/internal/composite"
)

// The image scan gate (repository.block_on_severity, composite.ScanGate):
// before a deploy Terraform makes - CreateService with tasks to run, an
// UpdateService that points the service at a new task definition, or one
// that scales it up from 0 - every image of the task definition in the
// service's own repository has its ECR scan waited for, and the deploy is
// refused (no CreateService/UpdateService call) when one has findings at or
// above the threshold: the service keeps running its current task
// definition. Unlike the image gate for images not pushed yet (best effort,
// see imageGate), this gate fails closed: an image whose scan cannot be
// read, failed, or does not complete in time is refused too. An image that
// is not pushed yet is left to the image gate (the bootstrap at desired
// count 0), not reported as a scan failure.
//
// AWS rules relied on:
//   - DescribeImageScanFindings answers ScanNotFoundException when the
//     image has no scan: scan on push was off when it was pushed (or is
//     overridden by the registry's scanning configuration). The gate then
//     starts one with StartImageScan, once; AWS allows one basic scan per
//     image per 24 hours, including the scan on push (LimitExceededException:
//     a scan exists, so the gate waits for it).
//   - The scan status is IN_PROGRESS or PENDING while it runs, COMPLETE
//     (basic scanning) or ACTIVE (enhanced scanning: complete, and kept up to
//     date) when its findings are available, and FAILED, UNSUPPORTED_IMAGE,
//     FINDINGS_UNAVAILABLE, SCAN_ELIGIBILITY_EXPIRED, LIMIT_EXCEEDED or
//     IMAGE_ARCHIVED otherwise (ECR API reference, ImageScanStatus).
//   - findingSeverityCounts counts the findings per severity (CRITICAL,
//     HIGH, MEDIUM, LOW, INFORMATIONAL, UNDEFINED; UNTRIAGED with enhanced
//     scanning), whatever the findings' pagination.

const (
	errCodeScanNotFound  = "ScanNotFoundException"
	errCodeLimitExceeded = "LimitExceededException"
)

// ImageScanTimeout bounds the wait for the scan of one image the scan gate
// judges (within the operation's own timeout). Basic scans usually complete
// within minutes of the push. A variable so tests can shorten it.
var ImageScanTimeout = 10 * time.Minute

// Waiter settings of the scan wait; variables so tests can shorten them.
var (
	imageScanMinDelay = 5 * time.Second
	imageScanMaxDelay = 30 * time.Second
)

// ImageScanBlockedError is the scan gate's refusal of a deploy: the image
// has findings at or above the threshold.
type ImageScanBlockedError struct {
	Image     string           // the task definition's image reference
	Digest    string           // the image digest the scan is of
	Threshold string           // repository.block_on_severity
	Counts    map[string]int32 // findingSeverityCounts
}

func (e *ImageScanBlockedError) Error() string {
	return fmt.Sprintf("image scan gate: %s (digest %s) has findings at or above %s: %s (all findings: %s). "+
		"The deploy was refused: the ECS service keeps running its current task definition. "+
		"Push an image without them and set its image_tag, or change repository.block_on_severity",
		e.Image, e.Digest, e.Threshold, composite.FormatSeverityCounts(composite.BlockingFindings(e.Counts, e.Threshold)),
		composite.FormatSeverityCounts(e.Counts))
}

// scanGateApplies reports whether an UpdateService in (nil: none) of the
// service current to want is a deploy the scan gate judges: it points the
// service at a new task definition, or scales it up from 0, with tasks to
// run.
func scanGateApplies(want *composite.ServiceProps, current int32, in *ecs.UpdateServiceInput) bool {
	if want.ScanGate == nil || in == nil || want.DesiredCount == 0 {
		return false
	}
	return in.TaskDefinition != nil || (current == 0 && in.DesiredCount != nil)
}

// scanGate judges the images of p's task definition in the service's own
// repository (p.ScanGate.Repository). Calls: DescribeTaskDefinition, then per
// such image ECR DescribeImages, DescribeImageScanFindings (polls),
// [StartImageScan, DescribeImageScanFindings polls]. nil when every image
// passes or is not pushed yet.
func (h *ECSServiceHandler) scanGate(ctx context.Context, p *composite.ServiceProps) error {
	g := p.ScanGate
	if g == nil || p.TaskDefinition == "" {
		return nil
	}
	if h.images == nil {
		return fmt.Errorf("image scan gate: no ECR client to read the image scans with")
	}
	out, err := h.api.DescribeTaskDefinition(ctx, &ecs.DescribeTaskDefinitionInput{TaskDefinition: aws.String(p.TaskDefinition)})
	if err != nil {
		return fmt.Errorf("image scan gate: reading the images of task definition %s: %w", lastSegment(p.TaskDefinition), err)
	}
	if out.TaskDefinition == nil {
		return fmt.Errorf("image scan gate: empty DescribeTaskDefinition response for %s", lastSegment(p.TaskDefinition))
	}
	repo := strings.TrimSuffix(g.Repository, "/")
	var errs []error
	seen := map[string]bool{}
	for _, c := range out.TaskDefinition.ContainerDefinitions {
		image := aws.ToString(c.Image)
		if seen[image] || !(strings.HasPrefix(image, repo+":") || strings.HasPrefix(image, repo+"@")) {
			continue
		}
		seen[image] = true
		m := ecrImage.FindStringSubmatch(image)
		if m == nil {
			errs = append(errs, fmt.Errorf("image scan gate: %s is not an ECR image reference", image))
			continue
		}
		id := ecrtypes.ImageIdentifier{}
		if m[5] != "" {
			id.ImageDigest = aws.String(m[5])
		} else {
			id.ImageTag = aws.String(m[4])
		}
		if err := h.judgeImage(ctx, m[1], m[3], image, id, g.Severity); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// judgeImage looks the image up (by tag or digest), waits for the scan of
// exactly its digest and compares the findings with threshold.
func (h *ECSServiceHandler) judgeImage(ctx context.Context, registry, repo, image string, id ecrtypes.ImageIdentifier, threshold string) error {
	desc, err := h.images.DescribeImages(ctx, &ecr.DescribeImagesInput{
		RegistryId: aws.String(registry), RepositoryName: aws.String(repo), ImageIds: []ecrtypes.ImageIdentifier{id},
	})
	switch code := ErrorCode(err); {
	case code == errCodeImageNotFound || code == errCodeRepositoryNotFound:
		return nil // not pushed yet: the image gate's bootstrap path reports it
	case err != nil:
		return fmt.Errorf("image scan gate: looking up %s: %w", image, err)
	case len(desc.ImageDetails) == 0 || aws.ToString(desc.ImageDetails[0].ImageDigest) == "":
		return fmt.Errorf("image scan gate: looking up %s: ECR returned no image digest", image)
	}
	digest := aws.ToString(desc.ImageDetails[0].ImageDigest)
	scan := scanRequest{registry: registry, repo: repo, image: image, digest: digest}
	out, err := h.waitScan(ctx, scan)
	if ErrorCode(err) == errCodeScanNotFound {
		// No scan (scan on push off when it was pushed): start one, once.
		_, serr := h.images.StartImageScan(ctx, &ecr.StartImageScanInput{
			RegistryId: aws.String(registry), RepositoryName: aws.String(repo),
			ImageId: &ecrtypes.ImageIdentifier{ImageDigest: aws.String(digest)},
		})
		if serr != nil && ErrorCode(serr) != errCodeLimitExceeded {
			return fmt.Errorf("image scan gate: %s (digest %s) has no scan (%s), and starting one failed: %w", image, digest, errCodeScanNotFound, serr)
		}
		out, err = h.waitScan(ctx, scan)
	}
	if err != nil {
		return err
	}
	var counts map[string]int32
	if f := out.ImageScanFindings; f != nil {
		counts = f.FindingSeverityCounts
	}
	if len(composite.BlockingFindings(counts, threshold)) > 0 {
		return &ImageScanBlockedError{Image: image, Digest: digest, Threshold: threshold, Counts: counts}
	}
	return nil
}

type scanRequest struct{ registry, repo, image, digest string }

// waitScan waits, with the SDK's ImageScanComplete waiter, until the scan of
// the digest has its findings (COMPLETE, or ACTIVE with enhanced scanning),
// for up to ImageScanTimeout (or the operation's deadline). A scan that ends
// otherwise, or does not end in time, is an error naming the image and its
// status; ScanNotFoundException is returned as is (the caller starts a scan).
func (h *ECSServiceHandler) waitScan(ctx context.Context, s scanRequest) (*ecr.DescribeImageScanFindingsOutput, error) {
	last := "none yet"
	var ended error // the scan ended without findings to judge
	waiter := ecr.NewImageScanCompleteWaiter(h.images, func(o *ecr.ImageScanCompleteWaiterOptions) {
		o.MinDelay, o.MaxDelay = imageScanMinDelay, max(imageScanMinDelay, imageScanMaxDelay)
		o.Retryable = func(_ context.Context, _ *ecr.DescribeImageScanFindingsInput, out *ecr.DescribeImageScanFindingsOutput, err error) (bool, error) {
			if err != nil {
				return false, err
			}
			var status ecrtypes.ScanStatus
			desc := ""
			if out.ImageScanStatus != nil {
				status, desc = out.ImageScanStatus.Status, aws.ToString(out.ImageScanStatus.Description)
			}
			last = string(status)
			switch status {
			case ecrtypes.ScanStatusComplete, ecrtypes.ScanStatusActive:
				return false, nil
			case ecrtypes.ScanStatusInProgress, ecrtypes.ScanStatusPending, "":
				return true, nil
			}
			ended = fmt.Errorf("image scan gate: the scan of %s (digest %s) ended %s (%s), so its findings cannot be judged; the deploy was refused",
				s.image, s.digest, status, desc)
			return false, ended
		}
	})
	in := &ecr.DescribeImageScanFindingsInput{
		RegistryId: aws.String(s.registry), RepositoryName: aws.String(s.repo),
		ImageId:    &ecrtypes.ImageIdentifier{ImageDigest: aws.String(s.digest)},
		MaxResults: aws.Int32(1), // the counts cover every finding; the list is not needed
	}
	budget := min(ImageScanTimeout, waitBudget(ctx, ImageScanTimeout))
	out, err := waiter.WaitForOutput(ctx, in, budget)
	switch {
	case err == nil:
		return out, nil
	case ended != nil && errors.Is(err, ended), ErrorCode(err) == errCodeScanNotFound:
		return nil, err
	case ErrorCode(err) != "":
		return nil, fmt.Errorf("image scan gate: reading the scan of %s (digest %s): %w", s.image, s.digest, err)
	}
	return nil, fmt.Errorf("image scan gate: the scan of %s (digest %s) did not complete within %s (last status %s); the deploy was refused: %w",
		s.image, s.digest, budget.Round(time.Second), last, err)
}
