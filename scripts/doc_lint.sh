#!/usr/bin/env bash
# Runs `deno doc --lint` on kstratum's public modules (main.ts and every lib/*/mod.ts):
# each exported symbol needs a doc comment and an explicit type. Exits non-zero on any finding.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"

shopt -s nullglob
modules=(lib/*/mod.ts)
[ -f main.ts ] && modules=(main.ts "${modules[@]}")
if [ ${#modules[@]} -eq 0 ]; then
  echo "doc_lint: no public modules found (main.ts, lib/*/mod.ts)" >&2
  exit 1
fi

echo "doc_lint: deno doc --lint on ${#modules[@]} module(s): ${modules[*]}" >&2
deno doc --lint "${modules[@]}"
echo "doc_lint: clean" >&2
