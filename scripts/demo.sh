#!/usr/bin/env bash
# make demo: start the local AWS emulator, build the provider, apply
# examples/platform with the real Terraform CLI through a dev_overrides CLI
# config (no registry needed), and print what was created.
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
start=$(date +%s)
EXAMPLE="${DEMO_EXAMPLE:-examples/platform}"
WORK="$CACHE_DIR/demo"
TF="$(ensure_terraform)"

use_emulator_env
start_emulator
if [[ -n "$EMULATOR_PID" ]]; then
  # A fresh emulator holds nothing: forget the state of an earlier demo.
  rm -rf "$WORK"
fi
mkdir -p "$WORK/bin" "$WORK/config"

log "building the provider"
go build -o "$WORK/bin/terraform-provider-containerapp" .

cat >"$WORK/terraform.rc" <<RC
provider_installation {
  dev_overrides {
    "containerapp/containerapp" = "$WORK/bin"
  }
  direct {}
}
RC
export TF_CLI_CONFIG_FILE="$WORK/terraform.rc" CHECKPOINT_DISABLE=1 TF_IN_AUTOMATION=1
export AWS_ENDPOINT_URL="${CONTAINERAPP_TEST_ENDPOINT:-$DEFAULT_ENDPOINT}"
# DEMO_CONSISTENCY=1 puts the acceptance tests' consistency proxy between the
# provider and the emulator (AWS's eventual-consistency windows, see
# internal/acctest/CONSISTENCY.md); DEMO_CONSISTENCY_SCALE stretches them.
if [[ "${DEMO_CONSISTENCY:-0}" != 0 ]]; then
  go build -o "$WORK/bin/consistency-proxy" ./internal/acctest/cmd/consistency-proxy
  "$WORK/bin/consistency-proxy" -upstream "$AWS_ENDPOINT_URL" -listen 127.0.0.1:0 \
    -scale "${DEMO_CONSISTENCY_SCALE:-1}" > "$WORK/consistency-proxy.log" 2>&1 &
  proxy_pid=$!
  trap 'kill "$proxy_pid" 2>/dev/null; sleep 0.2; tail -n +2 "$WORK/consistency-proxy.log" >&2' EXIT
  for _ in $(seq 50); do [[ -s "$WORK/consistency-proxy.log" ]] && break; sleep 0.1; done
  AWS_ENDPOINT_URL="$(head -1 "$WORK/consistency-proxy.log")"
  log "consistency windows on: the provider talks to the emulator through $AWS_ENDPOINT_URL"
fi
cp "$ROOT/$EXAMPLE"/*.tf "$WORK/config/"

log "terraform apply $EXAMPLE against $AWS_ENDPOINT_URL"
(cd "$WORK/config" && "$TF" apply -auto-approve -input=false -no-color 2>&1 | grep -v -e 'Warning: Provider development overrides' -e 'dev_overrides' ) | tail -n 25
status=${PIPESTATUS[0]}
(cd "$WORK/config" && "$TF" output -json) > "$WORK/outputs.json"

python3 - "$WORK/outputs.json" <<'PY'
import json, sys
out = json.load(open(sys.argv[1]))
val = lambda k: out.get(k, {}).get("value")
print()
print("=" * 78)
print("Platform created in the emulator")
print("=" * 78)
for k in ("url", "cluster_arn", "api_repository_url"):
    if val(k) is not None:
        print(f"{k:20} {val(k)}")
arns = val("service_arns") or {}
for name, arn in sorted(arns.items()):
    print(f"{'service ' + name:20} {arn}")
res = val("resources") or {}
for comp in sorted(res, key=lambda c: (c != "cluster", c)):
    children = res[comp] or {}
    print()
    print(f"{comp}  ({len(children)} AWS children)")
    w = max((len(k) for k in children), default=0)
    for key in sorted(children):
        ch = children[key]
        print(f"  {key:{w}}  {ch['kind']:38} {ch['name'] or '-'}")
        print(f"  {'':{w}}  {'':38} {ch['arn']}")
total = sum(len(v or {}) for v in res.values())
print()
print(f"{len(res)} composites, {total} AWS objects.")
PY
log "demo finished in $(( $(date +%s) - start ))s (state: $WORK/config)"
if [[ -n "$EMULATOR_PID" ]]; then
  log "moto keeps running (pid $EMULATOR_PID) so you can explore it; stop it with: kill $EMULATOR_PID"
  disown "$EMULATOR_PID" 2>/dev/null || true
fi
exit "$status"
