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
# deno doc may warn that it cannot resolve @types/node's own triple-slash references (reached
# through an npm dependency's typings); those are not about our docs: count, don't print.
rc=0
out=$(deno doc --lint "${modules[@]}" 2>&1) || rc=$?
noise='^Warning Failed resolving types\. .*@types/node'
printf '%s\n' "$out" | awk -v noise="$noise" '
  $0 ~ noise { skipped++; drop = 1; next }
  drop && /^    at / { drop = 0; next }
  { drop = 0; print }
  END { if (skipped) printf "doc_lint: %d unresolved @types/node reference warning(s) hidden\n", skipped > "/dev/stderr" }
' >&2
if [ "$rc" -ne 0 ]; then
  echo "doc_lint: deno doc --lint found problems (exit $rc)" >&2
  exit "$rc"
fi
echo "doc_lint: clean" >&2
