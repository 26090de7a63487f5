#!/usr/bin/env bash
# Builds the signed apt repository of one mediagate release: one repository
# per version, so that an operator pins a version by its URL.
#
#   MEDIAGATE_SIGNING_KEY=<key id> scripts/build-repo.sh REPODIR DEB
#
# writes REPODIR/<version>/ (the version is DEB's):
#   pool/main/m/mediagate/DEB
#   dists/bookworm/main/binary-<arch>/Packages{,.gz}
#   dists/bookworm/Release, InRelease (clear-signed), Release.gpg (detached)
#   mediagate.gpg   the public key, for /usr/share/keyrings/mediagate.gpg
# and serves as
#   deb [signed-by=/usr/share/keyrings/mediagate.gpg] <URL of REPODIR>/<version> bookworm main
#
# MEDIAGATE_SIGNING_KEY names the signing key (fingerprint, long ID or
# e-mail) in gpg's keyring, $GNUPGHOME when set. A repository already built
# for the version is replaced.
set -euo pipefail

repodir=${1:?usage: $0 REPODIR DEB}
debfile=${2:?usage: $0 REPODIR DEB}
key=${MEDIAGATE_SIGNING_KEY:?set MEDIAGATE_SIGNING_KEY to the signing key (see docs/packaging.md)}
suite=bookworm
version=$(dpkg-deb -f "$debfile" Version)
arch=$(dpkg-deb -f "$debfile" Architecture)

dir=$repodir/$version
rm -rf "$dir"
mkdir -p "$dir/pool/main/m/mediagate" "$dir/dists/$suite/main/binary-$arch"
cp "$debfile" "$dir/pool/main/m/mediagate/"

cd "$dir"
apt-ftparchive packages pool >"dists/$suite/main/binary-$arch/Packages"
gzip -9n -k "dists/$suite/main/binary-$arch/Packages"
apt-ftparchive \
  -o APT::FTPArchive::Release::Origin=mediagate \
  -o APT::FTPArchive::Release::Label=mediagate \
  -o APT::FTPArchive::Release::Suite=$suite \
  -o APT::FTPArchive::Release::Codename=$suite \
  -o APT::FTPArchive::Release::Architectures="$arch" \
  -o APT::FTPArchive::Release::Components=main \
  -o APT::FTPArchive::Release::Description="mediagate $version" \
  release "dists/$suite" >Release.tmp
mv Release.tmp "dists/$suite/Release"
gpg --batch --yes --local-user "$key" --clearsign -o "dists/$suite/InRelease" "dists/$suite/Release"
gpg --batch --yes --local-user "$key" --armor --detach-sign -o "dists/$suite/Release.gpg" "dists/$suite/Release"
gpg --batch --yes --export "$key" >mediagate.gpg
echo "$dir"
