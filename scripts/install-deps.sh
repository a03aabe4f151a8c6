#!/usr/bin/env bash
# Installs every Debian 12 package that building exmapi, its tests, fuzzers and benchmarks need.
# Idempotent and silent when everything is already present.
set -euo pipefail

packages=(
  # toolchain
  build-essential cmake ninja-build ccache pkg-config clang libclang-rt-14-dev
  # test and benchmark frameworks
  libgtest-dev libgmock-dev libbenchmark-dev nlohmann-json3-dev
  # kept libraries the library builds on
  zlib1g-dev libssl-dev libsqlite3-dev libcurl4-openssl-dev
  # the reference server's HTTP front (RPC over HTTP proxy, MAPI over HTTP, Autodiscover)
  libmicrohttpd-dev libxml2-dev
  # a DNS server the Autodiscover SRV test starts on loopback
  dnsmasq-base
  samba-dev libtalloc-dev libtevent-dev
  # independent peers the tests check our bytes against
  libfwnt-dev libpff-dev python3-impacket
  # a Kerberos realm the authentication tests start on loopback (kadmin.local adds its principals)
  krb5-kdc krb5-admin-server krb5-user
  # scripts: vector extraction and the demonstration
  python3 xxd
  # test certificates for the HTTPS endpoints
  openssl
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "exmapi: installing ${missing[*]}" >&2
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
