#!/usr/bin/env bash
# Installs what mediagate's make targets need on Debian 12 (bookworm), and
# nothing they do not. Usage: scripts/install-deps.sh run|test|bench
#   run   GStreamer, to push a test pattern at the default stream
#   test  the real peers of the test suite: chromium, ffmpeg, GStreamer, janus,
#         iproute2 and iptables for network namespaces
# Packages already present are not reinstalled; apt-get update runs only when
# something is missing.
set -euo pipefail

run_pkgs=(gstreamer1.0-tools gstreamer1.0-plugins-base gstreamer1.0-plugins-good
  gstreamer1.0-plugins-bad gstreamer1.0-plugins-ugly gstreamer1.0-x)
test_pkgs=("${run_pkgs[@]}" gstreamer1.0-libav ffmpeg chromium janus iproute2 iptables procps)

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
fi
go mod download
