package composite

import (
	"strings"
	"testing"
)

func TestParseSecretRef_policyARN(t *testing.T) {
	const base = "arn:aws:secretsmanager:us-east-1:123456789012:secret:"
	for in, want := range map[string]string{
		// Complete ARN: exactly that secret.
		base + "db-AbCdEf": base + "db-AbCdEf",
		// JSON key, version stage and version id suffixes are ECS's, not
		// part of the secret's ARN.
		base + "db-AbCdEf:password::":           base + "db-AbCdEf",
		base + "db-AbCdEf:password:AWSCURRENT:": base + "db-AbCdEf",
		// Partial ARN (no random suffix): the wildcard Secrets Manager
		// documents for it.
		base + "db":                 base + "db-??????",
		base + "prod/db":            base + "prod/db-??????",
		base + "prod/db:password::": base + "prod/db-??????",
		// SSM parameters are granted as given.
		"arn:aws:ssm:us-east-1:123456789012:parameter/app/key": "arn:aws:ssm:us-east-1:123456789012:parameter/app/key",
	} {
		ref, err := parseSecretRef(in)
		if err != nil {
			t.Errorf("%s: %v", in, err)
			continue
		}
		if ref.PolicyARN != want {
			t.Errorf("%s: policy ARN %s, want %s", in, ref.PolicyARN, want)
		}
	}
}

// kms_key_arns: the execution role may kms:Decrypt with exactly those keys;
// only key ARNs are accepted, and only with secrets to decrypt.
func TestExecutionRolePolicy_kmsKeys(t *testing.T) {
	const key = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
	s := goldenMinimalSpec()
	s.Containers = map[string]ContainerSpec{"app": {Image: "nginx:1.27",
		Secrets: map[string]string{"DB": "arn:aws:secretsmanager:us-east-1:123456789012:secret:db"}}}
	s.KMSKeyARNs = []string{key, key}
	doc := executionRolePolicy(&s, goldenEnv())
	keys, err := invKMSKeys(doc)
	if err != nil || len(keys) != 1 || keys[0] != key {
		t.Errorf("KMS statement resources = %v, %v in %s", keys, err, doc)
	}
	s.KMSKeyARNs = nil
	if doc := executionRolePolicy(&s, goldenEnv()); strings.Contains(doc, "kms:") {
		t.Errorf("no keys, yet a KMS grant: %s", doc)
	}
	for _, tc := range []struct {
		keys    []string
		secrets bool
		path    string
	}{
		{[]string{"arn:aws:kms:us-east-1:123456789012:alias/app"}, true, "kms_key_arns[0]"},
		{[]string{"not-an-arn"}, true, "kms_key_arns[0]"},
		{[]string{key}, false, "kms_key_arns"},
	} {
		s := goldenMinimalSpec()
		c := ContainerSpec{Image: "nginx:1.27"}
		if tc.secrets {
			c.Secrets = map[string]string{"DB": "arn:aws:secretsmanager:us-east-1:123456789012:secret:db"}
		}
		s.Containers = map[string]ContainerSpec{"app": c}
		s.KMSKeyARNs = tc.keys
		s.ApplyDefaults()
		found := false
		for _, e := range Validate(s) {
			found = found || PathString(e.Path) == tc.path
		}
		if !found {
			t.Errorf("%v (secrets %v): no error at %s: %v", tc.keys, tc.secrets, tc.path, Validate(s))
		}
	}
}
