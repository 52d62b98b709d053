#!/usr/bin/env bash
# Checks deploy/systemd/kstratum.service with systemd-analyze: `verify` must pass and the
# offline `security` exposure must stay at or below MAX_EXPOSURE. Skips when systemd is absent.
set -euo pipefail

MAX_EXPOSURE="${MAX_EXPOSURE:-2.0}"
here=$(cd "$(dirname "$0")" && pwd)
unit="$here/kstratum.service"

if ! command -v systemd-analyze >/dev/null; then
  echo "verify: systemd-analyze not installed; skipped" >&2
  exit 0
fi

# verify insists that ExecStart's binary exists: check a copy that runs /bin/true instead.
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
sed 's#^ExecStart=/usr/local/bin/kstratum #ExecStart=/bin/true #' "$unit" >"$work/kstratum.service"
grep -q '^ExecStart=/bin/true ' "$work/kstratum.service" || {
  echo "verify: ExecStart no longer starts with /usr/local/bin/kstratum; update this script" >&2
  exit 1
}

out=$(systemd-analyze verify "$work/kstratum.service" 2>&1) || {
  echo "$out" >&2
  exit 1
}
# verify exits 0 on unknown keys and other warnings: treat any output as a failure.
if [ -n "$out" ]; then
  echo "$out" >&2
  exit 1
fi
echo "verify: systemd-analyze verify: clean"

if grep -q '^MemoryDenyWriteExecute=yes' "$unit"; then
  echo "verify: MemoryDenyWriteExecute=yes kills V8's JIT; remove it" >&2
  exit 1
fi

if report=$(systemd-analyze security --offline=yes "$work/kstratum.service" 2>&1); then
  level=$(echo "$report" | sed -n 's/.*Overall exposure level for kstratum.service: \([0-9.]*\).*/\1/p')
  echo "verify: systemd-analyze security exposure $level (max $MAX_EXPOSURE)"
  awk -v l="$level" -v m="$MAX_EXPOSURE" 'BEGIN { exit !(l != "" && l <= m) }' || {
    echo "$report" | grep -v '^✓' >&2
    exit 1
  }
else
  echo "verify: this systemd-analyze has no offline security review; skipped" >&2
fi
