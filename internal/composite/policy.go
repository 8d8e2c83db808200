package composite

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
)

// IAM policy documents of the service's roles. Every document is rendered
// canonically (fixed statement order, sorted action and resource lists, no
// whitespace) so that its hash only changes when its meaning does.

const policyVersion = "2012-10-17"

type policyDocument struct {
	Version   string            `json:"Version"`
	Statement []policyStatement `json:"Statement"`
}

type policyStatement struct {
	Sid       string                       `json:"Sid,omitempty"`
	Effect    string                       `json:"Effect"`
	Principal map[string]string            `json:"Principal,omitempty"`
	Action    []string                     `json:"Action"`
	Resource  []string                     `json:"Resource,omitempty"`
	Condition map[string]map[string]string `json:"Condition,omitempty"`
}

// marshalCanonical renders v as compact JSON without HTML escaping (so that
// ${key.attr} references and policy variables stay readable).
func marshalCanonical(v any) string {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		panic(fmt.Sprintf("composite: marshal: %v", err)) // plain data: cannot fail
	}
	return string(bytes.TrimRight(buf.Bytes(), "\n"))
}

// assumeRolePolicy is the trust policy of both roles: ECS tasks may assume
// the role, and when the account is known only on behalf of ECS resources of
// this account and region (confused-deputy protection, as AWS documents for
// task execution roles).
func assumeRolePolicy(env Env) string {
	st := policyStatement{
		Effect:    "Allow",
		Principal: map[string]string{"Service": "ecs-tasks.amazonaws.com"},
		Action:    []string{"sts:AssumeRole"},
	}
	if env.AccountID != "" {
		st.Condition = map[string]map[string]string{
			"StringEquals": {"aws:SourceAccount": env.AccountID},
			"ArnLike":      {"aws:SourceArn": fmt.Sprintf("arn:%s:ecs:%s:%s:*", env.partition(), env.Region, env.AccountID)},
		}
	}
	return marshalCanonical(policyDocument{Version: policyVersion, Statement: []policyStatement{st}})
}

// ecrImageRe matches a private ECR image reference:
// <account>.dkr.ecr.<region>.amazonaws.com[.cn]/<repo>[:tag|@digest].
var ecrImageRe = regexp.MustCompile(`^(\d{12})\.dkr\.ecr(?:-fips)?\.([a-z0-9-]+)\.amazonaws\.com(\.cn)?/([a-z0-9][a-z0-9._/-]*)(?::[A-Za-z0-9_][A-Za-z0-9_.-]*|@sha256:[0-9a-f]{64})?$`)

// ecrRepositoryARN returns the repository ARN of a private ECR image, or "".
func ecrRepositoryARN(image string, env Env) string {
	m := ecrImageRe.FindStringSubmatch(image)
	if m == nil {
		return ""
	}
	partition := env.partition()
	if m[3] == ".cn" {
		partition = "aws-cn"
	}
	return fmt.Sprintf("arn:%s:ecr:%s:%s:repository/%s", partition, m[2], m[1], m[4])
}

// executionRolePolicy grants exactly what the ECS agent needs for this
// declaration: write to this log group, pull from this service's repository
// (and from any other private ECR repository an image names), read the
// declared secrets. ecr:GetAuthorizationToken is the only "*" (it has no
// resource). kms:Decrypt for customer-managed keys is not added.
func executionRolePolicy(s *ServiceSpec, env Env) string {
	sts := []policyStatement{{
		Sid:      "Logs",
		Effect:   "Allow",
		Action:   []string{"logs:CreateLogStream", "logs:PutLogEvents"},
		Resource: []string{RefString(KeyLogGroup, AttrARN) + ":*"},
	}}

	var repos, secrets, params []string
	if s.Repository != nil {
		repos = append(repos, RefString(KeyRepository, AttrARN))
	}
	for _, name := range sortedKeys(s.Containers) {
		c := s.Containers[name]
		if arn := ecrRepositoryARN(c.Image, env); arn != "" {
			repos = append(repos, arn)
		}
		for _, k := range sortedKeys(c.Secrets) {
			ref, err := parseSecretRef(c.Secrets[k])
			if err != nil {
				continue // Validate reports it
			}
			if ref.Service == "secretsmanager" {
				secrets = append(secrets, ref.PolicyARN)
			} else {
				params = append(params, ref.PolicyARN)
			}
		}
	}
	if repos = uniqueSorted(repos); len(repos) > 0 {
		sts = append(sts,
			policyStatement{Sid: "ECRAuth", Effect: "Allow", Action: []string{"ecr:GetAuthorizationToken"}, Resource: []string{"*"}},
			policyStatement{
				Sid:      "ECRPull",
				Effect:   "Allow",
				Action:   []string{"ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"},
				Resource: repos,
			})
	}
	if secrets = uniqueSorted(secrets); len(secrets) > 0 {
		sts = append(sts, policyStatement{Sid: "Secrets", Effect: "Allow", Action: []string{"secretsmanager:GetSecretValue"}, Resource: secrets})
	}
	if params = uniqueSorted(params); len(params) > 0 {
		sts = append(sts, policyStatement{Sid: "Parameters", Effect: "Allow", Action: []string{"ssm:GetParameters"}, Resource: params})
	}
	// ECS reads a secret encrypted with a customer-managed key only with
	// kms:Decrypt on that key (the AWS-managed keys need no grant).
	if keys := uniqueSorted(s.KMSKeyARNs); len(keys) > 0 {
		sts = append(sts, policyStatement{Sid: SecretsKMSSid, Effect: "Allow", Action: []string{"kms:Decrypt"}, Resource: keys})
	}
	return marshalCanonical(policyDocument{Version: policyVersion, Statement: sts})
}

// SecretsKMSSid is the statement of the execution role policy that grants
// kms:Decrypt on the kms_key_arns.
const SecretsKMSSid = "SecretsKMS"

// execCommandStatement is what ECS Exec needs on the task role.
func execCommandStatement() map[string]any {
	return map[string]any{
		"Sid":    "ECSExec",
		"Effect": "Allow",
		"Action": []any{
			"ssmmessages:CreateControlChannel",
			"ssmmessages:CreateDataChannel",
			"ssmmessages:OpenControlChannel",
			"ssmmessages:OpenDataChannel",
		},
		"Resource": []any{"*"},
	}
}

// taskRolePolicy returns the task role's inline policy: the user's document
// (canonical form) plus, with enable_execute_command, the ECS Exec statement.
// ok is false when the task role needs no policy.
func taskRolePolicy(s *ServiceSpec) (doc string, ok bool, err error) {
	if s.TaskRolePolicyJSON == "" && !s.EnableExecuteCommand {
		return "", false, nil
	}
	m := map[string]any{"Version": policyVersion, "Statement": []any{}}
	if s.TaskRolePolicyJSON != "" {
		if m, err = decodePolicy(s.TaskRolePolicyJSON); err != nil {
			return "", false, err
		}
	}
	if s.EnableExecuteCommand {
		var list []any
		switch st := m["Statement"].(type) {
		case []any:
			list = st
		default:
			list = []any{st}
		}
		m["Statement"] = append(list, execCommandStatement())
	}
	return marshalCanonical(m), true, nil
}

// normalizePolicyJSON checks that s is an IAM policy document (a JSON object
// with a non-empty Statement) and returns it in canonical form: keys sorted,
// no whitespace, numbers as written.
func normalizePolicyJSON(s string) (string, error) {
	m, err := decodePolicy(s)
	if err != nil {
		return "", err
	}
	return marshalCanonical(m), nil
}

func decodePolicy(s string) (map[string]any, error) {
	dec := json.NewDecoder(bytes.NewReader([]byte(s)))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, fmt.Errorf("not valid JSON: %v", err)
	}
	if dec.More() {
		return nil, fmt.Errorf("not valid JSON: trailing data after the document")
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("a policy document must be a JSON object")
	}
	switch st := m["Statement"].(type) {
	case map[string]any:
	case []any:
		if len(st) == 0 {
			return nil, fmt.Errorf("Statement must not be empty")
		}
		for i, x := range st {
			if _, ok := x.(map[string]any); !ok {
				return nil, fmt.Errorf("Statement[%d] must be an object", i)
			}
		}
	case nil:
		return nil, fmt.Errorf("a policy document needs a Statement")
	default:
		return nil, fmt.Errorf("Statement must be an object or a list of objects")
	}
	if n := len(marshalCanonical(m)); n > maxInlinePolicySize {
		return nil, fmt.Errorf("the policy is %d characters without whitespace; IAM allows %d", n, maxInlinePolicySize)
	}
	return m, nil
}

func uniqueSorted(list []string) []string {
	sort.Strings(list)
	out := list[:0]
	for i, s := range list {
		if i == 0 || s != list[i-1] {
			out = append(out, s)
		}
	}
	return out
}
