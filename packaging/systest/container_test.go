package systest

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// cacheDir holds the debootstrapped root between runs.
func cacheDir() string {
	if d := os.Getenv("MEDIAGATE_TEST_CACHE"); d != "" {
		return d
	}
	return "/var/cache/mediagate-test"
}

// container is a Debian bookworm system booted under systemd-nspawn on an
// overlay of the cached root, with a private veth link to the test.
type container struct {
	t      *testing.T
	name   string
	dir    string // the overlay's mount point, the container's /
	nspawn *exec.Cmd
	pid1   int        // the container's systemd, as the host sees it
	host   netip.Addr // the test's end of the link
	addr   netip.Addr // the container's end
	out    *lockedBuffer
}

// bootContainer sets up the cached root (installing packages into it),
// mounts an overlay, lets prepare write into it, boots it with the given
// extra nspawn arguments and addresses its link.
func bootContainer(t *testing.T, b *builds, packages []string, prepare func(root string), args ...string) *container {
	t.Helper()
	lower := filepath.Join(cacheDir(), "bookworm")
	start := time.Now()
	if _, err := command(b.root, nil, "scripts/systest-root.sh", append([]string{lower}, packages...)...); err != nil {
		t.Fatal(err)
	}
	t.Logf("cached root ready in %v", time.Since(start).Round(time.Millisecond))
	c := &container{t: t, name: fmt.Sprintf("mgsys%d", os.Getpid()%100000), out: &lockedBuffer{}}
	c.mountOverlay(lower)
	prepare(c.dir)
	c.boot(args)
	c.link()
	t.Logf("container %s booted in %v", c.name, time.Since(start).Round(time.Millisecond))
	return c
}

// mountOverlay mounts a writable overlay of lower at c.dir.
func (c *container) mountOverlay(lower string) {
	tmp := c.t.TempDir()
	upper, work := filepath.Join(tmp, "upper"), filepath.Join(tmp, "work")
	c.dir = filepath.Join(tmp, "root")
	for _, d := range []string{upper, work, c.dir} {
		if err := os.Mkdir(d, 0o755); err != nil {
			c.t.Fatal(err)
		}
	}
	opts := "lowerdir=" + lower + ",upperdir=" + upper + ",workdir=" + work
	if err := syscall.Mount("overlay", c.dir, "overlay", 0, opts); err != nil {
		c.t.Fatalf("mount overlay: %v", err)
	}
	c.t.Cleanup(func() {
		if err := syscall.Unmount(c.dir, 0); err != nil {
			_ = syscall.Unmount(c.dir, syscall.MNT_DETACH)
		}
	})
}

// boot starts systemd-nspawn and waits until the container's systemd has
// finished starting up.
func (c *container) boot(args []string) {
	argv := append([]string{"-D", c.dir, "-M", c.name, "--register=no", "--keep-unit", "--boot",
		"--network-veth", "--console=pipe"}, args...)
	c.nspawn = exec.Command("systemd-nspawn", argv...)
	c.nspawn.Stdout, c.nspawn.Stderr = c.out, c.out
	c.nspawn.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := c.nspawn.Start(); err != nil {
		c.t.Fatal(err)
	}
	c.t.Cleanup(c.stop)
	deadline := time.Now().Add(30 * time.Second)
	for c.pid1 == 0 {
		if time.Now().After(deadline) {
			c.t.Fatalf("systemd-nspawn started no init:\n%s", c.out.String())
		}
		time.Sleep(100 * time.Millisecond)
		c.pid1 = childOf(c.nspawn.Process.Pid)
	}
	// systemctl fails until the container's bus is up; --wait then waits
	// for start-up to finish.
	state := ""
	for time.Now().Before(deadline) && state != "running" && state != "degraded" {
		out, _ := c.exec(30*time.Second, "systemctl", "is-system-running", "--wait")
		state = strings.TrimSpace(out)
		time.Sleep(100 * time.Millisecond)
	}
	if state != "running" && state != "degraded" {
		c.t.Fatalf("container state %q\n%s", state, c.out.String())
	}
}

// childOf returns the first child of pid, or 0.
func childOf(pid int) int {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/task/%d/children", pid, pid))
	if err != nil {
		return 0
	}
	f := strings.Fields(string(b))
	if len(f) == 0 {
		return 0
	}
	n, _ := strconv.Atoi(f[0])
	return n
}

// link addresses both ends of the veth pair with a /30 that no host
// interface uses, and brings them up.
func (c *container) link() {
	prefix := freeSubnet(c.t)
	c.host, c.addr = prefix.Addr().Next(), prefix.Addr().Next().Next()
	hostIf := "ve-" + c.name
	for _, args := range [][]string{
		{"ip", "addr", "add", c.host.String() + "/30", "dev", hostIf},
		{"ip", "link", "set", hostIf, "up"},
		{"nsenter", "-t", strconv.Itoa(c.pid1), "-n", "ip", "addr", "add", c.addr.String() + "/30", "dev", "host0"},
		{"nsenter", "-t", strconv.Itoa(c.pid1), "-n", "ip", "link", "set", "host0", "up"},
		{"nsenter", "-t", strconv.Itoa(c.pid1), "-n", "ip", "link", "set", "lo", "up"},
	} {
		if _, err := command("/", nil, args[0], args[1:]...); err != nil {
			c.t.Fatal(err)
		}
	}
}

// freeSubnet picks a /30 in 10.251.0.0/16 that no host address is in.
func freeSubnet(t *testing.T) netip.Prefix {
	t.Helper()
	addrs, err := net.InterfaceAddrs()
	if err != nil {
		t.Fatal(err)
	}
	for range 100 {
		p := netip.PrefixFrom(netip.AddrFrom4([4]byte{10, 251, byte(rand.IntN(256)), byte(rand.IntN(64) * 4)}), 30)
		free := true
		for _, a := range addrs {
			if n, ok := a.(*net.IPNet); ok {
				if ip, ok := netip.AddrFromSlice(n.IP); ok && p.Contains(ip.Unmap()) {
					free = false
				}
			}
		}
		if free {
			return p
		}
	}
	t.Fatal("no free /30 in 10.251.0.0/16")
	return netip.Prefix{}
}

// exec runs a command inside the container and returns its output
// (standard output and error together) and error.
func (c *container) exec(timeout time.Duration, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, "nsenter", append([]string{"-t", strconv.Itoa(c.pid1), "-a"}, args...)...)
	cmd.Env = []string{"PATH=/usr/sbin:/usr/bin:/sbin:/bin", "LANG=C.UTF-8", "DEBIAN_FRONTEND=noninteractive",
		"SYSTEMD_PAGER=", "SYSTEMD_COLORS=0"}
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	return out.String(), err
}

// sh runs a shell script inside the container and fails the test if it
// fails.
func (c *container) sh(script string) string {
	c.t.Helper()
	out, err := c.exec(5*time.Minute, "sh", "-ec", script)
	if err != nil {
		c.t.Fatalf("in the container: %s\n%v\n%s", script, err, out)
	}
	return out
}

// show returns systemd's properties of unit.
func (c *container) show(unit string, props ...string) map[string]string {
	c.t.Helper()
	out := c.sh("systemctl show " + unit + " -p " + strings.Join(props, ","))
	m := make(map[string]string)
	for _, line := range strings.Split(out, "\n") {
		if k, v, ok := strings.Cut(line, "="); ok {
			m[k] = v
		}
	}
	return m
}

// waitFor polls cond every 200 ms until it holds, failing after timeout.
func (c *container) waitFor(what string, timeout time.Duration, cond func() bool) {
	c.t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			c.t.Fatalf("%s: not within %v\n%s", what, timeout, c.journal())
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// journal returns mediagate's recent journal, for failure messages.
func (c *container) journal() string {
	out, _ := c.exec(30*time.Second, "journalctl", "-u", "mediagate", "--no-pager", "-n", "60")
	return out
}

// stop halts the container (SIGTERM asks nspawn for an orderly shutdown)
// and waits for it, killing it after 30 s.
func (c *container) stop() {
	if c.nspawn.ProcessState != nil {
		return
	}
	_ = c.nspawn.Process.Signal(syscall.SIGTERM)
	done := make(chan struct{})
	go func() { _ = c.nspawn.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		_ = c.nspawn.Process.Kill()
		<-done
	}
}

// lockedBuffer collects the output of a process.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.buf.Len() > 1<<20 {
		return len(p), nil
	}
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
