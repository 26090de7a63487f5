package livekit

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// childEnv marks the copy of the test binary that runs inside the
// namespace; serverEnv carries the livekit-server binary's path to it.
const (
	childEnv  = "MEDIAGATE_LIVEKIT_NETNS_CHILD"
	serverEnv = "MEDIAGATE_LIVEKIT_SERVER"
)

// The namespace's one address, on lk0, where redis's clients, both nodes,
// mediagate and the subscriber meet.
const (
	nsAddr = "10.78.0.1"
	nsLink = "lk0"
)

// TestForwardToLiveKitCluster is issue 15's "existing distributed engine":
// mediagate forwards a camera by WHIP to node A of a two-node LiveKit
// cluster; a LiveKit subscriber connected through node B receives more than
// 60 frames of it; stopping the camera unpublishes the track; restarting
// node A makes mediagate publish again within 10 s. The whole cluster runs
// in a network namespace (see the package doc).
func TestForwardToLiveKitCluster(t *testing.T) {
	if os.Getenv(childEnv) == "1" {
		clusterInNamespace(t)
		return
	}
	if testing.Short() {
		t.Skip("network-namespace test: run without -short")
	}
	if os.Geteuid() != 0 {
		t.Skip("needs root to create a network namespace (CI runs the suite as root)")
	}
	for _, tool := range []string{"ip", "redis-server", "ffmpeg"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("%s is required (make test installs it): %v", tool, err)
		}
	}
	server := livekitServer(t)
	ns := newNamespace(t)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "ip", "netns", "exec", ns, os.Args[0],
		"-test.run=^TestForwardToLiveKitCluster$", "-test.v", "-test.count=1")
	cmd.Env = append(os.Environ(), childEnv+"=1", serverEnv+"="+server)
	start := time.Now()
	out, err := cmd.CombinedOutput()
	t.Logf("inside %s (%v):\n%s", ns, time.Since(start).Round(time.Millisecond), out)
	if err != nil {
		t.Fatalf("the cluster test inside the namespace failed: %v", err)
	}
	if !strings.Contains(string(out), "--- PASS: TestForwardToLiveKitCluster") {
		t.Fatal("the test inside the namespace did not run")
	}
}

// livekitServer returns the cached livekit-server binary, building it on
// the first run on this machine (scripts/livekit-server.sh).
func livekitServer(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	cmd := exec.Command(filepath.Join(root, "scripts", "livekit-server.sh"))
	cmd.Dir = root
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("scripts/livekit-server.sh: %v", err)
	}
	path := strings.TrimSpace(string(out))
	t.Logf("livekit-server: %s (%v)", path, time.Since(start).Round(time.Millisecond))
	return path
}

// newNamespace creates the test's namespace: lo, and a veth pair whose
// two ends both stay inside it, lk0 holding nsAddr. There is no default
// route and IPv6 is off, so every candidate anyone gathers is nsAddr. It
// is removed when the test ends, after whatever still runs in it is ended.
func newNamespace(t *testing.T) string {
	t.Helper()
	ns := fmt.Sprintf("mglk%d", os.Getpid())
	run := func(args ...string) {
		t.Helper()
		if out, err := exec.Command(args[0], args[1:]...).CombinedOutput(); err != nil {
			t.Fatalf("%s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
	run("ip", "netns", "add", ns)
	t.Cleanup(func() {
		killRemaining(t, ns)
		_ = exec.Command("ip", "netns", "del", ns).Run()
	})
	run("ip", "netns", "exec", ns, "sysctl", "-qw",
		"net.ipv6.conf.all.disable_ipv6=1", "net.ipv6.conf.default.disable_ipv6=1")
	run("ip", "-n", ns, "link", "set", "lo", "up")
	run("ip", "-n", ns, "link", "add", nsLink, "type", "veth", "peer", "name", "lk1")
	run("ip", "-n", ns, "addr", "add", nsAddr+"/24", "dev", nsLink)
	run("ip", "-n", ns, "link", "set", nsLink, "up")
	run("ip", "-n", ns, "link", "set", "lk1", "up")
	return ns
}

// killRemaining ends what the child left running in ns (it should have
// left nothing: every process it starts dies with it).
func killRemaining(t *testing.T, ns string) {
	out, _ := exec.Command("ip", "netns", "pids", ns).Output()
	for _, pid := range strings.Fields(string(out)) {
		t.Logf("process %s still in %s: killing it", pid, ns)
		_ = exec.Command("kill", "-KILL", pid).Run()
	}
}

// checkInsideNamespace refuses to run the cluster anywhere but in the
// test's namespace: exactly lo, lk0 and lk1.
func checkInsideNamespace(t *testing.T) {
	t.Helper()
	ifaces, err := net.Interfaces()
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, i := range ifaces {
		names = append(names, i.Name)
	}
	slices.Sort(names)
	if strings.Join(names, ",") != "lk0,lk1,lo" {
		t.Fatalf("refusing to run outside the test's namespace (interfaces %v)", names)
	}
}
