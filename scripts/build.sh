#!/usr/bin/env bash
# Builds the hardened mediagate binary.
#
#   scripts/build.sh OUTPUT [VERSION]
#
# VERSION defaults to the top entry of packaging/deb/changelog, the one
# source of truth for the version, so a fresh clone without tags builds the
# same one. The build is reproducible: -trimpath, no build ID, and cgo
# flags whose paths are mapped away.
#
# Hardening: a position-independent executable (-buildmode=pie), linked by
# the system linker with -z relro -z now, and cgo code compiled with the
# flags dpkg-buildflags gives for hardening=+all (-D_FORTIFY_SOURCE=2,
# -fstack-protector-strong, …) plus -fstack-clash-protection, which
# bookworm's dpkg-buildflags does not add yet. `hardening-check
# --nocfprotection` passes on the result (Go code has no CET markings).
set -euo pipefail

out=${1:?usage: $0 OUTPUT [VERSION]}
cd "$(dirname "$0")/.."
changelog=packaging/deb/changelog
version=${2:-$(sed -n '1s/^[^(]*(\([^)]*\)).*/\1/p' "$changelog")}
[ -n "$version" ] || { echo "$0: no version in $changelog" >&2; exit 1; }

export DEB_BUILD_MAINT_OPTIONS=hardening=+all
export CGO_ENABLED=1
CGO_CFLAGS="$(dpkg-buildflags --get CFLAGS)"
case " $CGO_CFLAGS " in
*" -fstack-clash-protection "*) ;;
*) CGO_CFLAGS="$CGO_CFLAGS -fstack-clash-protection" ;;
esac
export CGO_CFLAGS
CGO_CPPFLAGS="$(dpkg-buildflags --get CPPFLAGS)"
CGO_LDFLAGS="$(dpkg-buildflags --get LDFLAGS)"
export CGO_CPPFLAGS CGO_LDFLAGS

ldflags="-linkmode=external -extldflags '-Wl,-z,relro -Wl,-z,now' -buildid= -X main.version=$version"
exec "${GO:-go}" build -trimpath -buildmode=pie -ldflags "$ldflags" -o "$out" ./cmd/mediagate
