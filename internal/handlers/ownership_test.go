package handlers

import (
	"errors"
	"strings"
	"testing"

	"github.com/aws/smithy-go"

	"github.com/containerapp/terraform-provider-containerapp/internal/composite"
)

func TestOwnedByChild(t *testing.T) {
	c := composite.Child{Key: "log_group", Kind: composite.KindLogGroup, Name: "/app"}
	mine := map[string]string{composite.TagOwner: "cluster/app", composite.TagKey: "log_group", "team": "a"}
	for _, tc := range []struct {
		name          string
		live, desired map[string]string
		want          string // "" when adoptable, else a fragment of the reason
	}{
		{"same owner and key", map[string]string{composite.TagOwner: "cluster/app", composite.TagKey: "log_group", "other": "x"}, mine, ""},
		{"another owner", map[string]string{composite.TagOwner: "cluster/other", composite.TagKey: "log_group"}, mine, `containerapp:owner tag is "cluster/other", not "cluster/app"`},
		{"another key", map[string]string{composite.TagOwner: "cluster/app", composite.TagKey: "repository"}, mine, `containerapp:key tag is "repository", not "log_group"`},
		{"no key", map[string]string{composite.TagOwner: "cluster/app"}, mine, `containerapp:key tag is "", not "log_group"`},
		{"no owner tag", map[string]string{"team": "a"}, mine, "has no containerapp:owner tag"},
		{"no tags", nil, mine, "has no containerapp:owner tag"},
		{"desired child without owner", map[string]string{composite.TagOwner: ""}, nil, "desired child carries no containerapp:owner tag"},
		{"empty owners never match", map[string]string{composite.TagOwner: "", composite.TagKey: "log_group"}, map[string]string{composite.TagKey: "log_group"}, "desired child carries no"},
	} {
		err := ownedByChild(`log group "/app"`, tc.live, c, tc.desired)
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%s: %v, want adoptable", tc.name, err)
		case tc.want != "" && (!errors.Is(err, ErrNotOwned) || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), `log group "/app"`)):
			t.Errorf("%s: err = %v, want ErrNotOwned naming the object and %q", tc.name, err, tc.want)
		}
	}

	createErr := &smithy.GenericAPIError{Code: "ResourceAlreadyExistsException", Message: "exists"}
	err := refuseAdoption(ownedByChild("x", nil, c, mine), createErr)
	if !errors.Is(err, ErrNotOwned) || ErrorCode(err) != "ResourceAlreadyExistsException" || !strings.Contains(err.Error(), "import it") {
		t.Errorf("refuseAdoption = %v: want ErrNotOwned and the AWS code kept", err)
	}
}

// Find's ownership rules: lookupOwned refuses a foreign object only when the
// lookup asks for owned objects; ownsLookup picks candidates by their tags.
func TestLookupOwnership(t *testing.T) {
	q := composite.Lookup{Key: "log_group", Owner: "cluster/app", OwnedOnly: true}
	mine := map[string]string{composite.TagOwner: "cluster/app", composite.TagKey: "log_group"}
	theirs := map[string]string{composite.TagOwner: "cluster/other", composite.TagKey: "log_group"}
	if err := lookupOwned(q, `log group "/app"`, mine); err != nil {
		t.Errorf("own object: %v", err)
	}
	for what, tags := range map[string]map[string]string{"another owner": theirs, "another key": {composite.TagOwner: "cluster/app", composite.TagKey: "repository"}, "no tags": nil} {
		if err := lookupOwned(q, `log group "/app"`, tags); !errors.Is(err, ErrNotOwned) || !strings.Contains(err.Error(), `log group "/app"`) {
			t.Errorf("%s: err = %v, want ErrNotOwned naming the object", what, err)
		}
	}
	q.OwnedOnly = false
	if err := lookupOwned(q, "x", theirs); err != nil {
		t.Errorf("any owner: %v", err)
	}
	if !ownsLookup(q, mine) || ownsLookup(q, theirs) || ownsLookup(composite.Lookup{Key: "log_group"}, map[string]string{composite.TagKey: "log_group"}) {
		t.Error("ownsLookup: want only the tags naming the owner and key (and never an empty owner)")
	}
}
