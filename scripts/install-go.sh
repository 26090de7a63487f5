#!/usr/bin/env bash
# Installs the Go toolchain that go.mod names (its "toolchain" line, else
# its "go" line: go1.26.8) in /usr/local/go, when the go that make would
# run (/usr/local/go/bin first on PATH, as the Makefile puts it) is missing
# or older. Debian 12's own golang (1.19) is far too old.
#
#   scripts/install-go.sh          install if needed; say what it did
#
# The toolchain comes from the Go module proxy ($GOPROXY's first entry,
# default https://proxy.golang.org), which serves every official release
# as the module golang.org/toolchain (version v0.0.1-go1.26.8.linux-amd64;
# the go command's own GOTOOLCHAIN switching downloads the same zip).
# Before anything is installed, the unpacked zip's module hash (the "h1:"
# of go.sum, the SHA-256 dirhash) must equal the one pinned in
# scripts/go-toolchain.sum, whose lines are the checksum database's. When
# go.mod moves to a new release, add its lines there, printed (and checked
# against sum.golang.org) by a working go:
#
#   go mod download -json golang.org/toolchain@v0.0.1-go1.27.0.linux-amd64 | grep '"Sum"'
#
# Needs curl, unzip and ca-certificates (scripts/install-deps.sh installs
# them first), and root or sudo to write /usr/local/go.
set -euo pipefail
cd "$(dirname "$0")/.."

prefix=/usr/local/go
export PATH="$prefix/bin:$PATH"

# want: the release go.mod asks for, "1.26.8".
want=$(sed -n 's/^toolchain go\([0-9][0-9.a-z]*\)$/\1/p' go.mod)
[ -n "$want" ] || want=$(sed -n 's/^go \([0-9][0-9.a-z]*\)$/\1/p' go.mod)
[ -n "$want" ] || { echo "$0: no go version in go.mod" >&2; exit 1; }

# have: the release of the go on PATH, or nothing. GOTOOLCHAIN=local: the
# question is what is installed, not what it would switch to.
have=""
if command -v go >/dev/null 2>&1; then
  have=$(GOTOOLCHAIN=local go env GOVERSION 2>/dev/null | sed -n 's/^go\([0-9][0-9.a-z]*\).*/\1/p' || true)
fi
if [ -n "$have" ] && [ "$(printf '%s\n%s\n' "$want" "$have" | sort -V | head -n1)" = "$want" ]; then
  exit 0 # new enough
fi

case "$(uname -m)" in
x86_64) arch=amd64 ;;
aarch64) arch=arm64 ;;
*) echo "$0: no pinned Go toolchain for $(uname -m)" >&2; exit 1 ;;
esac
version="v0.0.1-go$want.linux-$arch"
pinned=$(awk -v v="$version" '$1 == "golang.org/toolchain" && $2 == v {print $3}' scripts/go-toolchain.sum)
if [ -z "$pinned" ]; then
  echo "$0: scripts/go-toolchain.sum has no hash for golang.org/toolchain $version; add it (see this script)" >&2
  exit 1
fi

proxy=${GOPROXY:-https://proxy.golang.org}
proxy=${proxy%%[,|]*}
case "$proxy" in
https://* | http://* | file://*) ;;
*) proxy=https://proxy.golang.org ;; # "direct" or "off": the toolchain is only on a proxy
esac

sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
echo "installing Go $want (go.mod) in $prefix${have:+, replacing go$have}: golang.org/toolchain@$version from $proxy"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
curl -fsSL --retry 3 -o "$tmp/toolchain.zip" "$proxy/golang.org/toolchain/@v/$version.zip"
mkdir "$tmp/x"
unzip -q "$tmp/toolchain.zip" -d "$tmp/x"

# The module hash (golang.org/x/mod/sumdb/dirhash Hash1): the SHA-256 of
# the "sha256  name" lines of every file, sorted by name.
root="golang.org/toolchain@$version"
hex=$(cd "$tmp/x" && find "$root" -type f | LC_ALL=C sort | xargs -d '\n' sha256sum | sha256sum | cut -d' ' -f1)
got="h1:$(printf "$(printf %s "$hex" | sed 's/../\\x&/g')" | base64)"
if [ "$got" != "$pinned" ]; then
  echo "$0: golang.org/toolchain@$version has hash $got, scripts/go-toolchain.sum pins $pinned: not installed" >&2
  exit 1
fi

chmod 0755 "$tmp/x/$root/bin/"* "$tmp/x/$root/pkg/tool/"*/*
$sudo rm -rf "$prefix.new" "$prefix.old"
$sudo mv "$tmp/x/$root" "$prefix.new"
$sudo chown -R 0:0 "$prefix.new"
[ ! -e "$prefix" ] || $sudo mv "$prefix" "$prefix.old"
$sudo mv "$prefix.new" "$prefix"
$sudo rm -rf "$prefix.old"
echo "installed: $("$prefix/bin/go" version)"
