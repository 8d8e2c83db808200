package adapter

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/containerapp/terraform-provider-containerapp/internal/composite"
)

// PrivateChildrenKey is the private-state key of the recorded children.
const PrivateChildrenKey = "children"

// PrivateStateVersion is the version of the private-state format SaveRecorded
// writes:
//
//	1 (releases up to 0.1): the bare map key -> Recorded, with the drift
//	  fingerprint, the drifted hash and the kind-specific facts riding in
//	  each child's Outputs ("observed", "drifted_hash", "cluster",
//	  "force_delete", "priority_explicit");
//	2: {"version": 2, "children": {key -> Recorded}} with those facts in
//	  Recorded's typed fields and Outputs holding reference targets only.
//
// LoadRecorded reads every version and upgrades it in memory; the next save
// writes the current one.
const PrivateStateVersion = 2

// Output keys of the version 1 format, frozen: they are read only to upgrade.
const (
	v1Observed         = "observed"
	v1DriftedHash      = "drifted_hash"
	v1Cluster          = "cluster"
	v1ForceDelete      = "force_delete"
	v1PriorityExplicit = "priority_explicit"
)

type privateState struct {
	Version  int                           `json:"version"`
	Children map[string]composite.Recorded `json:"children"`
}

// PrivateGetter is satisfied by the framework's private state readers.
type PrivateGetter interface {
	GetKey(ctx context.Context, key string) ([]byte, diag.Diagnostics)
}

// PrivateSetter is satisfied by the framework's private state writers.
type PrivateSetter interface {
	SetKey(ctx context.Context, key string, value []byte) diag.Diagnostics
}

// LoadRecorded reads the recorded children from private state (empty when
// there are none), upgrading older formats.
func LoadRecorded(ctx context.Context, p PrivateGetter) (map[string]composite.Recorded, diag.Diagnostics) {
	rec := map[string]composite.Recorded{}
	if p == nil {
		return rec, nil
	}
	raw, diags := p.GetKey(ctx, PrivateChildrenKey)
	if diags.HasError() || len(raw) == 0 {
		return rec, diags
	}
	rec, err := DecodeRecorded(raw)
	if err != nil {
		diags.AddError("Reading recorded children from private state", err.Error())
	}
	return rec, diags
}

// DecodeRecorded decodes any version of the private-state format.
func DecodeRecorded(raw []byte) (map[string]composite.Recorded, error) {
	var probe struct {
		Version  *int            `json:"version"`
		Children json.RawMessage `json:"children"`
	}
	if err := json.Unmarshal(raw, &probe); err == nil && probe.Version != nil {
		if *probe.Version > PrivateStateVersion {
			return nil, fmt.Errorf("private state version %d is newer than this provider understands (%d): upgrade the provider", *probe.Version, PrivateStateVersion)
		}
		var st privateState
		if err := json.Unmarshal(raw, &st); err != nil {
			return nil, err
		}
		if st.Children == nil {
			st.Children = map[string]composite.Recorded{}
		}
		return st.Children, nil
	}
	// Version 1: the bare map.
	rec := map[string]composite.Recorded{}
	if err := json.Unmarshal(raw, &rec); err != nil {
		return nil, err
	}
	for k, r := range rec {
		rec[k] = upgradeV1(r)
	}
	return rec, nil
}

// upgradeV1 moves the facts version 1 kept in Outputs into typed fields.
func upgradeV1(r composite.Recorded) composite.Recorded {
	if r.Outputs == nil {
		return r
	}
	outs := make(map[string]string, len(r.Outputs))
	for k, v := range r.Outputs {
		outs[k] = v
	}
	take := func(k string) (string, bool) {
		v, ok := outs[k]
		delete(outs, k)
		return v, ok
	}
	r.Observed, _ = take(v1Observed)
	r.DriftedHash, _ = take(v1DriftedHash)
	switch r.Kind {
	case composite.KindECSService:
		r.Cluster, _ = take(v1Cluster)
	case composite.KindECRRepository:
		v, _ := take(v1ForceDelete)
		r.ForceDelete, _ = strconv.ParseBool(v)
	case composite.KindListenerRule:
		if v, ok := take(v1PriorityExplicit); ok {
			b, err := strconv.ParseBool(v)
			if err == nil {
				r.PriorityExplicit = &b
			}
		}
	}
	r.Outputs = outs
	return r
}

// EncodeRecorded encodes the recorded children in the current format.
func EncodeRecorded(rec map[string]composite.Recorded) ([]byte, error) {
	if writeVersion == 1 {
		return encodeV1(rec)
	}
	if rec == nil {
		rec = map[string]composite.Recorded{}
	}
	return json.Marshal(privateState{Version: PrivateStateVersion, Children: rec})
}

// SaveRecorded writes the recorded children to private state.
func SaveRecorded(ctx context.Context, p PrivateSetter, rec map[string]composite.Recorded) diag.Diagnostics {
	raw, err := EncodeRecorded(rec)
	if err != nil {
		var d diag.Diagnostics
		d.AddError("Saving recorded children to private state", err.Error())
		return d
	}
	return p.SetKey(ctx, PrivateChildrenKey, raw)
}

// RecordedFromResources rebuilds a record of every child from a state's
// resources map (kind, name, arn or id). Hashes are left empty.
func RecordedFromResources(ctx context.Context, m types.Map) (map[string]composite.Recorded, diag.Diagnostics) {
	rec := map[string]composite.Recorded{}
	if m.IsNull() || m.IsUnknown() {
		return rec, nil
	}
	var children map[string]struct {
		Kind types.String `tfsdk:"kind"`
		Name types.String `tfsdk:"name"`
		ARN  types.String `tfsdk:"arn"`
	}
	diags := m.ElementsAs(ctx, &children, false)
	if diags.HasError() {
		return rec, diags
	}
	for key, c := range children {
		r := composite.Recorded{Key: key, Kind: composite.Kind(c.Kind.ValueString()), Name: c.Name.ValueString(), ARN: c.ARN.ValueString()}
		r.Outputs = map[string]string{composite.AttrName: r.Name}
		if r.Kind == composite.KindIAMRolePolicy {
			r.Outputs[composite.AttrID] = r.ARN
		}
		if r.Kind == composite.KindListenerRule {
			delete(r.Outputs, composite.AttrName)
		}
		rec[key] = r
	}
	return rec, diags
}

// writeVersion is the format SaveRecorded writes: PrivateStateVersion, or 1
// while a test proves that state written by the releases before version 2
// is read, planned and destroyed by this one (SetWriteVersionForTest).
var writeVersion = PrivateStateVersion

// SetWriteVersionForTest makes SaveRecorded write the given format (1 or
// PrivateStateVersion) and returns a function that restores the current one.
// Acceptance tests run the provider in their own process, so a test can
// write state exactly as the previous release did and then read it with
// this one.
func SetWriteVersionForTest(v int) (restore func()) {
	prev := writeVersion
	writeVersion = v
	return func() { writeVersion = prev }
}

// encodeV1 writes the version 1 format: the bare map, with the typed facts
// in each child's Outputs under the keys the previous release used.
func encodeV1(rec map[string]composite.Recorded) ([]byte, error) {
	out := make(map[string]composite.Recorded, len(rec))
	for k, r := range rec {
		outs := make(map[string]string, len(r.Outputs)+3)
		for ok, v := range r.Outputs {
			outs[ok] = v
		}
		if r.Observed != "" {
			outs[v1Observed] = r.Observed
		}
		if r.DriftedHash != "" {
			outs[v1DriftedHash] = r.DriftedHash
		}
		switch r.Kind {
		case composite.KindECSService:
			outs[v1Cluster] = r.Cluster
		case composite.KindECRRepository:
			outs[v1ForceDelete] = strconv.FormatBool(r.ForceDelete)
		case composite.KindListenerRule:
			if r.PriorityExplicit != nil {
				outs[v1PriorityExplicit] = strconv.FormatBool(*r.PriorityExplicit)
			}
		}
		r.Outputs, r.Observed, r.DriftedHash, r.Cluster, r.ForceDelete, r.PriorityExplicit = outs, "", "", "", false, nil
		out[k] = r
	}
	return json.Marshal(out)
}
