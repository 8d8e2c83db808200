package handlers

import (
	"context"
	"fmt"
	"regexp"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	ecrtypes "github.com/aws/aws-sdk-go-v2/service/ecr/types"
	"github.com/aws/aws-sdk-go-v2/service/ecs"

	"github.com/containerapp/terraform-provider-containerapp/internal/composite"
	"github.com/containerapp/terraform-provider-containerapp/internal/engine"
)

// The bootstrap of a service whose image lives in the composite's own, still
// empty repository: the first apply creates the repository, the task
// definition naming `<repository url>:<image_tag>`, and the service - but
// nobody could have pushed the image yet. Its tasks would stop with
// CannotPullContainerError, the circuit breaker would fail the deployment,
// and the failed apply would taint the whole composite (and the next apply
// would replace it, repository included). Instead the service is created
// with desired count 0 and without the steady-state wait, with a warning
// telling the user to push; the next apply (the drift rule sees the live
// count 0) scales it up once the image is there.

const (
	errCodeImageNotFound      = "ImageNotFoundException"
	errCodeRepositoryNotFound = "RepositoryNotFoundException"
)

// ECRImagesAPI is the part of *ecr.Client the ECS service handler uses to
// tell whether the images of its task definition are pushed, and to read
// their scans.
type ECRImagesAPI interface {
	DescribeImages(ctx context.Context, in *ecr.DescribeImagesInput, optFns ...func(*ecr.Options)) (*ecr.DescribeImagesOutput, error)
	// DescribeImageScanFindings and StartImageScan serve the image scan
	// gate (see ecs_service_scan.go).
	DescribeImageScanFindings(ctx context.Context, in *ecr.DescribeImageScanFindingsInput, optFns ...func(*ecr.Options)) (*ecr.DescribeImageScanFindingsOutput, error)
	StartImageScan(ctx context.Context, in *ecr.StartImageScanInput, optFns ...func(*ecr.Options)) (*ecr.StartImageScanOutput, error)
}

var _ ECRImagesAPI = (*ecr.Client)(nil)

// ecrImage matches an image of a private ECR registry:
// ACCOUNT.dkr.ecr.REGION.amazonaws.com[.cn]/REPOSITORY[:TAG][@sha256:DIGEST].
var ecrImage = regexp.MustCompile(`^(\d{12})\.dkr\.ecr\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?/` +
	`([a-z0-9][a-z0-9._/-]*?)(?::([A-Za-z0-9_][A-Za-z0-9_.-]{0,127}))?(?:@(sha256:[A-Fa-f0-9]+))?$`)

// imageGate returns the desired count to send and whether to skip the
// steady-state wait. When the task definition runs an image of this
// account's ECR (the task definition's account and region) that is not
// there (absentImages), that is current (0 on a create) and true, and the
// user is warned (engine.Warn): push the image, the next apply scales the
// service up. Otherwise p.DesiredCount and false. Best effort: when the
// images cannot be checked (no ECR client, DescribeTaskDefinition or
// DescribeImages failing for another reason than "not found"), the service
// gets p.DesiredCount and its rollout tells.
func (h *ECSServiceHandler) imageGate(ctx context.Context, p *composite.ServiceProps, name string, current int32, create bool) (int32, bool) {
	if h.images == nil || p.DesiredCount <= current || p.TaskDefinition == "" {
		return p.DesiredCount, false
	}
	absent := h.absentImages(ctx, p.TaskDefinition)
	if len(absent) == 0 {
		return p.DesiredCount, false
	}
	what := "created"
	if !create {
		what = "kept"
	}
	engine.Warn(ctx,
		fmt.Sprintf("ECS service %q %s with desired count %d: its image is not pushed yet", name, what, current),
		fmt.Sprintf("The task definition %s runs %s, which is not in its ECR repository yet (%s). "+
			"The ECS service was %s with desired count %d instead of %d, and the apply did not wait for a steady state, "+
			"so that tasks that cannot pull their image do not fail the deployment. "+
			"Push the image (docker push %s), then run terraform apply again: it scales the service to %d.",
			lastSegment(p.TaskDefinition), strings.Join(absentNames(absent), ", "), strings.Join(absentReasons(absent), "; "),
			what, current, p.DesiredCount, absent[0].image, p.DesiredCount))
	return current, true
}

// absentImage is an image of this account's ECR that does not exist.
type absentImage struct {
	image  string
	reason string // the ECR error code
}

func absentNames(a []absentImage) []string {
	out := make([]string, 0, len(a))
	for _, x := range a {
		out = append(out, x.image)
	}
	return out
}

func absentReasons(a []absentImage) []string {
	out := make([]string, 0, len(a))
	for _, x := range a {
		out = append(out, x.reason)
	}
	return out
}

// absentImages returns the container images of the task definition that
// are in this account's ECR - the account and region of the task
// definition's ARN, which are the ECR client's - and that ECR DescribeImages
// reports missing (ImageNotFoundException, RepositoryNotFoundException).
// Images elsewhere (other registries, other accounts or regions) are not
// judged, nor are images whose lookup fails for another reason. Calls:
// DescribeTaskDefinition, ECR DescribeImages per such image.
func (h *ECSServiceHandler) absentImages(ctx context.Context, taskDefinition string) []absentImage {
	out, err := h.api.DescribeTaskDefinition(ctx, &ecs.DescribeTaskDefinitionInput{TaskDefinition: aws.String(taskDefinition)})
	if err != nil || out.TaskDefinition == nil {
		return nil // CreateService/UpdateService will report what is wrong
	}
	account, region := arnAccountRegion(aws.ToString(out.TaskDefinition.TaskDefinitionArn))
	var absent []absentImage
	seen := map[string]bool{}
	for _, c := range out.TaskDefinition.ContainerDefinitions {
		image := aws.ToString(c.Image)
		m := ecrImage.FindStringSubmatch(image)
		if m == nil || seen[image] || m[1] != account || m[2] != region {
			continue
		}
		seen[image] = true
		id := ecrtypes.ImageIdentifier{}
		switch {
		case m[5] != "":
			id.ImageDigest = aws.String(m[5])
		case m[4] != "":
			id.ImageTag = aws.String(m[4])
		default:
			id.ImageTag = aws.String("latest")
		}
		_, err := h.images.DescribeImages(ctx, &ecr.DescribeImagesInput{
			RegistryId:     aws.String(account),
			RepositoryName: aws.String(m[3]),
			ImageIds:       []ecrtypes.ImageIdentifier{id},
		})
		if code := ErrorCode(err); code == errCodeImageNotFound || code == errCodeRepositoryNotFound {
			absent = append(absent, absentImage{image: image, reason: code})
		}
	}
	return absent
}

// arnAccountRegion returns the account and region of an ARN
// (arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE), or "".
func arnAccountRegion(arn string) (account, region string) {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) < 6 || parts[0] != "arn" {
		return "", ""
	}
	return parts[4], parts[3]
}
