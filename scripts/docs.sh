#!/usr/bin/env bash
# docs.sh [generate|check]: regenerate docs/ with tfplugindocs (pinned with the
# go.mod tool directive); `check` fails when the committed docs differ.
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
mode="${1:-generate}"
TF="$(ensure_terraform)"
export PATH="$(dirname "$TF"):$PATH" CHECKPOINT_DISABLE=1
# terraform fmt keeps every example clean
"$TF" fmt -recursive -check examples/ || { log "examples/ need terraform fmt"; exit 1; }
if [[ "$mode" == check ]]; then
  tmp="$(mktemp -d)"; trap 'rm -rf "$tmp"' EXIT
  cp -r docs "$tmp/docs.committed" 2>/dev/null || mkdir -p "$tmp/docs.committed"
fi
go tool tfplugindocs generate --provider-name containerapp --rendered-provider-name containerapp \
  >"$CACHE_DIR/tfplugindocs.log" 2>&1 || { cat "$CACHE_DIR/tfplugindocs.log"; exit 1; }
if [[ "$mode" == check ]]; then
  if ! diff -r "$tmp/docs.committed" docs >/dev/null; then
    diff -ru "$tmp/docs.committed" docs | head -50
    log "docs/ is out of date: run 'make docs' and commit the result"; exit 1
  fi
  log "docs/ is in sync"
fi
