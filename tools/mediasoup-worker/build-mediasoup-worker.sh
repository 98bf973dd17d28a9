#!/usr/bin/env bash
# Build mediasoup-worker $MS_VERSION from the npm registry tarball against Debian
# bookworm packages (no GitHub / PyPI / wrapdb downloads), cached by version.
# Prints the path of the binary on its last line. What it changes in mediasoup: README.md here.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
MS_VERSION="${MS_VERSION:-3.27.1}"
CACHE_DIR="${MS_CACHE_DIR:-$HOME/.cache/mediasoup-worker}"
key="$MS_VERSION-$(sha256sum "$here/apply-debian-deps.py" | cut -c1-12)-$(. /etc/os-release; echo "$VERSION_CODENAME")"
bin="$CACHE_DIR/$key/mediasoup-worker"

# --path: print where the binary is (or will be, once built), building nothing.
if [ "${1:-}" = "--path" ]; then echo "$bin"; exit 0; fi
# --cached-only: print the cached binary's path if there is a working one, else exit 1 (no build).
if [ "${1:-}" = "--cached-only" ]; then
  if [ -x "$bin" ] && ! ldd "$bin" | grep -q "not found"; then echo "$bin"; exit 0; fi
  exit 1
fi

# The Debian packages the build needs (build tools, and the libraries that replace mediasoup's
# downloaded subprojects).
deps=(g++ meson ninja-build pkg-config libuv1-dev libssl-dev libsrtp2-dev libabsl-dev flatbuffers-compiler libflatbuffers-dev)
# --missing-packages: print those of them not installed here, one a line (none: nothing), so that a
# caller can install them with its own apt-get run (.ci/run does).
if [ "${1:-}" = "--missing-packages" ]; then
  for dep in "${deps[@]}"; do
    dpkg-query -W -f='${db:Status-Abbrev}' "$dep" 2>/dev/null | grep -q '^ii' || echo "$dep"
  done
  exit 0
fi
if [ -n "${1:-}" ]; then
  echo "usage: $0 [--path | --cached-only | --missing-packages]" >&2
  exit 2
fi

missing=()
for dep in "${deps[@]}"; do
  dpkg-query -W -f='${db:Status-Abbrev}' "$dep" 2>/dev/null | grep -q '^ii' || missing+=("$dep")
done
if [ "${#missing[@]}" -gt 0 ]; then
  SUDO=""
  [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null && SUDO="sudo"
  if ! command -v apt-get >/dev/null || { [ "$(id -u)" -ne 0 ] && [ -z "$SUDO" ]; }; then
    echo "mediasoup-worker build: missing Debian packages ${missing[*]}, and no apt-get (as root or with sudo) to install them" >&2
    exit 1
  fi
  if ! { $SUDO apt-get update -qq >&2 &&
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2; }; then
    echo "mediasoup-worker build: apt-get could not install ${missing[*]}" >&2
    exit 1
  fi
fi

if [ -x "$bin" ] && ! ldd "$bin" | grep -q "not found"; then echo "$bin"; exit 0; fi

work="$(mktemp -d)"; trap 'rm -rf "$work"' EXIT
( cd "$work" && npm pack --silent "mediasoup@$MS_VERSION" >/dev/null && tar xzf "mediasoup-$MS_VERSION.tgz" )
python3 "$here/apply-debian-deps.py" "$work/package/worker" >&2
# mediasoup's release settings (-O3, no debug info, NDEBUG): what an operator runs, and what CI
# tests. -O1 measured only 6 % less compile CPU (tools/mediasoup-worker/README.md).
meson setup --wrap-mode=nodownload --buildtype release -Db_ndebug=true "$work/package/worker" "$work/build" >&2
# Only the worker binary: not mediasoup's tests, fuzzer or the library its Rust crate links.
ninja -C "$work/build" mediasoup-worker >&2
mkdir -p "$(dirname "$bin")"
install -m 755 "$work/build/mediasoup-worker" "$bin.tmp" && mv "$bin.tmp" "$bin"
echo "$bin"
