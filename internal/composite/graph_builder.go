package composite

import (
	"fmt"
	"sort"
	"strings"
)

// graphBuilder collects the children of one composite. Both expanders embed
// it; each of their builders (addRoles, addLogGroup, ..., addListeners) adds
// one group of children through add, tagged by tags.
type graphBuilder struct {
	owner       string            // the composite id: the containerapp:owner tag
	defaultTags map[string]string // the provider's default_tags
	userTags    map[string]string // the resource's tags
	children    []Child
}

func newGraphBuilder(owner string, env Env, userTags map[string]string) graphBuilder {
	return graphBuilder{owner: owner, defaultTags: env.DefaultTags, userTags: userTags}
}

// tags merges default tags, the resource's tags and the ownership tags
// (ownership wins, then resource tags).
func (b *graphBuilder) tags(key string) map[string]string {
	t := make(map[string]string, len(b.defaultTags)+len(b.userTags)+2)
	for k, v := range b.defaultTags {
		t[k] = v
	}
	for k, v := range b.userTags {
		t[k] = v
	}
	t[TagOwner] = b.owner
	t[TagKey] = key
	return t
}

// add appends a child, computing its hashes, and returns it (valid until the
// next add). replaceFields are the properties that cannot change in place
// (nil: all of them); replaceOn the keys whose creation or replacement
// forces this child's replacement.
func (b *graphBuilder) add(key string, kind Kind, name string, props any, replaceFields any, replaceOn ...string) *Child {
	c := Child{Key: key, Kind: kind, Name: name, Props: props, Hash: HashJSON(props)}
	if replaceFields == nil {
		c.ReplaceHash = c.Hash
	} else {
		c.ReplaceHash = HashJSON(replaceFields)
	}
	if len(replaceOn) > 0 {
		c.ReplaceOn = append([]string(nil), replaceOn...)
		sort.Strings(c.ReplaceOn)
	}
	b.children = append(b.children, c)
	return &b.children[len(b.children)-1]
}

// graph returns the children added, in dependency order (then by key).
func (b *graphBuilder) graph() Graph {
	return Graph{Owner: b.owner, Children: orderChildren(b.children)}
}

// orderChildren sorts children by dependency depth (longest chain of
// references from a child without dependencies), then by key. References
// to keys absent from the graph are ignored here (the property tests assert
// there are none).
func orderChildren(children []Child) []Child {
	byKey := make(map[string]*Child, len(children))
	for i := range children {
		byKey[children[i].Key] = &children[i]
	}
	depth := map[string]int{}
	visiting := map[string]bool{}
	var visit func(key string) int
	visit = func(key string) int {
		if d, ok := depth[key]; ok {
			return d
		}
		if visiting[key] {
			panic(fmt.Sprintf("composite: reference cycle through %q", key)) // a bug in Expand
		}
		visiting[key] = true
		d := 0
		for _, dep := range byKey[key].DependsOn() {
			if _, ok := byKey[dep]; ok && dep != key {
				d = max(d, visit(dep)+1)
			}
		}
		visiting[key] = false
		depth[key] = d
		return d
	}
	out := append([]Child(nil), children...)
	for _, c := range out {
		visit(c.Key)
	}
	sort.SliceStable(out, func(i, j int) bool {
		di, dj := depth[out[i].Key], depth[out[j].Key]
		if di != dj {
			return di < dj
		}
		return strings.Compare(out[i].Key, out[j].Key) < 0
	})
	return out
}
