package systest

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// maxExposure is the highest `systemd-analyze security` exposure the unit
// may have (Debian's coturn unit scores 9.0).
const maxExposure = 1.5

// extract unpacks deb into a new directory and returns it.
func extract(t *testing.T, deb string) string {
	t.Helper()
	dir := t.TempDir()
	if _, err := command(dir, nil, "dpkg-deb", "-x", deb, dir); err != nil {
		t.Fatal(err)
	}
	return dir
}

// TestHardening runs hardening-check on the packaged binary. Go code has
// no CET markings, so control-flow protection is not asked for
// (--nocfprotection). The stack-protector check looks for C code compiled
// with canaries; the only C code in the binary may be Go's own runtime/cgo
// and net, which opt out with -fno-stack-protector, and then there is
// nothing the check could find: it is waived, and only then.
func TestHardening(t *testing.T) {
	b := artifacts(t)
	bin := filepath.Join(extract(t, b.deb), "usr/bin/mediagate")
	args := []string{"--nocfprotection"}
	cgo, err := command(b.root, nil, "go", "list", "-deps",
		"-f", "{{if and .CgoFiles (not .Standard)}}{{.ImportPath}}{{end}}", "./cmd/mediagate")
	if err != nil {
		t.Fatal(err)
	}
	if strings.TrimSpace(cgo) == "" {
		t.Log("no cgo package of ours is linked: Go's runtime/cgo and net opt out of " +
			"stack protectors, so hardening-check runs with --nostackprotector")
		args = append(args, "--nostackprotector")
	}
	out, err := command(b.root, nil, "hardening-check", append(args, bin)...)
	t.Logf("hardening-check %s:\n%s", strings.Join(args, " "), out)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Position Independent Executable: yes", "Fortify Source functions: yes",
		"Read-only relocations: yes", "Immediate binding: yes"} {
		if !strings.Contains(out, want) {
			t.Errorf("hardening-check does not say %q", want)
		}
	}
	v, err := command(b.root, nil, bin, "version")
	if err != nil {
		t.Fatal(err)
	}
	if want := "mediagate " + b.version + "\n"; v != want {
		t.Errorf("mediagate version: %q, want %q (from packaging/deb/changelog)", v, want)
	}
}

// TestLintian runs lintian on both packages; any warning or error fails.
func TestLintian(t *testing.T) {
	b := artifacts(t)
	for _, deb := range []string{b.deb, b.deb2} {
		out, err := command(b.root, nil, "lintian", "--fail-on", "warning", "--display-info", deb)
		if err != nil || strings.TrimSpace(out) != "" {
			t.Errorf("lintian %s:\n%s%v", filepath.Base(deb), out, err)
		}
	}
}

// TestUnitSecurity scores the packaged unit with systemd-analyze security;
// a sandbox that loosens past maxExposure fails. The unit's verification
// (`systemd-analyze verify`) runs inside the container, where everything
// it names exists.
func TestUnitSecurity(t *testing.T) {
	b := artifacts(t)
	unit := filepath.Join(extract(t, b.deb), "lib/systemd/system/mediagate.service")
	out, err := command(b.root, nil, "systemd-analyze", "security", "--offline=true", "--no-pager", unit)
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`Overall exposure level for mediagate\.service: ([0-9.]+)`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("no exposure level in:\n%s", out)
	}
	exposure, err := strconv.ParseFloat(m[1], 64)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("exposure %.1f (at most %.1f)", exposure, maxExposure)
	if exposure > maxExposure {
		t.Errorf("exposure %.1f, want at most %.1f:\n%s", exposure, maxExposure, out)
	}
}

// TestDebReproducible builds the package twice, the first time with an
// empty Go build cache, and compares the two byte for byte.
func TestDebReproducible(t *testing.T) {
	b := artifacts(t)
	var debs [2][]byte
	for i, gocache := range []string{filepath.Join(t.TempDir(), "gocache"), ""} {
		dir := t.TempDir()
		var env []string
		if gocache != "" {
			env = append(env, "GOCACHE="+gocache)
		}
		if _, err := command(b.root, env, "make", "--no-print-directory", "deb", "VERSION="+b.version,
			"DEB_DIR="+dir); err != nil {
			t.Fatal(err)
		}
		deb, err := os.ReadFile(filepath.Join(dir, filepath.Base(b.deb)))
		if err != nil {
			t.Fatal(err)
		}
		debs[i] = deb
	}
	if !bytes.Equal(debs[0], debs[1]) {
		t.Errorf("two builds of %s differ (%d and %d bytes); compare them with diffoscope",
			b.version, len(debs[0]), len(debs[1]))
	}
}
