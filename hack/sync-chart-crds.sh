#!/usr/bin/env bash
# Copies the CRDs from crds/ (their single source) into the Helm chart's crds/ directory, and
# removes chart copies whose source is gone. `--check` changes nothing and fails if they differ;
# the chart test runs the same comparison.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SRC="$ROOT/crds"
DST="$ROOT/charts/ack-node-operator/crds"
mkdir -p "$DST"

if [ "${1:-}" = "--check" ]; then
  if diff -r "$SRC" "$DST" >/dev/null; then exit 0; fi
  echo "charts/ack-node-operator/crds differs from crds/; run hack/sync-chart-crds.sh" >&2
  diff -r "$SRC" "$DST" >&2 || true
  exit 1
fi

shopt -s nullglob
for f in "$DST"/*; do
  [ -e "$SRC/$(basename "$f")" ] || rm -f "$f"
done
for f in "$SRC"/*.yaml; do
  cp "$f" "$DST/"
done
echo "synced $(ls "$DST" | wc -l) CRD file(s) into charts/ack-node-operator/crds"
