#!/usr/bin/env bash
# Builds (once) and updates the Debian bookworm root that the system test
# boots under systemd-nspawn, and installs packages into it.
#
#   scripts/systest-root.sh ROOT [PACKAGE...]
#
# ROOT is created with debootstrap the first time (a few minutes) and marked
# complete with ROOT/.mediagate-root; later runs only install the PACKAGEs it
# lacks (mediagate's dependencies, read from the .deb by the test). Every
# download comes from the Debian mirror the host's apt uses. Needs root.
set -euo pipefail

root=${1:?usage: $0 ROOT [PACKAGE...]}
shift
stamp="$root/.mediagate-root"
suite=bookworm
mkdir -p "$(dirname "$root")"
# One set-up at a time per root (two test runs may share the cache).
exec 9>"$root.lock"
flock 9

# mirror is the first Debian mirror in the host's apt sources.
mirror() {
  local uri
  uri=$(grep -hE '^(URIs:|deb )' /etc/apt/sources.list /etc/apt/sources.list.d/*.sources \
    /etc/apt/sources.list.d/*.list 2>/dev/null | grep -oE 'https?://[^ ]+/debian/?( |$)' | head -n1 || true)
  uri=${uri%% *}
  echo "${uri:-http://deb.debian.org/debian}"
}

if [ ! -e "$stamp" ]; then
  rm -rf "$root" "$root.tmp"
  debootstrap --variant=minbase \
    --include=systemd,systemd-sysv,dbus,adduser,init-system-helpers \
    "$suite" "$root.tmp" "$(mirror)"
  # An empty machine-id makes systemd create a fresh one at each boot. No
  # login is set up: the test runs its commands through nsenter.
  rm -f "$root.tmp/etc/machine-id"
  : >"$root.tmp/etc/machine-id"
  mv "$root.tmp" "$root"
  touch "$stamp"
fi

missing=()
for p in "$@"; do
  chroot "$root" dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing into $root: ${missing[*]}"
  chroot "$root" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive chroot "$root" apt-get install -y -qq --no-install-recommends "${missing[@]}"
  chroot "$root" apt-get clean
fi
