#!/usr/bin/env bash
# run_tests.sh: the emulator fidelity patch tests. Starts the launcher twice on
# free ports (patched, and plain moto with CONTAINERAPP_EMULATOR_PATCHES=0),
# asserts each AWS behaviour on the first and its absence on the second, and
# stops both. Extra arguments go to unittest (e.g. -k ImagePull).
source "$(dirname "$0")/../lib.sh"
py="$(moto_python)"
[[ -d "$CACHE_DIR/moto-site" ]] && ! "$py" -c 'import moto.server' 2>/dev/null && MOTO_PYTHONPATH="$CACHE_DIR/moto-site"
cd "$ROOT/scripts/emulator"
start=$(date +%s%N)
status=0
PYTHONDONTWRITEBYTECODE=1 PYTHONPATH="${MOTO_PYTHONPATH}${PYTHONPATH:+:$PYTHONPATH}" \
  "$py" -m unittest -v test_patches "$@" || status=$?
ms=$(( ($(date +%s%N) - start) / 1000000 ))
log "emulator patch tests finished in $((ms / 1000)).$(printf '%03d' $((ms % 1000)))s with status $status"
exit "$status"
