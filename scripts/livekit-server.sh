#!/usr/bin/env bash
# Builds LiveKit's server from the Go module proxy once per machine and
# prints the binary's path. Later runs reuse the cached binary.
# Usage: scripts/livekit-server.sh [version]
#   version   defaults to v1.13.5, the newest that builds from the proxy
#             alone (v1.13.11 needs modules the proxy does not serve)
# The cache is $MEDIAGATE_CACHE (default ~/.cache/mediagate)/livekit-server-<version>.
set -euo pipefail

version="${1:-v1.13.5}"
cache="${MEDIAGATE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/mediagate}"
bin="$cache/livekit-server-$version"

if [ ! -x "$bin" ]; then
  mkdir -p "$cache"
  tmp="$(mktemp -d "$cache/livekit-build.XXXXXX")"
  trap 'rm -rf "$tmp"' EXIT
  echo "building livekit-server $version (once per machine; a few minutes)" >&2
  # A module outside the project's: its dependencies never touch go.mod.
  GOBIN="$tmp" GOFLAGS=-buildvcs=false "${GO:-go}" install "github.com/livekit/livekit-server/cmd/server@$version"
  mv "$tmp/server" "$bin"
fi
echo "$bin"
