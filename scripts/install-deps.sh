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
#   test  the real peers of the test suite: chromium, ffmpeg, GStreamer, janus,
#         coturn (its TURN client and the server bench/turn compares with;
#         its service is left disabled), iproute2 and iptables for network
#         namespaces; and for the packaging
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
  gstreamer1.0-libav ffmpeg chromium janus coturn iproute2 iptables procps
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
fi
cd "$(dirname "$0")/.."
scripts/install-go.sh
PATH="/usr/local/go/bin:$PATH" go mod download
