// Package systest holds mediagate's system tests: they build the Debian
// package and the signed apt repositories the way a release does (make deb,
// make repo), check the build (hardening-check, lintian, reproducibility)
// and the unit (systemd-analyze security), then boot a Debian bookworm
// root under systemd-nspawn, install mediagate from its repository with
// apt, and operate it as an administrator would: reload good and broken
// configs while a viewer watches, trip the watchdog, upgrade, purge.
//
// It sits outside the packet path: it drives the whole product from
// outside, over the container's private veth link.
//
// The tests need root (debootstrap, mounts, systemd-nspawn) and skip
// without it, and with -short. The bookworm root is built once with
// debootstrap (scripts/systest-root.sh) and cached in
// /var/cache/mediagate-test ($MEDIAGATE_TEST_CACHE); each run boots an
// overlay of it, so the cache never changes. Only set-up reaches outside
// hosts, and only the Debian mirror the host's apt uses; the booted
// container has no network but its link to the test.
package systest
