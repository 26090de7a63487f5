#!/usr/bin/env bash
# Builds mediagate_<version>_amd64.deb by hand (dpkg-shlibdeps,
# dpkg-gencontrol, dpkg-deb) from packaging/deb, which is laid out as a
# debian/ directory.
#
#   scripts/build-deb.sh OUTDIR [VERSION]
#
# VERSION defaults to the top entry of packaging/deb/changelog; another
# version (for upgrade tests) gets its own changelog entry on top. The
# package is reproducible: two builds of one version are byte-identical
# (every timestamp is the changelog's date, files are owned by root, the
# binary build is reproducible).
set -euo pipefail

outdir=${1:?usage: $0 OUTDIR [VERSION]}
cd "$(dirname "$0")/.."
top=$PWD
deb=packaging/deb
base=$(dpkg-parsechangelog -l "$deb/changelog" -S Version)
version=${2:-$base}
arch=$(dpkg-architecture -qDEB_HOST_ARCH)

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
umask 022
root=$work/debian/mediagate
mkdir -p "$root/DEBIAN" "$outdir"

# The changelog of this build: the file itself, or a new entry on top,
# dated a minute after the last one (so that the build stays reproducible).
changelog=$work/debian/changelog
if [ "$version" = "$base" ]; then
  cp "$deb/changelog" "$changelog"
else
  when=$(($(dpkg-parsechangelog -l "$deb/changelog" -S Timestamp) + 60))
  {
    printf 'mediagate (%s) bookworm; urgency=medium\n\n' "$version"
    printf '  * Build of version %s from the sources of %s.\n\n' "$version" "$base"
    printf ' -- %s  %s\n\n' "$(dpkg-parsechangelog -l "$deb/changelog" -S Maintainer)" \
      "$(LC_ALL=C date -u -R -d "@$when")"
    cat "$deb/changelog"
  } >"$changelog"
fi
# Every timestamp in the package is the date of its changelog's top entry.
SOURCE_DATE_EPOCH=$(dpkg-parsechangelog -l "$changelog" -S Timestamp)
export SOURCE_DATE_EPOCH
cp "$deb/control" "$work/debian/control"

# Files.
install -d "$root/usr/bin" "$root/lib/systemd/system" "$root/etc/mediagate" \
  "$root/usr/share/doc/mediagate" "$root/usr/share/man/man1" "$root/usr/share/lintian/overrides"
scripts/build.sh "$root/usr/bin/mediagate" "$version"
strip --remove-section=.comment --remove-section=.note --strip-unneeded "$root/usr/bin/mediagate"
install -m 0644 systemd/mediagate.service systemd/mediagate.socket systemd/mediagate-turn.socket \
  "$root/lib/systemd/system/"
install -m 0640 configs/mediagate.toml "$root/etc/mediagate/mediagate.toml"
install -m 0644 "$deb/copyright" "$root/usr/share/doc/mediagate/copyright"
gzip -9n <"$changelog" >"$root/usr/share/doc/mediagate/changelog.gz"
gzip -9n <"$deb/mediagate.1" >"$root/usr/share/man/man1/mediagate.1.gz"
install -m 0644 "$deb/lintian-overrides" "$root/usr/share/lintian/overrides/mediagate"

# Control area.
install -m 0755 "$deb/postinst" "$deb/prerm" "$deb/postrm" "$root/DEBIAN/"
install -m 0644 "$deb/conffiles" "$root/DEBIAN/conffiles"
(cd "$work" && dpkg-shlibdeps -Tdebian/substvars debian/mediagate/usr/bin/mediagate)
echo 'misc:Depends=' >>"$work/debian/substvars"
(cd "$work" && dpkg-gencontrol -pmediagate -v"$version" -Pdebian/mediagate -Tdebian/substvars \
  -cdebian/control -ldebian/changelog -fdebian/files)
(cd "$root" && find . -path ./DEBIAN -prune -o -type f -printf '%P\0' | LC_ALL=C sort -z |
  xargs -0 md5sum >DEBIAN/md5sums)
chmod 0644 "$root/DEBIAN/md5sums" "$root/DEBIAN/control"

find "$root" -exec touch --no-dereference --date="@$SOURCE_DATE_EPOCH" {} +
out="$outdir/mediagate_${version}_${arch}.deb"
dpkg-deb --root-owner-group -Zxz --build "$root" "$out" >/dev/null
echo "$out"
cd "$top"
