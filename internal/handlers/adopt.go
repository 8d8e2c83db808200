package handlers

import (
	"errors"
	"fmt"

	"github.com/containerapp/terraform-provider-containerapp/internal/composite"
)

// Adoption closes the orphan window of a Create whose response was lost
// (timeout, Ctrl-C, an SDK retry after a connection error): AWS created the
// object, the engine never recorded it, and the next Create of the same
// child meets "already exists". When the object carries exactly this
// child's ownership tags (containerapp:owner and containerapp:key) it was
// created for this child, so the handler takes it over - converging it with
// its own Update path - instead of failing for good. An object without
// those tags, or with another owner, is refused: adopting it would take
// over something this composite does not own.

// ErrNotOwned is wrapped by the error Create returns when an object of the
// child's name already exists and does not carry the child's ownership tags.
var ErrNotOwned = errors.New("already exists and is not owned by this resource")

// ownedByChild returns nil when live (the existing object's tags) names the
// same owner as desired (the desired child's tags) and c's key, else an
// error wrapping ErrNotOwned that names the object (what) and says why.
func ownedByChild(what string, live map[string]string, c composite.Child, desired map[string]string) error {
	owner := desired[composite.TagOwner]
	var reason string
	switch have, ok := live[composite.TagOwner]; {
	case owner == "":
		reason = fmt.Sprintf("the desired child carries no %s tag, so it cannot be matched", composite.TagOwner)
	case !ok:
		reason = fmt.Sprintf("it has no %s tag", composite.TagOwner)
	case have != owner:
		reason = fmt.Sprintf("its %s tag is %q, not %q", composite.TagOwner, have, owner)
	case live[composite.TagKey] != c.Key:
		reason = fmt.Sprintf("its %s tag is %q, not %q", composite.TagKey, live[composite.TagKey], c.Key)
	default:
		return nil
	}
	return fmt.Errorf("%s %w: %s", what, ErrNotOwned, reason)
}

// refuseAdoption is Create's error when the object of the child's name
// exists but cannot be adopted: why (wrapping ErrNotOwned or naming the
// property that cannot change in place), and the AWS error of the create.
func refuseAdoption(why, createErr error) error {
	return fmt.Errorf("%w; import it or choose another name: %w", why, createErr)
}
