# Shared by hack/test.sh and hack/demo.sh: the npm dependencies (including Node 24 itself, the
# `node` devDependency) and the cached control-plane binaries. Source it; it defines:
#   ROOT, NODE, log, ensure_node_modules, ensure_controlplane (exports ACK_OPERATOR_BIN_DIR)
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
NODE="$ROOT/node_modules/.bin/node"
log() { echo "[$(basename "$0" .sh)] $*" >&2; }

# True when node_modules holds exactly the versions package-lock.json asks for. Compares contents,
# not timestamps, so a fresh clone, a pulled lockfile and a half-finished install are all caught.
node_modules_match_lock() {
  [ -f "$ROOT/node_modules/.package-lock.json" ] && [ -x "$NODE" ] || return 1
  command -v node >/dev/null 2>&1 || return 1
  (cd "$ROOT" && node -e '
    const fs = require("fs");
    const want = JSON.parse(fs.readFileSync("package-lock.json", "utf8")).packages ?? {};
    const have = JSON.parse(fs.readFileSync("node_modules/.package-lock.json", "utf8")).packages ?? {};
    const stale = Object.entries(want).filter(([path, p]) =>
      path !== "" && !p.link && have[path]?.version !== p.version && !(p.optional && !have[path]));
    process.exit(stale.length === 0 ? 0 : 1);
  ')
}

ensure_node_modules() {
  if node_modules_match_lock; then return; fi
  command -v npm >/dev/null 2>&1 || { log "npm is required (Node 20 or newer with npm)"; exit 1; }
  log "installing npm dependencies (npm ci)"
  (cd "$ROOT" && npm ci --no-audit --no-fund >&2)
  local major
  major="$("$NODE" -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)"
  if [ "$major" -lt 24 ]; then
    log "node_modules/.bin/node is not Node 24 (got '$major'): the node package's install script did not run"
    exit 1
  fi
}

ensure_controlplane() {
  local bin
  bin="$(bash "$ROOT/hack/controlplane/build.sh" | tail -n 1)"
  export ACK_OPERATOR_BIN_DIR="$bin"
}
