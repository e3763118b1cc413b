#!/usr/bin/env bash
# The whole test suite, from a fresh clone: npm dependencies, the cached local control plane
# (built once, ~15 minutes on 2 cores), type checking, lint, then every test with Node's runner:
# unit (src/**, test/unit/**), integration (test/integration/**) and end-to-end (test/e2e/**).
# The output ends with the runner's summary (# tests, # pass, # fail); the exit status is non-zero
# if anything failed. Type or lint errors do not stop the tests, so the summary always comes last.
#   TEST_CONCURRENCY  test files run at once (default 1: integration files each start a control plane)
#   TEST_TIMEOUT_MS   per-test timeout (default 600000)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/setup.sh"
cd "$ROOT"
started=$SECONDS

ensure_node_modules
ensure_controlplane
log "dependencies ready after $((SECONDS - started)) s (control plane binaries in $ACK_OPERATOR_BIN_DIR)"

# Node 24 from node_modules for every command below, as `npm run` would arrange.
export PATH="$ROOT/node_modules/.bin:$PATH"
failed=()
log "typecheck"
tsc -p tsconfig.json --noEmit >&2 || failed+=(typecheck)
log "lint"
eslint . >&2 || failed+=(lint)

# Expanded here rather than by the runner, so a folder without tests is simply empty.
test_files() { [ -d "$1" ] && find "$1" -name '*.test.ts' -not -path '*/node_modules/*' -not -path '*/fixtures/*' | LC_ALL=C sort; return 0; }
files=()
for dir in src test/unit test/integration test/e2e; do
  while IFS= read -r f; do files+=("$f"); done < <(test_files "$dir")
done

if [ "${#failed[@]}" -gt 0 ]; then log "FAILED: ${failed[*]} (running the tests anyway; the exit status will be non-zero)"; fi
log "running ${#files[@]} test files"
status=0
if [ "${#files[@]}" -gt 0 ]; then
  node --import tsx --test --test-reporter=tap \
    --test-concurrency="${TEST_CONCURRENCY:-1}" --test-timeout="${TEST_TIMEOUT_MS:-600000}" \
    "${files[@]}" || status=$?
fi
if [ "${#failed[@]}" -gt 0 ] && [ "$status" = 0 ]; then status=1; fi
exit "$status"
