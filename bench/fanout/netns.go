package main

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
)

// Names of everything the benchmark creates in the kernel carry these
// prefixes and the benchmark's pid, so a later run can find and remove what a
// crashed run left behind.
const (
	nsPrefix     = "mgbench-" // network namespace: mgbench-<pid>
	hostIfPrefix = "mgbh"     // veth end in the host namespace: mgbh<pid>
	nsIfPrefix   = "mgbn"     // veth end inside the namespace: mgbn<pid>
)

// netns is the network namespace Janus runs in, joined to the host by a veth
// pair with a /30 from 10.77.0.0/16 (the benchmark's own test hosts; no other
// non-loopback address is ever used). Janus needs it because it gathers no
// loopback ICE candidates.
type netns struct {
	name   string
	hostIf string
	nsIf   string
	hostIP netip.Addr // 10.77.x.1, on hostIf
	nsIP   netip.Addr // 10.77.x.2, on nsIf
	log    *slog.Logger
}

// setupNetns creates the namespace, the veth pair and their addresses, and
// brings every link (lo inside too) up. On error it removes what it made.
func setupNetns(ctx context.Context, log *slog.Logger) (*netns, error) {
	pid := os.Getpid()
	x, err := freeSubnet(pid)
	if err != nil {
		return nil, err
	}
	n := &netns{
		name:   nsPrefix + strconv.Itoa(pid),
		hostIf: hostIfPrefix + strconv.Itoa(pid),
		nsIf:   nsIfPrefix + strconv.Itoa(pid),
		hostIP: netip.AddrFrom4([4]byte{10, 77, x, 1}),
		nsIP:   netip.AddrFrom4([4]byte{10, 77, x, 2}),
		log:    log.With("netns", nsPrefix+strconv.Itoa(pid)),
	}
	steps := [][]string{
		{"netns", "add", n.name},
		{"link", "add", n.hostIf, "type", "veth", "peer", "name", n.nsIf},
		{"link", "set", n.nsIf, "netns", n.name},
		{"addr", "add", n.hostIP.String() + "/30", "dev", n.hostIf},
		{"link", "set", n.hostIf, "up"},
		{"-n", n.name, "addr", "add", n.nsIP.String() + "/30", "dev", n.nsIf},
		{"-n", n.name, "link", "set", n.nsIf, "up"},
		{"-n", n.name, "link", "set", "lo", "up"},
	}
	for _, args := range steps {
		if err := ipCmd(ctx, args...); err != nil {
			n.close(ctx)
			return nil, err
		}
	}
	n.log.Info("network namespace ready", "host", n.hostIP, "janus", n.nsIP)
	return n, nil
}

// exec returns argv prefixed to run inside the namespace. `ip netns exec`
// execs the command in place, so the pid of the started process is the pid
// of the command itself.
func (n *netns) exec(argv ...string) []string {
	return append([]string{"ip", "netns", "exec", n.name}, argv...)
}

// close deletes the veth pair and the namespace. Errors are logged: close
// runs during cleanup, where there is nothing better to do with them.
func (n *netns) close(ctx context.Context) {
	if err := ipCmd(ctx, "link", "del", n.hostIf); err != nil && linkExists(n.hostIf) {
		n.log.Warn("delete veth", "err", err)
	}
	if err := ipCmd(ctx, "netns", "del", n.name); err != nil && nsExists(ctx, n.name) {
		n.log.Warn("delete namespace", "err", err)
	}
}

// cleanStale removes namespaces and veth links left by benchmark runs whose
// process is gone, killing any process (a stale Janus) still inside them.
func cleanStale(ctx context.Context, log *slog.Logger) {
	out, err := exec.CommandContext(ctx, "ip", "netns", "list").Output()
	if err != nil {
		log.Warn("list namespaces", "err", err)
	}
	for _, line := range strings.Split(string(out), "\n") {
		name, _, _ := strings.Cut(strings.TrimSpace(line), " ")
		if owner, ok := stalePID(name, nsPrefix); ok {
			killNamespace(ctx, name, log)
			log.Info("removed stale namespace", "netns", name, "owner", owner)
		}
	}
	ifs, err := net.Interfaces()
	if err != nil {
		log.Warn("list interfaces", "err", err)
	}
	for _, ifc := range ifs {
		if _, ok := stalePID(ifc.Name, hostIfPrefix); ok {
			if err := ipCmd(ctx, "link", "del", ifc.Name); err != nil {
				log.Warn("delete stale veth", "link", ifc.Name, "err", err)
			}
		}
	}
}

// maxPID is the largest pid Linux hands out (PID_MAX_LIMIT on 64-bit).
const maxPID = 1 << 22

// stalePID reports whether name is prefix+<pid> for a pid that no longer
// runs, and that pid.
func stalePID(name, prefix string) (int, bool) {
	rest, ok := strings.CutPrefix(name, prefix)
	if !ok {
		return 0, false
	}
	pid, err := strconv.Atoi(rest)
	if err != nil || pid <= 0 || pid > maxPID {
		return 0, false
	}
	if pid == os.Getpid() {
		return pid, false
	}
	err = syscall.Kill(pid, 0)
	return pid, err == syscall.ESRCH
}

// killNamespace kills the processes in a stale namespace and deletes it.
func killNamespace(ctx context.Context, name string, log *slog.Logger) {
	out, _ := exec.CommandContext(ctx, "ip", "netns", "pids", name).Output()
	for _, f := range strings.Fields(string(out)) {
		if pid, err := strconv.Atoi(f); err == nil {
			_ = syscall.Kill(pid, syscall.SIGKILL)
		}
	}
	if err := ipCmd(ctx, "netns", "del", name); err != nil {
		log.Warn("delete stale namespace", "netns", name, "err", err)
	}
}

// freeSubnet picks x so that 10.77.x.0/30 overlaps no address on the host,
// starting from a value derived from pid so parallel runs differ.
func freeSubnet(pid int) (byte, error) {
	addrs, err := net.InterfaceAddrs()
	if err != nil {
		return 0, fmt.Errorf("list addresses: %w", err)
	}
	used := map[byte]bool{}
	for _, a := range addrs {
		if p, err := netip.ParsePrefix(a.String()); err == nil {
			if b := p.Addr().As16(); p.Addr().Is4() && b[12] == 10 && b[13] == 77 {
				used[b[14]] = true
			}
		}
	}
	for i := range 250 {
		x := byte((pid+i)%250 + 1)
		if !used[x] {
			return x, nil
		}
	}
	return 0, errNoSubnet
}

// ipCmd runs ip(8) with args and returns its output in the error if it fails.
func ipCmd(ctx context.Context, args ...string) error {
	out, err := exec.CommandContext(ctx, "ip", args...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("ip %s: %w: %s", strings.Join(args, " "), err, strings.TrimSpace(string(out)))
	}
	return nil
}

// linkExists reports whether a network interface named name exists.
func linkExists(name string) bool {
	_, err := net.InterfaceByName(name)
	return err == nil
}

// nsExists reports whether a network namespace named name exists.
func nsExists(ctx context.Context, name string) bool {
	return exec.CommandContext(ctx, "ip", "netns", "pids", name).Run() == nil
}
