#!/usr/bin/env bash
# validate-examples.sh: every directory under examples/ holding .tf files is
# `terraform fmt`-clean and passes `terraform validate` against the provider
# built from this tree (a dev_overrides CLI config: no registry needed).
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
TF="$(ensure_terraform)"
work="$(mktemp -d)"; trap 'rm -rf "$work"' EXIT
go build -o "$work/bin/terraform-provider-containerapp" .
cat >"$work/terraform.rc" <<RC
provider_installation {
  dev_overrides {
    "containerapp/containerapp" = "$work/bin"
  }
  direct {}
}
RC
"$TF" fmt -recursive -check examples/ || { log "examples/ need terraform fmt"; exit 1; }
status=0
for dir in $(find examples -name '*.tf' -exec dirname {} \; | sort -u); do
  out="$(cd "$dir" && TF_CLI_CONFIG_FILE="$work/terraform.rc" CHECKPOINT_DISABLE=1 "$TF" validate -json 2>/dev/null)" || true
  if python3 -c 'import json,sys; d=json.loads(sys.argv[1]); sys.exit(0 if d.get("valid") else 1)' "$out"; then
    log "valid: $dir"
  else
    log "INVALID: $dir"; echo "$out"; status=1
  fi
done
exit "$status"
