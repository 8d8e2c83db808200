# Shared settings for the make targets. Sourced, not run.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CACHE_DIR="${CONTAINERAPP_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/containerapp}"
TERRAFORM_VERSION="${TERRAFORM_VERSION:-1.5.7}"
EMULATOR_HOST="${EMULATOR_HOST:-127.0.0.1}"
EMULATOR_PORT="${EMULATOR_PORT:-4566}"
DEFAULT_ENDPOINT="http://${EMULATOR_HOST}:${EMULATOR_PORT}"
# The emulator fidelity patches (scripts/emulator/, docs/design/EMULATOR.md)
# make moto keep what ECS CreateService drops and enforce AWS rules it lacks.
# On by default; CONTAINERAPP_EMULATOR_PATCHES=0 runs plain moto, to compare.
# (The acceptance tests' consistency windows are the other layer:
# CONTAINERAPP_TEST_CONSISTENCY=0 turns them off.)
export CONTAINERAPP_EMULATOR_PATCHES="${CONTAINERAPP_EMULATOR_PATCHES:-1}"
mkdir -p "$CACHE_DIR"

log() { printf '==> %s\n' "$*" >&2; }

# ensure_terraform prints the path of Terraform CLI $TERRAFORM_VERSION, built
# from source with `go install` into the cache the first time (about 5 min).
ensure_terraform() {
  local dir="$CACHE_DIR/terraform-$TERRAFORM_VERSION"
  if [[ ! -x "$dir/terraform" ]]; then
    log "installing Terraform CLI $TERRAFORM_VERSION into $dir (go install, first run only)"
    mkdir -p "$dir"
    (cd "$CACHE_DIR" && GOFLAGS= GOBIN="$dir" go install "github.com/hashicorp/terraform@v$TERRAFORM_VERSION") >&2
  fi
  echo "$dir/terraform"
}

OPENTOFU_VERSION="${OPENTOFU_VERSION:-1.10.10}"

# ensure_tofu prints the path of OpenTofu $OPENTOFU_VERSION, built from its Go
# module source into the cache the first time (about 3-5 min): its go.mod has
# a replace directive, so `go install` refuses it; the module is copied and
# built in place.
ensure_tofu() {
  local dir="$CACHE_DIR/tofu-$OPENTOFU_VERSION"
  if [[ ! -x "$dir/tofu" ]]; then
    log "building OpenTofu $OPENTOFU_VERSION into $dir (first run only)"
    local src tmp
    src="$(cd "$CACHE_DIR" && GOFLAGS= go mod download -json "github.com/opentofu/opentofu@v$OPENTOFU_VERSION" | python3 -c 'import json,sys; print(json.load(sys.stdin)["Dir"])')"
    tmp="$(mktemp -d)"
    cp -r "$src" "$tmp/src" && chmod -R u+w "$tmp/src"
    mkdir -p "$dir"
    (cd "$tmp/src" && GOFLAGS= GOWORK=off go build -o "$dir/tofu" ./cmd/tofu) >&2
    rm -rf "$tmp"
  fi
  echo "$dir/tofu"
}

# emulator_up: anything answering HTTP there (moto's / answers at once; its
# /moto-api/data.json dumps every object and gets slow on a busy server).
emulator_up() {
  local code
  code="$(curl -s -o /dev/null --max-time 5 -w '%{http_code}' "$1/" 2>/dev/null || true)"
  [[ -n "$code" && "$code" != "000" ]]
}

MOTO_VERSION="${MOTO_VERSION:-5.2.1}"
MOTO_PYTHONPATH=""

# moto_python prints a Python interpreter that can import moto's server. When
# the machine's python3 cannot, moto[server]==$MOTO_VERSION is installed into
# a cache virtualenv, or (without the venv module) into a cache folder put on
# PYTHONPATH.
moto_python() {
  local py
  py="$(python3 -c 'import sys; print(sys.executable)')"
  if "$py" -c 'import moto.server, flask' 2>/dev/null; then echo "$py"; return; fi
  local venv="$CACHE_DIR/moto-venv" site="$CACHE_DIR/moto-site"
  if [[ -x "$venv/bin/python" ]] && "$venv/bin/python" -c 'import moto.server, flask' 2>/dev/null; then
    echo "$venv/bin/python"; return
  fi
  if [[ -d "$site" ]] && PYTHONPATH="$site" "$py" -c 'import moto.server, flask' 2>/dev/null; then
    MOTO_PYTHONPATH="$site"; echo "$py"; return
  fi
  log "installing moto[server]==$MOTO_VERSION"
  if python3 -m venv "$venv" >&2 2>/dev/null && "$venv/bin/pip" install -q "moto[server]==$MOTO_VERSION" >&2; then
    echo "$venv/bin/python"; return
  fi
  rm -rf "$venv"
  "$py" -m pip install -q --target "$site" "moto[server]==$MOTO_VERSION" >&2
  MOTO_PYTHONPATH="$site"
  echo "$py"
}

# start_emulator starts moto on $EMULATOR_PORT, through the launcher that
# applies the fidelity patches when CONTAINERAPP_EMULATOR_PATCHES is not 0,
# unless something already answers there. It sets EMULATOR_PID when this run
# started it (the launcher runs in "$py" itself, so the pid is moto's).
EMULATOR_PID=""
start_emulator() {
  if emulator_up "$DEFAULT_ENDPOINT"; then
    log "emulator already answering on $DEFAULT_ENDPOINT; using it (and leaving it running)."
    log "it must run with MOTO_IAM_LOAD_MANAGED_POLICIES=true MOTO_ECS_SERVICE_RUNNING=1000, or steady-state waits never end"
    return
  fi
  local py logf="$CACHE_DIR/moto.log"
  py="$(moto_python)"
  [[ -d "$CACHE_DIR/moto-site" ]] && ! "$py" -c 'import moto.server' 2>/dev/null && MOTO_PYTHONPATH="$CACHE_DIR/moto-site"
  log "starting moto on $DEFAULT_ENDPOINT, fidelity patches $([[ "$CONTAINERAPP_EMULATOR_PATCHES" == 0 ]] && echo off || echo on) (log: $logf)"
  PYTHONPATH="${MOTO_PYTHONPATH}${PYTHONPATH:+:$PYTHONPATH}" \
  MOTO_IAM_LOAD_MANAGED_POLICIES=true MOTO_ECS_SERVICE_RUNNING=1000 \
    "$py" "$ROOT/scripts/emulator/launcher.py" -H "$EMULATOR_HOST" -p "$EMULATOR_PORT" >"$logf" 2>&1 &
  EMULATOR_PID=$!
  for _ in $(seq 1 120); do
    if emulator_up "$DEFAULT_ENDPOINT"; then log "moto is up (pid $EMULATOR_PID)"; return; fi
    if ! kill -0 "$EMULATOR_PID" 2>/dev/null; then cat "$logf" >&2; log "moto exited"; exit 1; fi
    sleep 0.5
  done
  log "moto did not answer within 60s"; cat "$logf" >&2; exit 1
}

stop_emulator() {
  if [[ -n "$EMULATOR_PID" ]]; then
    log "stopping moto (pid $EMULATOR_PID)"
    kill "$EMULATOR_PID" 2>/dev/null || true
    wait "$EMULATOR_PID" 2>/dev/null || true
    EMULATOR_PID=""
  fi
}

# use_emulator_env exports dummy credentials and the region for the emulator.
use_emulator_env() {
  export AWS_ACCESS_KEY_ID="${AWS_ACCESS_KEY_ID:-test}"
  export AWS_SECRET_ACCESS_KEY="${AWS_SECRET_ACCESS_KEY:-test}"
  export AWS_REGION="${AWS_REGION:-us-east-1}"
  export AWS_EC2_METADATA_DISABLED=true
  unset AWS_PROFILE AWS_SESSION_TOKEN
}

# A CLI config of our own: no ~/.terraformrc warning, no registry look-ups.
if [[ -z "${TF_CLI_CONFIG_FILE:-}" || ! -f "${TF_CLI_CONFIG_FILE}" ]]; then
  : > "$CACHE_DIR/empty.tfrc"
  export TF_CLI_CONFIG_FILE="$CACHE_DIR/empty.tfrc"
fi
