#!/usr/bin/env bash
# Installs what the test suite drives for real: kaspad and kaspa-miner (cargo, cached outside the
# clone), Debian's Chromium for the dashboard test and Debian's prometheus (with promtool) for the
# monitoring test, Debian's haproxy for the load balancer test. Quiet when everything is already there.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

bash scripts/install_kaspad.sh all >/dev/null

updated=false
# debian_package <binary> <package> <what for>: installs the package when the binary is missing.
debian_package() {
  local binary=$1 package=$2 purpose=$3
  [ -x "$binary" ] && return 0
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "test_deps: installing Debian's $package for $purpose" >&2
    if [ "$updated" = false ]; then
      apt-get update -qq
      updated=true
    fi
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$package" >/dev/null
  else
    echo "test_deps: $binary is missing: install $package (Debian: apt-get install $package)" >&2
    exit 1
  fi
}

debian_package /usr/bin/chromium chromium "the dashboard test"
debian_package /usr/bin/prometheus prometheus "the monitoring test (it brings promtool)"
debian_package /usr/bin/promtool prometheus "the monitoring test (promtool)"
debian_package /usr/sbin/haproxy haproxy "the load balancer test (tests/integration/haproxy_test.ts)"
