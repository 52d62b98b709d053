#!/usr/bin/env bash
# Installs what the test suite drives for real: kaspad and kaspa-miner (cargo, cached outside the
# clone) and Debian's Chromium for the dashboard test. Quiet when everything is already there.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

bash scripts/install_kaspad.sh all >/dev/null

if [ ! -x /usr/bin/chromium ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "test_deps: installing Debian's chromium for the dashboard test" >&2
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    echo "test_deps: /usr/bin/chromium is missing: install Chromium (Debian: apt-get install chromium)" >&2
    exit 1
  fi
fi
