package systest

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestMakeRunOnBareBookworm follows the README's first command on a Debian
// 12 that has no Go: an overlay of the cached debootstrapped bookworm
// (minbase, no go anywhere), the source tree copied in as a clone would
// have it, and `make` installed as the README says; then the set-up half
// of `make run` (make deps-run build) must install the Go toolchain go.mod
// names from the Go module proxy, check its pinned hash, install the
// build's Debian packages, and build bin/mediagate, which then checks the
// shipped config. It shares the host's network (apt's mirror, the Go
// module proxy) and the host's local certificate authorities (a network
// that inspects TLS needs its own trusted, on any machine in it), and
// nothing else: no Go, no module or build cache.
func TestMakeRunOnBareBookworm(t *testing.T) {
	needRoot(t)
	src, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	lower := filepath.Join(cacheDir(), "bookworm")
	start := time.Now()
	if _, err := command(src, nil, "scripts/systest-root.sh", lower); err != nil {
		t.Fatal(err)
	}
	c := &container{t: t}
	c.mountOverlay(lower)
	for _, p := range []string{"usr/local/go", "usr/bin/go", "usr/lib/go"} {
		if _, err := os.Lstat(filepath.Join(c.dir, p)); !os.IsNotExist(err) {
			t.Fatalf("the bare root has /%s (%v)", p, err)
		}
	}
	copyTree(t, src, filepath.Join(c.dir, "src/mediagate"))
	copyLocalCAs(t, c.dir)
	t.Logf("root and sources ready in %v", time.Since(start).Round(time.Millisecond))

	script := `
		if command -v go; then echo "go is already there"; exit 1; fi
		apt-get update -qq
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends make >/dev/null
		cd /src/mediagate
		make deps-run build
		bin/mediagate version
		bin/mediagate check-config -c configs/mediagate.toml
		/usr/local/go/bin/go version
	`
	out := nspawn(t, c.dir, script)
	want := strings.TrimPrefix(goModVersion(t, src), "go")
	for _, line := range []string{"installing Go " + want + " (go.mod) in /usr/local/go",
		"installed: go version go" + want + " linux/", "mediagate "} {
		if !strings.Contains(out, line) {
			t.Errorf("the output lacks %q:\n%s", line, tail(out))
		}
	}
	t.Logf("make deps-run build on a bare bookworm: %v", time.Since(start).Round(time.Second))
}

// copyLocalCAs copies the host's local certificate authorities
// (/usr/local/share/ca-certificates) into root, where Debian's
// ca-certificates, once installed, adds them to the trusted set.
func copyLocalCAs(t *testing.T, root string) {
	t.Helper()
	const dir = "/usr/local/share/ca-certificates"
	entries, err := os.ReadDir(dir)
	if err != nil {
		return // none
	}
	if err := os.MkdirAll(filepath.Join(root, dir), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if e.Type().IsRegular() && strings.HasSuffix(e.Name(), ".crt") {
			b, err := os.ReadFile(filepath.Join(dir, e.Name()))
			if err != nil {
				t.Fatal(err)
			}
			writeFile(t, filepath.Join(root, dir, e.Name()), string(b))
		}
	}
}

// goModVersion returns the toolchain go.mod names ("go1.26.8").
func goModVersion(t *testing.T, src string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(src, "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	var goLine, toolchain string
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "go "); ok {
			goLine = "go" + strings.TrimSpace(v)
		}
		if v, ok := strings.CutPrefix(line, "toolchain "); ok {
			toolchain = strings.TrimSpace(v)
		}
	}
	if toolchain != "" {
		return toolchain
	}
	return goLine
}

// copyTree copies the files git tracks in src (as they are in the work
// tree) to dst, the way a clone has them.
func copyTree(t *testing.T, src, dst string) {
	t.Helper()
	cmd := exec.Command("sh", "-c", `git ls-files -z | tar --null -T - --ignore-failed-read -cf - | tar -xf - -C "$1"`, "sh", dst)
	cmd.Dir = src
	if err := os.MkdirAll(dst, 0o755); err != nil {
		t.Fatal(err)
	}
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("copying the sources: %v\n%s", err, out)
	}
}

// nspawn runs script in root under systemd-nspawn, sharing the host's
// network (for apt and the Go module proxy), and returns its output; it
// fails the test if the script fails.
func nspawn(t *testing.T, root, script string) string {
	t.Helper()
	name := fmt.Sprintf("mgbare%d", os.Getpid()%100000)
	out, err := command("/", nil, "systemd-nspawn", "-q", "-D", root, "-M", name, "--register=no", "--keep-unit",
		"--as-pid2", "--setenv=PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
		"--setenv=HOME=/root", "sh", "-c", "exec 2>&1\nset -ex\n"+script)
	if err != nil {
		t.Fatalf("in the bare bookworm: %v", err)
	}
	return out
}

// TestToolchainPinned checks, without root or network, that
// scripts/go-toolchain.sum pins the toolchain go.mod names for amd64 and
// arm64: a go.mod that moves to a new release without its pin would make
// scripts/install-go.sh refuse to install Go on a bare machine.
func TestToolchainPinned(t *testing.T) {
	src, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(src, "scripts/go-toolchain.sum"))
	if err != nil {
		t.Fatal(err)
	}
	v := goModVersion(t, src)
	for _, arch := range []string{"amd64", "arm64"} {
		prefix := fmt.Sprintf("golang.org/toolchain v0.0.1-%s.linux-%s h1:", v, arch)
		found := false
		for _, line := range strings.Split(string(b), "\n") {
			found = found || (strings.HasPrefix(line, prefix) && len(line) == len(prefix)+44)
		}
		if !found {
			t.Errorf("scripts/go-toolchain.sum has no %q line (see scripts/install-go.sh)", prefix+"…")
		}
	}
}
