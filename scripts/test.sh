#!/usr/bin/env bash
# make test: unit tests plus acceptance tests (TF_ACC=1) driven by the real
# Terraform CLI against the emulator. CONTAINERAPP_TEST_ENDPOINT chooses the
# target: unset -> moto on 127.0.0.1:4566 (started here if nothing answers);
# a URL -> that emulator (e.g. LocalStack); empty -> a real AWS account.
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
start=$(date +%s)

# CONTAINERAPP_TF_CLI=tofu runs the whole suite under OpenTofu instead of
# Terraform; by default the suite runs under Terraform and a subset (the
# examples and the basic and import tests of each resource) again under
# OpenTofu (CONTAINERAPP_SKIP_TOFU=1 skips that pass).
if [[ "${CONTAINERAPP_TF_CLI:-terraform}" == tofu ]]; then
  TF_ACC_TERRAFORM_PATH="$(ensure_tofu)"
  export TF_ACC_PROVIDER_HOST=registry.opentofu.org
else
  TF_ACC_TERRAFORM_PATH="$(ensure_terraform)"
fi
export TF_ACC_TERRAFORM_PATH TF_ACC=1
export CHECKPOINT_DISABLE=1 TF_IN_AUTOMATION=1

if [[ -z "${CONTAINERAPP_TEST_ENDPOINT+set}" ]]; then
  export CONTAINERAPP_TEST_ENDPOINT="$DEFAULT_ENDPOINT"
  use_emulator_env
  trap stop_emulator EXIT
  start_emulator
elif [[ -n "$CONTAINERAPP_TEST_ENDPOINT" ]]; then
  use_emulator_env
  log "using emulator at $CONTAINERAPP_TEST_ENDPOINT"
  emulator_up "$CONTAINERAPP_TEST_ENDPOINT" || { log "nothing answers at $CONTAINERAPP_TEST_ENDPOINT"; exit 1; }
else
  log "CONTAINERAPP_TEST_ENDPOINT is empty: running against a REAL AWS account (region ${AWS_REGION:-from profile})"
fi

log "checking formatting, vet and generated docs"
unformatted="$(find . -name '*.go' -not -path './.git/*' -print0 | xargs -0 gofmt -l)"
if [[ -n "$unformatted" ]]; then echo "gofmt needed on:"; echo "$unformatted"; exit 1; fi
go vet ./...
bash scripts/docs.sh check
bash scripts/validate-examples.sh

log "emulator fidelity patches: each reproduces an AWS rule plain moto lacks"
bash scripts/emulator/run_tests.sh

log "go test ./... (TF_ACC=1, Terraform $("$TF_ACC_TERRAFORM_PATH" version | head -1))"
go test ./... -count=1 -timeout 60m ${GOTESTFLAGS:-} 2>&1 | tee "$CACHE_DIR/last-test.log"
status=${PIPESTATUS[0]}

if [[ "$status" == 0 && "${CONTAINERAPP_TF_CLI:-terraform}" != tofu && "${CONTAINERAPP_SKIP_TOFU:-0}" != 1 ]]; then
  tofu="$(ensure_tofu)"
  log "OpenTofu pass ($("$tofu" version | head -1)): examples, basic and import tests of each resource"
  tofu_start=$(date +%s)
  TF_ACC_TERRAFORM_PATH="$tofu" TF_ACC_PROVIDER_HOST=registry.opentofu.org \
    go test ./internal/provider/ ./internal/resources/... -count=1 -timeout 30m \
      -run 'TestAccExamples|TestAccService_basic$|TestAccService_import$|TestAccCluster_basic$|TestAccCluster_import$' 2>&1 | tee "$CACHE_DIR/last-test-tofu.log"
  status=${PIPESTATUS[0]}
  log "OpenTofu pass took $(( $(date +%s) - tofu_start ))s"
fi
log "make test finished in $(( $(date +%s) - start ))s with status $status"
exit "$status"
