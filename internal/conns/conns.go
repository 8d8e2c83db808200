// Package conns builds the provider's AWS configuration and lazily creates
// one client per service, all sharing one aws.Config, with per-service
// endpoint overrides, a configured retryer and tflog logging of every call.
package conns

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/arn"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/applicationautoscaling"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/servicediscovery"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// Service keys of the endpoints block, one per AWS service the provider calls.
const (
	ServiceApplicationAutoScaling = "applicationautoscaling"
	ServiceEC2                    = "ec2"
	ServiceECR                    = "ecr"
	ServiceECS                    = "ecs"
	ServiceELBv2                  = "elbv2"
	ServiceIAM                    = "iam"
	ServiceLogs                   = "logs"
	ServiceSecretsManager         = "secretsmanager"
	ServiceServiceDiscovery       = "servicediscovery"
	ServiceSSM                    = "ssm"
	ServiceSTS                    = "sts"
)

// EndpointServices lists the endpoints block's attributes, sorted.
var EndpointServices = []string{
	ServiceApplicationAutoScaling, ServiceEC2, ServiceECR, ServiceECS, ServiceELBv2, ServiceIAM,
	ServiceLogs, ServiceSecretsManager, ServiceServiceDiscovery, ServiceSSM, ServiceSTS,
}

// AssumeRole mirrors the AWS provider's assume_role block.
type AssumeRole struct {
	RoleARN     string
	SessionName string
	ExternalID  string
	Duration    time.Duration
}

// Config is the provider configuration, already validated by the schema.
type Config struct {
	Region                 string
	Profile                string
	SharedConfigFiles      []string
	SharedCredentialsFiles []string
	AccessKey              string
	SecretKey              string
	Token                  string
	AssumeRole             *AssumeRole
	// MaxRetries is the provider's max_retries; nil when unset (then
	// AWS_MAX_ATTEMPTS, else DefaultMaxAttempts).
	MaxRetries                *int
	Endpoints                 map[string]string
	SkipCredentialsValidation bool
	SkipRequestingAccountID   bool
	DefaultTags               map[string]string
	// HTTPClient replaces the SDK's HTTP client (tests).
	HTTPClient aws.HTTPClient
}

// Clients is what the provider hands to resources and data sources.
type Clients struct {
	AWS         aws.Config
	Region      string
	Partition   string
	AccountID   string // "" when skip_requesting_account_id
	DefaultTags map[string]string
	endpoints   map[string]string

	once                   map[string]*sync.Once
	iam                    *iam.Client
	ecs                    *ecs.Client
	ecr                    *ecr.Client
	elbv2                  *elasticloadbalancingv2.Client
	logs                   *cloudwatchlogs.Client
	ec2                    *ec2.Client
	servicediscovery       *servicediscovery.Client
	applicationautoscaling *applicationautoscaling.Client
	secretsmanager         *secretsmanager.Client
	ssm                    *ssm.Client
	sts                    *sts.Client
}

// LoadAWSConfig builds the shared aws.Config without calling AWS.
func LoadAWSConfig(ctx context.Context, c Config) (aws.Config, error) {
	var opts []func(*config.LoadOptions) error
	if c.Region != "" {
		opts = append(opts, config.WithRegion(c.Region))
	}
	if c.Profile != "" {
		opts = append(opts, config.WithSharedConfigProfile(c.Profile))
	}
	if len(c.SharedConfigFiles) > 0 {
		opts = append(opts, config.WithSharedConfigFiles(c.SharedConfigFiles))
	}
	if len(c.SharedCredentialsFiles) > 0 {
		opts = append(opts, config.WithSharedCredentialsFiles(c.SharedCredentialsFiles))
	}
	if c.AccessKey != "" || c.SecretKey != "" {
		if c.AccessKey == "" || c.SecretKey == "" {
			return aws.Config{}, errors.New("access_key and secret_key must be set together")
		}
		opts = append(opts, config.WithCredentialsProvider(
			credentials.NewStaticCredentialsProvider(c.AccessKey, c.SecretKey, c.Token)))
	}
	mode, attempts := retrySettings(c.MaxRetries, os.Getenv("AWS_RETRY_MODE"), os.Getenv("AWS_MAX_ATTEMPTS"))
	opts = append(opts, config.WithRetryer(func() aws.Retryer { return newRetryer(mode, attempts) }))
	if c.HTTPClient != nil {
		opts = append(opts, config.WithHTTPClient(c.HTTPClient))
	}
	cfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return aws.Config{}, fmt.Errorf("loading AWS configuration: %w", err)
	}
	// The retryer above already holds the attempts and mode; the SDK would
	// otherwise wrap it again with AWS_MAX_ATTEMPTS from the environment.
	cfg.RetryMaxAttempts, cfg.RetryMode = 0, ""
	if cfg.Region == "" {
		return aws.Config{}, errors.New("no AWS region: set the provider's region or AWS_REGION")
	}
	cfg.APIOptions = append(cfg.APIOptions, addLoggingMiddleware)
	if ar := c.AssumeRole; ar != nil && ar.RoleARN != "" {
		stsClient := sts.NewFromConfig(cfg, func(o *sts.Options) {
			if ep := c.Endpoints[ServiceSTS]; ep != "" {
				o.BaseEndpoint = aws.String(ep)
			}
		})
		cfg.Credentials = aws.NewCredentialsCache(stscreds.NewAssumeRoleProvider(stsClient, ar.RoleARN,
			func(o *stscreds.AssumeRoleOptions) {
				if ar.SessionName != "" {
					o.RoleSessionName = ar.SessionName
				}
				if ar.ExternalID != "" {
					o.ExternalID = aws.String(ar.ExternalID)
				}
				if ar.Duration > 0 {
					o.Duration = ar.Duration
				}
			}))
	}
	return cfg, nil
}

// New builds Clients and, unless both skip flags are set, calls STS
// GetCallerIdentity once to validate credentials and learn the account id.
func New(ctx context.Context, c Config) (*Clients, error) {
	cfg, err := LoadAWSConfig(ctx, c)
	if err != nil {
		return nil, err
	}
	cl := &Clients{
		AWS:         cfg,
		Region:      cfg.Region,
		Partition:   PartitionForRegion(cfg.Region),
		DefaultTags: c.DefaultTags,
		endpoints:   c.Endpoints,
		once:        map[string]*sync.Once{},
	}
	for _, s := range EndpointServices {
		cl.once[s] = new(sync.Once)
	}
	if !(c.SkipCredentialsValidation && c.SkipRequestingAccountID) {
		out, err := cl.STS().GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
		if err != nil {
			return nil, fmt.Errorf("validating credentials with STS GetCallerIdentity: %w", err)
		}
		// The answer is used even when only validation asked for it: trust
		// policies are conditioned on the account whenever it is known.
		cl.AccountID = aws.ToString(out.Account)
		if a, err := arn.Parse(aws.ToString(out.Arn)); err == nil {
			cl.Partition = a.Partition
		}
	}
	return cl, nil
}

// PartitionForRegion returns the AWS partition of a region.
func PartitionForRegion(region string) string {
	switch {
	case strings.HasPrefix(region, "cn-"):
		return "aws-cn"
	case strings.HasPrefix(region, "us-gov-"):
		return "aws-us-gov"
	case strings.HasPrefix(region, "us-iso-"):
		return "aws-iso"
	case strings.HasPrefix(region, "us-isob-"):
		return "aws-iso-b"
	case strings.HasPrefix(region, "eu-isoe-"):
		return "aws-iso-e"
	}
	return "aws"
}

func (c *Clients) endpoint(service string) *string {
	if ep := c.endpoints[service]; ep != "" {
		return aws.String(ep)
	}
	return nil
}

// IAM returns the IAM client.
func (c *Clients) IAM() *iam.Client {
	c.once[ServiceIAM].Do(func() {
		c.iam = iam.NewFromConfig(c.AWS, func(o *iam.Options) {
			if ep := c.endpoint(ServiceIAM); ep != nil {
				o.BaseEndpoint = ep
			}
		})
	})
	return c.iam
}

// ECS returns the ECS client.
func (c *Clients) ECS() *ecs.Client {
	c.once[ServiceECS].Do(func() {
		c.ecs = ecs.NewFromConfig(c.AWS, func(o *ecs.Options) {
			if ep := c.endpoint(ServiceECS); ep != nil {
				o.BaseEndpoint = ep
			}
		})
	})
	return c.ecs
}

// ECR returns the ECR client.
func (c *Clients) ECR() *ecr.Client {
	c.once[ServiceECR].Do(func() {
		c.ecr = ecr.NewFromConfig(c.AWS, func(o *ecr.Options) {
			if ep := c.endpoint(ServiceECR); ep != nil {
				o.BaseEndpoint = ep
			}
		})
	})
	return c.ecr
}

// ELBv2 returns the Elastic Load Balancing v2 client.
func (c *Clients) ELBv2() *elasticloadbalancingv2.Client {
	c.once[ServiceELBv2].Do(func() {
		c.elbv2 = elasticloadbalancingv2.NewFromConfig(c.AWS, func(o *elasticloadbalancingv2.Options) {
			if ep := c.endpoint(ServiceELBv2); ep != nil {
				o.BaseEndpoint = ep
			}
		})
	})
	return c.elbv2
}

// Logs returns the CloudWatch Logs client.
func (c *Clients) Logs() *cloudwatchlogs.Client {
	c.once[ServiceLogs].Do(func() {
		c.logs = cloudwatchlogs.NewFromConfig(c.AWS, func(o *cloudwatchlogs.Options) {
			if ep := c.endpoint(ServiceLogs); ep != nil {
				o.BaseEndpoint = ep
			}
		})
	})
	return c.logs
}

// EC2 returns the EC2 client.
func (c *Clients) EC2() *ec2.Client {
	c.once[ServiceEC2].Do(func() {
		c.ec2 = ec2.NewFromConfig(c.AWS, func(o *ec2.Options) {
			if ep := c.endpoint(ServiceEC2); ep != nil {
				o.BaseEndpoint = ep
			}
		})
	})
	return c.ec2
}

// ServiceDiscovery returns the Cloud Map client.
func (c *Clients) ServiceDiscovery() *servicediscovery.Client {
	c.once[ServiceServiceDiscovery].Do(func() {
		c.servicediscovery = servicediscovery.NewFromConfig(c.AWS, func(o *servicediscovery.Options) {
			if ep := c.endpoint(ServiceServiceDiscovery); ep != nil {
				o.BaseEndpoint = ep
			}
		})
	})
	return c.servicediscovery
}

// ApplicationAutoScaling returns the Application Auto Scaling client.
func (c *Clients) ApplicationAutoScaling() *applicationautoscaling.Client {
	c.once[ServiceApplicationAutoScaling].Do(func() {
		c.applicationautoscaling = applicationautoscaling.NewFromConfig(c.AWS, func(o *applicationautoscaling.Options) {
			if ep := c.endpoint(ServiceApplicationAutoScaling); ep != nil {
				o.BaseEndpoint = ep
			}
		})
	})
	return c.applicationautoscaling
}

// SecretsManager returns the Secrets Manager client.
func (c *Clients) SecretsManager() *secretsmanager.Client {
	c.once[ServiceSecretsManager].Do(func() {
		c.secretsmanager = secretsmanager.NewFromConfig(c.AWS, func(o *secretsmanager.Options) {
			if ep := c.endpoint(ServiceSecretsManager); ep != nil {
				o.BaseEndpoint = ep
			}
		})
	})
	return c.secretsmanager
}

// SSM returns the Systems Manager client.
func (c *Clients) SSM() *ssm.Client {
	c.once[ServiceSSM].Do(func() {
		c.ssm = ssm.NewFromConfig(c.AWS, func(o *ssm.Options) {
			if ep := c.endpoint(ServiceSSM); ep != nil {
				o.BaseEndpoint = ep
			}
		})
	})
	return c.ssm
}

// STS returns the STS client.
func (c *Clients) STS() *sts.Client {
	c.once[ServiceSTS].Do(func() {
		c.sts = sts.NewFromConfig(c.AWS, func(o *sts.Options) {
			if ep := c.endpoint(ServiceSTS); ep != nil {
				o.BaseEndpoint = ep
			}
		})
	})
	return c.sts
}
