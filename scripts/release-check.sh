#!/usr/bin/env bash
# release-check.sh: build the goreleaser snapshot for every platform the
# registry serves (.goreleaser.yml), unsigned and unpublished, and check that
# each archive and the registry manifest are there. Not part of make test.
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
GORELEASER_VERSION="${GORELEASER_VERSION:-2.15.1}"
dir="$CACHE_DIR/goreleaser-$GORELEASER_VERSION"
if [[ ! -x "$dir/goreleaser" ]]; then
  log "installing goreleaser $GORELEASER_VERSION into $dir (first run only)"
  (cd "$CACHE_DIR" && GOFLAGS= GOBIN="$dir" go install "github.com/goreleaser/goreleaser/v2@v$GORELEASER_VERSION") >&2
fi
# (goreleaser check wants a git remote to list releases; the snapshot does not)
"$dir/goreleaser" release --snapshot --clean --skip=sign,publish
n=$(ls dist/*.zip | wc -l)
ls dist/*_manifest.json dist/*_SHA256SUMS >/dev/null
log "release snapshot: $n archives in dist/, manifest and checksums present"
[[ "$n" -ge 10 ]]
