// Package handlers holds one file per AWS child kind: Create, Observe,
// Update and Delete (engine.Handler), Find (engine.Finder) and the one
// function that maps the kind's AWS object(s) to its composite props, plus
// the kind's narrow wait and retry helpers. Handlers depend on narrow
// interfaces of the SDK calls they use, so tests point real clients at the
// emulator. The package never imports the plugin framework.
//
// Shared code is named for what it holds: errors.go (AWS error codes and the
// not-found rule), retry.go (the one narrow retry helper, named timeouts,
// wait budgets), tags.go (tag conversions and tag convergence), adopt.go
// (ownership checks: adopting a lost create, refusing foreign objects,
// lookups that must find owned objects), props.go (props access and small
// value helpers), outputs.go (the output attributes handlers return besides
// composite's), network.go (the cluster's network lookup).
package handlers
