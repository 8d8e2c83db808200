// Package handlers holds one file per AWS child kind: Create, Observe,
// Update and Delete (engine.Handler), Find (engine.Finder) and the one
// function that maps the kind's AWS object(s) to its composite props, plus
// the kind's narrow wait and retry helpers. Handlers depend on narrow
// interfaces of the SDK calls they use, so tests point real clients at the
// emulator. The package never imports the plugin framework.
//
// Shared code is named for what it holds: errors.go (AWS error codes and the
// not-found rule), retry.go (the one narrow retry helper, named timeouts,
// wait budgets), tags.go (tag conversions and tag convergence),
// ownership.go (the ownership-tag rules: adopting a lost create, refusing
// foreign objects, lookups that must find owned objects), props.go (props
// access and small value helpers), outputs.go (the output attributes
// handlers return besides composite's), network.go (the cluster's network
// lookup).
//
// Each kind maps its AWS object(s) to props in exactly one function
// (roleProps, logGroupProps, ...), used by Observe and, through it, by
// Find. Observe with full=false (a refresh) makes the kind's one read (two
// for a load balancer: its attributes); full=true (an import) also reads
// what costs extra calls. Handlers compute no fingerprint: the engine
// fingerprints the desired props after Create/Update and Observed.Props
// after a refresh (composite.Fingerprint).
package handlers
