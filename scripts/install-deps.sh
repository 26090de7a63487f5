#!/usr/bin/env bash
# Installs what mediagate's make targets need on Debian 12 (bookworm), and
# nothing they do not. Usage: scripts/install-deps.sh run|test|bench
#   run   the Go toolchain go.mod names, in /usr/local/go when the go on
#         PATH is missing or older (scripts/install-go.sh: from the Go
#         module proxy, checked against a pinned hash; curl, unzip and
#         ca-certificates to fetch it), the hardened build's toolchain
#         (gcc, dpkg-buildflags) and the codec libraries the transcoder
#         links (libavcodec, libswresample, libswscale, libvpx, libx264,
#         libopus: -dev packages, pkg-config), then the Go modules
#   test  the real peers of the test suite: chromium, ffmpeg, GStreamer (and
#         its RTSP server with the Python bindings, the test RTSP camera of
#         docs/cameras.md), janus, curl and openssl (the docs test runs the
#         pages' commands),
#         coturn (its TURN client and the server bench/turn compares with;
#         its service is left disabled), redis-server (the store the LiveKit
#         cluster test's two nodes share; its service is left disabled; the
#         LiveKit server itself is built by scripts/livekit-server.sh),
#         iproute2 and iptables for network namespaces; and for the packaging
#         system test: dpkg-dev, lintian, hardening-check (devscripts), gnupg,
#         apt-ftparchive (apt-utils), debootstrap, systemd-nspawn
#         (systemd-container)
# Packages already present are not reinstalled; apt-get update runs only when
# something is missing.
set -euo pipefail

run_pkgs=(curl ca-certificates unzip gcc libc6-dev dpkg-dev pkg-config
  libavcodec-dev libavutil-dev libswresample-dev libswscale-dev libvpx-dev libx264-dev libopus-dev)
test_pkgs=("${run_pkgs[@]}" gstreamer1.0-tools gstreamer1.0-plugins-base gstreamer1.0-plugins-good
  gstreamer1.0-plugins-bad gstreamer1.0-plugins-ugly gstreamer1.0-x
  gstreamer1.0-libav gir1.2-gst-rtsp-server-1.0 python3-gi ffmpeg chromium janus coturn
  redis-server curl openssl iproute2 iptables procps
  binutils xz-utils lintian devscripts gnupg apt-utils debootstrap systemd-container util-linux)

case "${1:-test}" in
run) want=("${run_pkgs[@]}") ;;
test | bench) want=("${test_pkgs[@]}") ;;
*)
  echo "usage: $0 run|test|bench" >&2
  exit 2
  ;;
esac

missing=()
for p in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "installing: ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
  # Only coturn's tools are wanted: Debian starts its service, which would
  # hold port 3478, the one mediagate's own TURN server listens on.
  if [[ " ${missing[*]} " == *" coturn "* ]] && [ -d /run/systemd/system ]; then
    $sudo systemctl disable --now coturn.service >/dev/null 2>&1 || true
  fi
  # Likewise redis-server: the LiveKit test starts its own inside its
  # network namespace; the packaged service would only hold port 6379.
  if [[ " ${missing[*]} " == *" redis-server "* ]] && [ -d /run/systemd/system ]; then
    $sudo systemctl disable --now redis-server.service >/dev/null 2>&1 || true
  fi
fi
cd "$(dirname "$0")/.."
scripts/install-go.sh
PATH="/usr/local/go/bin:$PATH" go mod download
