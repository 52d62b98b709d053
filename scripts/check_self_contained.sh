#!/usr/bin/env bash
# Proves the repository is self-contained: no tracked file names a relative path outside it, and
# a copy of the tracked files alone, in a fresh temp folder with nothing beside it, type-checks
# and passes the unit tests. Usage: bash scripts/check_self_contained.sh  (DENO="npx -y deno@x" to pick)
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
DENO=${DENO:-deno}

log() { echo "check_self_contained: $*" >&2; }

# 1. No tracked file names a relative path that leaves the repository: every `../` chain is
#    resolved from the folder of the file that holds it, and must stay inside the clone.
outside=$(git grep -n -I -o -E '(\.\./)+[A-Za-z0-9_.-]+' -- . | while IFS=: read -r file line ref; do
  target=$(realpath -m "$top/$(dirname "$file")/$ref")
  case "$target" in
    "$top" | "$top"/*) ;;
    *) printf '%s:%s: %s\n' "$file" "$line" "$ref" ;;
  esac
done)
if [ -n "$outside" ]; then
  log "tracked files name a path outside the repository; copy the data in and name its source:"
  printf '%s\n' "$outside" >&2
  exit 1
fi

# 2. The tracked files, with their working-tree content, copied where nothing sits beside them.
#    Untracked files are left behind on purpose: a clone would not have them either.
tmp=$(mktemp -d "${TMPDIR:-/tmp}/kstratum-selfcontained.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
# $tmp is made here and empty, so nothing sits beside the copy.
copy="$tmp/kstratum"
mkdir "$copy"
git ls-files -z | while IFS= read -r -d '' path; do
  if [ -e "$path" ]; then printf '%s\0' "$path"; fi
done | tar --null -T - -cf - | tar -xf - -C "$copy"
log "copied $(git ls-files | wc -l) tracked files to $copy"

cd "$copy"
check_paths=(main.ts lib tests scripts)
[ -d bench ] && check_paths+=(bench)
# $DENO is deliberately unquoted: it may be several words ("npx -y deno@...").
# shellcheck disable=SC2086
$DENO check "${check_paths[@]}"
# The unit tests exactly as `deno task test:unit` runs them, from the copy's own deno.json.
# shellcheck disable=SC2086
$DENO task test:unit
log "ok: the copy type-checks and passes the unit tests with nothing outside it"
