package doctest

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"
)

// pages are the docs pages whose marked blocks the test runs, each in a
// network namespace of its own.
var pages = []string{
	"getting-started.md",
	"configuration.md",
	"cameras.md",
	"rtp-receiver.md",
	"whep.md",
	"webhooks.md",
	"output.md",
	"whip.md",
	"instant-start.md",
}

// pageEnv names the page a child process runs; binEnv the directory of the
// bin/mediagate the parent built.
const (
	pageEnv     = "MEDIAGATE_DOCTEST_PAGE"
	binEnv      = "MEDIAGATE_DOCTEST_BIN"
	pageTimeout = 3 * time.Minute
)

// TestDocs builds bin/mediagate once, then runs every page in pages in a
// child of this test binary inside a new network namespace (unshare
// --net) that has loopback and a veth pair of its own: the pages' fixed
// ports (8080, 5004…) are free there and nothing they send can leave it.
func TestDocs(t *testing.T) {
	if page := os.Getenv(pageEnv); page != "" {
		runPage(t, page, os.Getenv(binEnv))
		return
	}
	if testing.Short() {
		t.Skip("runs the docs pages against a gateway, with ffmpeg and GStreamer")
	}
	for _, tool := range []string{"unshare", "ip", "bash", "curl", "openssl", "ffmpeg", "gst-launch-1.0"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("%s is required (make test installs it): %v", tool, err)
		}
	}
	root := moduleRoot(t)
	bin := filepath.Join(t.TempDir(), "bin")
	build := exec.Command("go", "build", "-o", filepath.Join(bin, "mediagate"), "./cmd/mediagate")
	build.Dir = root
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build ./cmd/mediagate: %v\n%s", err, out)
	}
	for _, page := range pages {
		t.Run(strings.TrimSuffix(page, ".md"), func(t *testing.T) {
			start := time.Now()
			args := []string{"--net"}
			if os.Geteuid() != 0 {
				args = append(args, "--map-root-user")
			}
			args = append(args, os.Args[0], "-test.run=^TestDocs$", "-test.v", "-test.count=1",
				"-test.timeout="+pageTimeout.String())
			ctx, cancel := context.WithTimeout(context.Background(), pageTimeout+30*time.Second)
			defer cancel()
			cmd := exec.CommandContext(ctx, "unshare", args...)
			cmd.Env = append(os.Environ(), pageEnv+"="+filepath.Join(root, "docs", page), binEnv+"="+bin)
			cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
			out, err := cmd.CombinedOutput()
			if err != nil {
				t.Errorf("%s: %v\n%s", page, err, out)
				return
			}
			t.Logf("%s passed in %v\n%s", page, time.Since(start).Round(100*time.Millisecond), out)
		})
	}
}

// runPage runs one page's steps; it is the child, inside the namespace.
func runPage(t *testing.T, page, bin string) {
	// Loopback, and a veth pair whose both ends stay in the namespace:
	// the shipped config gathers ICE candidates on a non-loopback
	// interface, as it would on a real host.
	for _, args := range [][]string{
		{"link", "set", "lo", "up"},
		{"link", "add", "doc0", "type", "veth", "peer", "name", "doc1"},
		{"addr", "add", "10.255.0.1/24", "dev", "doc0"},
		{"link", "set", "doc0", "up"},
		{"link", "set", "doc1", "up"},
	} {
		if out, err := exec.Command("ip", args...).CombinedOutput(); err != nil {
			t.Fatalf("ip %v: %v\n%s", args, err, out)
		}
	}
	text, err := os.ReadFile(page)
	if err != nil {
		t.Fatal(err)
	}
	steps, err := Parse(text)
	if err != nil {
		t.Fatalf("%s: %v", page, err)
	}
	if len(steps) == 0 {
		t.Fatalf("%s marks no runnable block", page)
	}
	dir, home := t.TempDir(), t.TempDir()
	for name, target := range map[string]string{
		"bin":     bin,
		"configs": filepath.Join(filepath.Dir(filepath.Dir(page)), "configs"),
	} {
		if err := os.Symlink(target, filepath.Join(dir, name)); err != nil {
			t.Fatal(err)
		}
	}
	r := &Runner{Dir: dir, Home: home, Log: t.Logf}
	ctx, cancel := context.WithTimeout(context.Background(), pageTimeout)
	defer cancel()
	runErr := r.Run(ctx, steps)
	closeErr := r.Close()
	if runErr != nil {
		t.Fatalf("%s:%v", filepath.Base(page), runErr)
	}
	if closeErr != nil {
		t.Fatalf("%s: %v", filepath.Base(page), closeErr)
	}
}

// moduleRoot is the directory of go.mod, two levels above this file.
func moduleRoot(t *testing.T) string {
	t.Helper()
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		t.Fatal("no caller")
	}
	return filepath.Dir(filepath.Dir(filepath.Dir(file)))
}
