package engine

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"sync"
	"time"

	"github.com/containerapp/terraform-provider-containerapp/internal/composite"
)

// OpFind is the op of a ChildError raised by Discover.
const OpFind composite.Op = "find"

// maxDiscoverWaves bounds the lookup waves of one Discover (a plan that
// keeps asking for new keys is a bug, not a reason to loop).
const maxDiscoverWaves = 16

// Discover finds the children of a composite that has no record (an import,
// or a state that lost its private data). plan returns the lookups that the
// children observed so far make possible (the composite's pure discovery
// plan, e.g. composite.ServiceLookups); Discover runs each new lookup with
// its kind's Finder, at most opts.Concurrency at a time, and asks plan again
// until it returns no key it has not tried. Children not found are absent
// from both maps. Found records carry no hashes (the caller decides which
// match the configuration) and the fingerprint of their full observation.
func Discover(ctx context.Context, reg Registry, plan func(observed map[string]composite.Observed) []composite.Lookup, opts Options) (map[string]composite.Recorded, map[string]composite.Observed, error) {
	var (
		mu    sync.Mutex
		recs  = map[string]composite.Recorded{}
		obs   = map[string]composite.Observed{}
		tried = map[string]bool{}
	)
	snapshot := func() map[string]composite.Observed {
		mu.Lock()
		defer mu.Unlock()
		out := make(map[string]composite.Observed, len(obs))
		for k, v := range obs {
			out[k] = v
		}
		return out
	}
	for wave := 0; wave < maxDiscoverWaves; wave++ {
		byKey := map[string]composite.Lookup{}
		var keys []string
		for _, q := range plan(snapshot()) {
			if tried[q.Key] {
				continue
			}
			tried[q.Key] = true
			byKey[q.Key] = q
			keys = append(keys, q.Key)
		}
		if len(keys) == 0 {
			return recs, obs, nil
		}
		sort.Strings(keys)
		errs := bounded(ctx, opts.limit(), keys, func(key string) (err error) {
			q := byKey[key]
			f, ok := reg[q.Kind].(Finder)
			if !ok {
				return &ChildError{Key: key, Kind: q.Kind, Op: OpFind, Err: fmt.Errorf("no finder registered for kind %s", q.Kind)}
			}
			start := time.Now()
			defer func() { logRead(ctx, key, q.Kind, start, err) }()
			rec, o, found, err := f.Find(ctx, q)
			if err != nil {
				return &ChildError{Key: key, Kind: q.Kind, Op: OpFind, Err: err}
			}
			if !found {
				return nil
			}
			// The handler may refine the kind (a namespace's kind is its
			// type, known only once found).
			rec.Key = key
			if rec.Kind == "" {
				rec.Kind = q.Kind
			}
			if rec.ARN == "" {
				rec.ARN = arnOf(o.Outputs)
			}
			rec.Hash, rec.ReplaceHash = "", ""
			rec.Observed, _ = composite.Fingerprint(rec.Kind, o.Props)
			mu.Lock()
			recs[key], obs[key] = rec, o
			mu.Unlock()
			return nil
		})
		if len(errs) > 0 {
			return recs, obs, errors.Join(errs...)
		}
	}
	return recs, obs, fmt.Errorf("discovery did not settle after %d lookup waves", maxDiscoverWaves)
}
