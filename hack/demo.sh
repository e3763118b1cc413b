#!/usr/bin/env bash
# The demo: npm dependencies, the cached local control plane (built once, ~15 minutes on 2 cores),
# then the bank scenario end to end (hack/demo/main.ts): the operator with the embedded cloud
# simulator provisions nodes and pod IPs for the examples/bank workloads, scales them up and down,
# and prints a summary. Ctrl-C stops everything it started.
#   ./hack/demo.sh [--non-interactive] [--scale N] [--summary-json FILE]    (DEMO_SCALE=N also works)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/setup.sh"
cd "$ROOT"
ensure_node_modules
ensure_controlplane
exec "$NODE" --import tsx hack/demo/main.ts "$@"
