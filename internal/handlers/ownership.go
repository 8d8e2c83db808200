package handlers

import (
	"errors"
	"fmt"

	"github.com/containerapp/terraform-provider-containerapp/internal/composite"
)

// Ownership: the containerapp:owner and containerapp:key tags decide which
// existing objects a handler may take over.
//
// Adoption closes the orphan window of a Create whose response was lost
// (timeout, Ctrl-C, an SDK retry after a connection error): AWS created the
// object, the engine never recorded it, and the next Create of the same
// child meets "already exists". When the object carries exactly this
// child's ownership tags it was created for this child, so the handler
// takes it over - converging it with its own Update path - instead of
// failing for good. An object without those tags, or with another owner,
// is refused: adopting it would take over something this composite does
// not own.
//
// Discovery (Find) applies the same rule when the lookup asks for owned
// objects only (composite.Lookup.OwnedOnly): an object found by its name
// whose tags name another owner or key is an error naming it, never a
// silent match.

// ErrNotOwned is wrapped by the error Create returns when an object of the
// child's name already exists and does not carry the child's ownership
// tags, and by the error Find returns for such an object when the lookup
// asks for owned objects only.
var ErrNotOwned = errors.New("already exists and is not owned by this resource")

// ownershipMismatch says why the live tags do not name owner and key, or
// returns "" when they do.
func ownershipMismatch(live map[string]string, owner, key string) string {
	switch have, ok := live[composite.TagOwner]; {
	case owner == "":
		return fmt.Sprintf("the desired child carries no %s tag, so it cannot be matched", composite.TagOwner)
	case !ok:
		return fmt.Sprintf("it has no %s tag", composite.TagOwner)
	case have != owner:
		return fmt.Sprintf("its %s tag is %q, not %q", composite.TagOwner, have, owner)
	case live[composite.TagKey] != key:
		return fmt.Sprintf("its %s tag is %q, not %q", composite.TagKey, live[composite.TagKey], key)
	}
	return ""
}

// ownedByChild returns nil when live (the existing object's tags) names the
// same owner as desired (the desired child's tags) and c's key, else an
// error wrapping ErrNotOwned that names the object (what) and says why.
func ownedByChild(what string, live map[string]string, c composite.Child, desired map[string]string) error {
	if reason := ownershipMismatch(live, desired[composite.TagOwner], c.Key); reason != "" {
		return fmt.Errorf("%s %w: %s", what, ErrNotOwned, reason)
	}
	return nil
}

// refuseAdoption is Create's error when the object of the child's name
// exists but cannot be adopted: why (wrapping ErrNotOwned or naming the
// property that cannot change in place), and the AWS error of the create.
func refuseAdoption(why, createErr error) error {
	return fmt.Errorf("%w; import it or choose another name: %w", why, createErr)
}

// lookupOwned is Find's ownership check of the object it found (what, with
// its tags): nil unless q.OwnedOnly and the tags do not name q.Owner and
// q.Key; then an error wrapping ErrNotOwned naming the object and why.
func lookupOwned(q composite.Lookup, what string, tags map[string]string) error {
	if !q.OwnedOnly {
		return nil
	}
	if reason := ownershipMismatch(tags, q.Owner, q.Key); reason != "" {
		return fmt.Errorf("%s %w: %s", what, ErrNotOwned, reason)
	}
	return nil
}

// ownsLookup reports whether tags name q.Owner and q.Key: how Find picks
// its object among candidates found by tags (listener rules, listeners,
// namespaces).
func ownsLookup(q composite.Lookup, tags map[string]string) bool {
	return q.Owner != "" && ownershipMismatch(tags, q.Owner, q.Key) == ""
}

// lookupRecord is the record Find returns for the object observed as obs:
// q's key, the kind, the name (the outputs' when name is empty), the ARN
// (or id) and the outputs. Hashes stay empty; the caller sets the kind's
// typed fields it knows.
func lookupRecord(q composite.Lookup, kind composite.Kind, name string, obs composite.Observed) composite.Recorded {
	return composite.Recorded{
		Key:     q.Key,
		Kind:    kind,
		Name:    firstNonEmpty(name, obs.Outputs[composite.AttrName]),
		ARN:     firstNonEmpty(obs.Outputs[composite.AttrARN], obs.Outputs[composite.AttrID]),
		Outputs: obs.Outputs,
	}
}
