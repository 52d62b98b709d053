#!/usr/bin/env bash
# Lints .github/workflows with a pinned actionlint (and shellcheck on every run: block).
# Installs what is missing into a cache outside the clone; exits non-zero on any finding.
set -euo pipefail

ACTIONLINT_VERSION="${ACTIONLINT_VERSION:-1.7.12}"
CACHE="${KSTRATUM_CACHE:-$HOME/.cache/kstratum}"
top=$(cd "$(dirname "$0")/.." && pwd)

log() { echo "check_workflows: $*" >&2; }

# An actionlint binary reporting exactly the pinned version, from PATH, ~/go/bin or the cache.
find_actionlint() {
  local candidate
  for candidate in "$(command -v actionlint || true)" "$HOME/go/bin/actionlint" \
    "$CACHE/actionlint-$ACTIONLINT_VERSION/bin/actionlint"; do
    if [ -z "$candidate" ] || [ ! -x "$candidate" ]; then continue; fi
    if [ "$("$candidate" -version 2>/dev/null | head -n 1)" = "v$ACTIONLINT_VERSION" ]; then
      echo "$candidate"
      return 0
    fi
  done
  return 1
}

install_actionlint() {
  local root="$CACHE/actionlint-$ACTIONLINT_VERSION"
  if ! command -v go >/dev/null; then
    log "actionlint v$ACTIONLINT_VERSION is missing and Go is not installed to build it"
    exit 2
  fi
  log "installing actionlint v$ACTIONLINT_VERSION into $root/bin"
  mkdir -p "$root/bin"
  GOBIN="$root/bin" go install "github.com/rhysd/actionlint/cmd/actionlint@v$ACTIONLINT_VERSION"
}

# actionlint runs shellcheck on run: blocks only when it finds it; without it those go unchecked.
ensure_shellcheck() {
  command -v shellcheck >/dev/null && return 0
  if command -v apt-get >/dev/null && [ "$(id -u)" = 0 ]; then
    log "installing shellcheck with apt-get"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq shellcheck >/dev/null
  elif command -v apt-get >/dev/null && command -v sudo >/dev/null; then
    log "installing shellcheck with sudo apt-get"
    sudo apt-get update -qq
    sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq shellcheck >/dev/null
  else
    log "WARNING: shellcheck not found and apt-get unavailable: run: blocks are not shell-checked"
  fi
}

ensure_shellcheck
actionlint=$(find_actionlint) || {
  install_actionlint
  actionlint=$(find_actionlint) || {
    log "installed actionlint does not report v$ACTIONLINT_VERSION"
    exit 2
  }
}

cd "$top"
shopt -s nullglob
workflows=(.github/workflows/*.yml .github/workflows/*.yaml)
if [ ${#workflows[@]} -eq 0 ]; then
  log "no workflow files under .github/workflows"
  exit 1
fi
"$actionlint" -no-color "${workflows[@]}"
log "ok: ${#workflows[@]} workflow file(s) clean with actionlint v$ACTIONLINT_VERSION$(
  command -v shellcheck >/dev/null && echo " + shellcheck $(shellcheck --version | sed -n 's/^version: //p')"
)"
