package handlers

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/servicediscovery"
)

// GetNamespaceAPI is the one Cloud Map call NamespaceType needs.
type GetNamespaceAPI interface {
	GetNamespace(ctx context.Context, in *servicediscovery.GetNamespaceInput, optFns ...func(*servicediscovery.Options)) (*servicediscovery.GetNamespaceOutput, error)
}

// NamespaceType returns the type of a Cloud Map namespace (DNS_PRIVATE,
// DNS_PUBLIC or HTTP): a service's discovery child has DNS records only in
// a DNS namespace.
func NamespaceType(ctx context.Context, api GetNamespaceAPI, id string) (string, error) {
	out, err := api.GetNamespace(ctx, &servicediscovery.GetNamespaceInput{Id: aws.String(id)})
	if err != nil {
		return "", fmt.Errorf("reading Cloud Map namespace %q: %w", id, err)
	}
	if out.Namespace == nil {
		return "", fmt.Errorf("Cloud Map namespace %q not found", id)
	}
	return string(out.Namespace.Type), nil
}
