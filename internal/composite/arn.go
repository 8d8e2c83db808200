package composite

// ARNs, parsed by hand: this package imports only the standard library.

import (
	"fmt"
	"regexp"
	"strings"
)

var (
	accountIDRe = regexp.MustCompile(`^\d{12}$`)
	partitionRe = regexp.MustCompile(`^aws(-[a-z]+)*$`)
	regionRe    = regexp.MustCompile(`^[a-z]{2}(-[a-z]+)+-\d+$`)
)

type arnParts struct{ Partition, Service, Region, Account, Resource string }

func (a arnParts) String() string {
	return "arn:" + a.Partition + ":" + a.Service + ":" + a.Region + ":" + a.Account + ":" + a.Resource
}

// parseARN splits arn:partition:service:region:account:resource and checks
// the partition, region (when present) and account (when present).
func parseARN(s string) (arnParts, error) {
	f := strings.SplitN(s, ":", 6)
	if len(f) != 6 || f[0] != "arn" {
		return arnParts{}, fmt.Errorf("not of the form arn:partition:service:region:account:resource")
	}
	a := arnParts{Partition: f[1], Service: f[2], Region: f[3], Account: f[4], Resource: f[5]}
	switch {
	case !partitionRe.MatchString(a.Partition):
		return a, fmt.Errorf("invalid partition %q", a.Partition)
	case a.Service == "":
		return a, fmt.Errorf("missing service")
	case a.Region != "" && !regionRe.MatchString(a.Region):
		return a, fmt.Errorf("invalid region %q", a.Region)
	case a.Account != "" && !accountIDRe.MatchString(a.Account):
		return a, fmt.Errorf("invalid account id %q", a.Account)
	case a.Resource == "":
		return a, fmt.Errorf("missing resource")
	}
	return a, nil
}

// secretRef is a parsed secrets value. PolicyARN is the resource the
// execution role is granted: the secret ARN without a JSON-key / version
// suffix, or the parameter ARN. A Secrets Manager ARN given without the
// 6-character random suffix Secrets Manager appends to every secret's ARN
// (a partial ARN, which ECS accepts) is granted as "<name>-??????", as the
// Secrets Manager documentation advises for policies ("If you use a
// partial ARN, add -?????? to match the suffix"): without the wildcard the
// grant matches no secret and tasks fail to start. A name whose last
// hyphen-separated part is exactly six letters or digits is taken as a
// complete ARN.
type secretRef struct {
	Service   string // secretsmanager | ssm
	PolicyARN string
}

// secretSuffixRe matches the random suffix Secrets Manager appends to a
// secret's name in its ARN.
var secretSuffixRe = regexp.MustCompile(`-[A-Za-z0-9]{6}$`)

func parseSecretRef(s string) (secretRef, error) {
	a, err := parseARN(s)
	if err != nil {
		return secretRef{}, fmt.Errorf("%q is not an ARN: %v", s, err)
	}
	if a.Region == "" || a.Account == "" {
		return secretRef{}, fmt.Errorf("%q: region and account are required", s)
	}
	switch a.Service {
	case "secretsmanager":
		rest, ok := strings.CutPrefix(a.Resource, "secret:")
		name, _, _ := strings.Cut(rest, ":") // ECS allows :json-key:version-stage:version-id after the secret
		if !ok || name == "" {
			return secretRef{}, fmt.Errorf("%q: a Secrets Manager ARN ends in secret:<name>", s)
		}
		if !secretSuffixRe.MatchString(name) {
			name += "-??????"
		}
		a.Resource = "secret:" + name
		return secretRef{Service: "secretsmanager", PolicyARN: a.String()}, nil
	case "ssm":
		if name, ok := strings.CutPrefix(a.Resource, "parameter/"); !ok || name == "" {
			return secretRef{}, fmt.Errorf("%q: an SSM parameter ARN ends in parameter/<name>", s)
		}
		return secretRef{Service: "ssm", PolicyARN: s}, nil
	}
	return secretRef{}, fmt.Errorf("%q: secrets must be Secrets Manager secret or SSM parameter ARNs, not %s", s, a.Service)
}

// checkListenerARN accepts an Application Load Balancer listener ARN:
// arn:<p>:elasticloadbalancing:<region>:<account>:listener/app/<lb>/<id>/<id>.
func checkListenerARN(s string) error {
	a, err := parseARN(s)
	if err != nil {
		return fmt.Errorf("%q is not an ARN: %v", s, err)
	}
	if a.Service != "elasticloadbalancing" || a.Region == "" || a.Account == "" {
		return fmt.Errorf("%q is not an Elastic Load Balancing listener ARN", s)
	}
	parts := strings.Split(a.Resource, "/")
	if len(parts) != 5 || parts[0] != "listener" || parts[2] == "" || parts[3] == "" || parts[4] == "" {
		return fmt.Errorf("%q is not a listener ARN (listener/app/<name>/<id>/<id>)", s)
	}
	if parts[1] != "app" {
		return fmt.Errorf("%q is not an Application Load Balancer listener: path and host rules need one", s)
	}
	return nil
}

// checkCertificateARN accepts an ACM certificate ARN or an IAM server
// certificate ARN.
func checkCertificateARN(s string) error {
	a, err := parseARN(s)
	if err != nil {
		return fmt.Errorf("%q is not an ARN: %v", s, err)
	}
	switch {
	case a.Service == "acm" && a.Region != "" && a.Account != "" && strings.HasPrefix(a.Resource, "certificate/") && len(a.Resource) > len("certificate/"):
		return nil
	case a.Service == "iam" && a.Account != "" && strings.HasPrefix(a.Resource, "server-certificate/") && len(a.Resource) > len("server-certificate/"):
		return nil
	}
	return fmt.Errorf("%q is neither an ACM certificate ARN (arn:<partition>:acm:<region>:<account>:certificate/<id>) nor an IAM server certificate ARN", s)
}
