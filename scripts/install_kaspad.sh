#!/usr/bin/env bash
# Installs the real node (kaspad) and CPU miner (kaspa-miner) used by the integration tests.
# Binaries are cached outside the clone (KSTRATUM_CACHE, default ~/.cache/kstratum) so CI builds them once per machine.
set -euo pipefail

CACHE="${KSTRATUM_CACHE:-$HOME/.cache/kstratum}"
KASPAD_VERSION="${KASPAD_VERSION:-2.1.0}"
MINER_VERSION="${KASPA_MINER_VERSION:-0.2.7}"
BRIDGE_VERSION="${KASPA_BRIDGE_VERSION:-2.1.0}"
mkdir -p "$CACHE"

need_apt() {
  local missing=()
  command -v protoc >/dev/null || missing+=(protobuf-compiler)
  command -v clang >/dev/null || missing+=(clang libclang-dev)
  command -v pkg-config >/dev/null || missing+=(pkg-config)
  [ -e /usr/include/openssl/ssl.h ] || missing+=(libssl-dev)
  if [ ${#missing[@]} -gt 0 ]; then
    echo "install_kaspad: installing Debian packages: ${missing[*]}" >&2
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
}

install_crate() { # crate version binary
  local crate=$1 version=$2 bin=$3 root="$CACHE/$1-$2"
  if [ -x "$root/bin/$bin" ]; then
    echo "$root/bin/$bin"
    return
  fi
  need_apt
  local started=$SECONDS
  echo "install_kaspad: building $crate $version with cargo (first run on a machine takes a while)" >&2
  cargo install "$crate" --version "$version" --locked --root "$root" >&2
  echo "install_kaspad: $crate $version built in $((SECONDS - started)) s" >&2
  echo "$root/bin/$bin"
}

case "${1:-all}" in
  kaspad) install_crate kaspad "$KASPAD_VERSION" kaspad ;;
  miner) install_crate kaspa-miner "$MINER_VERSION" kaspa-miner ;;
  all)
    install_crate kaspad "$KASPAD_VERSION" kaspad
    install_crate kaspa-miner "$MINER_VERSION" kaspa-miner
    ;;
  # The rusty-kaspa Stratum bridge: only the side-by-side benchmarks (bench/) need it.
  bridge) install_crate kaspa-stratum-bridge "$BRIDGE_VERSION" stratum-bridge ;;
  *) echo "usage: install_kaspad.sh [kaspad|miner|all|bridge]" >&2; exit 2 ;;
esac
