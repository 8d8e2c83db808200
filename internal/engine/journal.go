package engine

import (
	"sort"
	"sync"

	"github.com/containerapp/terraform-provider-containerapp/internal/composite"
)

// journal is the recorded set while an operation runs: what exists in AWS,
// updated after every handler call, safe for concurrent use. Records are
// replaced whole, never mutated, so snapshots may share Outputs maps.
type journal struct {
	mu   sync.Mutex
	recs map[string]composite.Recorded
}

func newJournal(recorded map[string]composite.Recorded) *journal {
	j := &journal{recs: make(map[string]composite.Recorded, len(recorded))}
	for k, r := range recorded {
		j.recs[k] = r
	}
	return j
}

func (j *journal) get(key string) (composite.Recorded, bool) {
	j.mu.Lock()
	defer j.mu.Unlock()
	r, ok := j.recs[key]
	return r, ok
}

func (j *journal) set(key string, r composite.Recorded) {
	j.mu.Lock()
	defer j.mu.Unlock()
	r.Key = key
	j.recs[key] = r
}

func (j *journal) remove(key string) {
	j.mu.Lock()
	defer j.mu.Unlock()
	delete(j.recs, key)
}

// depose moves the record under key to a fresh "<key>#deposed[N]" key and
// returns that key.
func (j *journal) depose(key string) (string, bool) {
	j.mu.Lock()
	defer j.mu.Unlock()
	r, ok := j.recs[key]
	if !ok {
		return "", false
	}
	dk := composite.DeposedKey(key, func(k string) bool { _, taken := j.recs[k]; return taken })
	r.Key = dk
	j.recs[dk] = r
	delete(j.recs, key)
	return dk, true
}

// supersede moves the record under key to a fresh "<key>#deposed[N]" key and
// records r under key, atomically, and returns the deposed key.
func (j *journal) supersede(key string, r composite.Recorded) string {
	j.mu.Lock()
	defer j.mu.Unlock()
	old := j.recs[key]
	dk := composite.DeposedKey(key, func(k string) bool { _, taken := j.recs[k]; return taken })
	old.Key = dk
	j.recs[dk] = old
	r.Key = key
	j.recs[key] = r
	return dk
}

// outputs returns key -> outputs of every record, for reference resolution.
func (j *journal) outputs() map[string]map[string]string {
	j.mu.Lock()
	defer j.mu.Unlock()
	out := make(map[string]map[string]string, len(j.recs))
	for k, r := range j.recs {
		out[k] = r.Outputs
	}
	return out
}

func (j *journal) snapshot() map[string]composite.Recorded {
	j.mu.Lock()
	defer j.mu.Unlock()
	out := make(map[string]composite.Recorded, len(j.recs))
	for k, r := range j.recs {
		out[k] = r
	}
	return out
}

func (j *journal) keys() []string {
	j.mu.Lock()
	defer j.mu.Unlock()
	keys := make([]string, 0, len(j.recs))
	for k := range j.recs {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// arnOf picks the identifier to record for a child's outputs.
func arnOf(out map[string]string) string {
	if v := out[composite.AttrARN]; v != "" {
		return v
	}
	return out[composite.AttrID]
}

func copyOutputs(m map[string]string) map[string]string {
	if m == nil {
		return nil
	}
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}
