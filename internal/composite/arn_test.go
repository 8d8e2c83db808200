package composite

import "testing"

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
