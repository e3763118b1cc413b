#!/usr/bin/env bash
# Runs the project end to end on this machine: npm dependencies, the cached local control plane
# (built once, ~15 minutes on 2 cores), then a local Kubernetes cluster until Ctrl-C.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/setup.sh"
cd "$ROOT"
ensure_node_modules
ensure_controlplane
exec "$NODE" --import tsx test/harness/demo-controlplane.ts
