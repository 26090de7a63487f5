package gateway

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"
)

// netnsChildEnv marks the copy of the test binary that runs inside the
// namespace TestTURNAttacksInNamespace creates.
const netnsChildEnv = "MEDIAGATE_TURN_NETNS_CHILD"

// The namespace's addresses. ice0 carries the gateway (ICE, HTTP, ingest,
// TURN); tgt0 and lo carry the targets an attacker would relay to.
const (
	nsICE4, nsICE6 = "10.77.0.1", "fd77::1"
	nsPrivate      = "10.88.0.1"
	nsPrivate6     = "fd88::1"
	nsLinkLocal    = "169.254.7.7"
	nsLinkLocal6   = "fe80::99"
	nsMetadata     = "169.254.169.254"
	nsTargetPort   = 9999
	nsHTTPPort     = 8080
	nsIngestPort   = 5004
	nsICEPort      = 8189
	nsTURNPort     = 3478
)

// TestTURNAttacksInNamespace attacks the built-in TURN server of a real
// gateway inside a network namespace the test creates and removes, so that
// even a wrong answer cannot send a packet anywhere else. The namespace
// holds only lo and two dummy interfaces with the gateway's address, a
// private, a link-local and the cloud metadata address. CreatePermission
// and ChannelBind toward each of them (and their IPv4-mapped and embedding
// IPv6 forms) must be refused; data sent through a permitted allocation to
// the gateway's HTTP port, a camera ingest port or another port of its ICE
// address must be dropped and counted; no listener standing in for a
// target may receive anything.
func TestTURNAttacksInNamespace(t *testing.T) {
	if os.Getenv(netnsChildEnv) == "1" {
		attackInNamespace(t)
		return
	}
	if testing.Short() {
		t.Skip("network-namespace test: run without -short")
	}
	if os.Geteuid() != 0 {
		t.Skip("needs root to create a network namespace (CI runs the suite as root)")
	}
	ns := newAttackNamespace(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "ip", "netns", "exec", ns, os.Args[0],
		"-test.run=^TestTURNAttacksInNamespace$", "-test.v", "-test.count=1")
	cmd.Env = append(os.Environ(), netnsChildEnv+"=1")
	out, err := cmd.CombinedOutput()
	t.Logf("inside %s:\n%s", ns, out)
	if err != nil {
		t.Fatalf("the attacks inside the namespace failed: %v", err)
	}
	if !strings.Contains(string(out), "--- PASS: TestTURNAttacksInNamespace") {
		t.Fatal("the test inside the namespace did not run")
	}
}

// newAttackNamespace creates the namespace and its interfaces, and removes
// it when the test ends.
func newAttackNamespace(t *testing.T) string {
	t.Helper()
	ns := fmt.Sprintf("mgturn%d", os.Getpid())
	ip := func(args ...string) {
		t.Helper()
		if out, err := exec.Command("ip", args...).CombinedOutput(); err != nil {
			t.Fatalf("ip %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
	ip("netns", "add", ns)
	t.Cleanup(func() { _ = exec.Command("ip", "netns", "del", ns).Run() })
	addLinks(t, ns)
	for _, args := range [][]string{
		{"link", "set", "lo", "up"},
		{"addr", "add", nsICE4 + "/32", "dev", "ice0"},
		{"addr", "add", nsICE6 + "/128", "dev", "ice0", "nodad"},
		{"link", "set", "ice0", "up"},
		{"addr", "add", nsPrivate + "/32", "dev", "tgt0"},
		{"addr", "add", nsLinkLocal + "/32", "dev", "tgt0"},
		{"addr", "add", nsMetadata + "/32", "dev", "tgt0"},
		{"addr", "add", nsPrivate6 + "/128", "dev", "tgt0", "nodad"},
		{"addr", "add", nsLinkLocal6 + "/64", "dev", "tgt0", "nodad"},
		{"link", "set", "tgt0", "up"},
	} {
		ip(append([]string{"-n", ns}, args...)...)
	}
	return ns
}

// addLinks creates the interfaces ice0 and tgt0 inside ns: dummy
// interfaces, or where the kernel has no dummy driver, the two ends of one
// veth pair, both inside the namespace.
func addLinks(t *testing.T, ns string) {
	t.Helper()
	dummy := exec.Command("ip", "-n", ns, "link", "add", "ice0", "type", "dummy").Run() == nil &&
		exec.Command("ip", "-n", ns, "link", "add", "tgt0", "type", "dummy").Run() == nil
	if dummy {
		return
	}
	_ = exec.Command("ip", "-n", ns, "link", "del", "ice0").Run()
	out, err := exec.Command("ip", "-n", ns, "link", "add", "ice0", "type", "veth", "peer", "name", "tgt0").CombinedOutput()
	if err != nil {
		t.Fatalf("neither dummy nor veth interfaces: %v\n%s", err, out)
	}
	t.Log("no dummy driver: ice0 and tgt0 are the two ends of a veth pair inside the namespace")
}

// checkInsideNamespace refuses to run the attacks anywhere but in the
// namespace: it must hold exactly lo, ice0 and tgt0.
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
	if strings.Join(names, ",") != "ice0,lo,tgt0" {
		t.Fatalf("refusing to attack outside the test's namespace (interfaces %v)", names)
	}
}

// attackInNamespace runs inside the namespace: a gateway on ice0, listeners
// standing in for the targets, and the attacks.
func attackInNamespace(t *testing.T) {
	checkInsideNamespace(t)
	listeners := standIns(t)
	cfg := testConfig(t, fmt.Sprintf(`
[turn]
enabled = true
udp_listen = ["%[1]s:%[3]d", "[%[2]s]:%[3]d"]
tcp_listen = ["%[1]s:%[3]d"]
relay_ports = %[4]q

[[stream]]
name = "cam"
listen = "%[1]s:%[5]d"
  [stream.video]
  codec = "vp8"
  payload_type = 97
`, nsICE4, nsICE6, nsTURNPort, testRelayPorts, nsIngestPort))
	cfg.HTTP.Listen = fmt.Sprintf("%s:%d", nsICE4, nsHTTPPort)
	cfg.WebRTC.UDPPort, cfg.WebRTC.Interfaces, cfg.WebRTC.IncludeLoopback = nsICEPort, []string{"ice0"}, false
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	gw := startGateway(t, cfg)
	links := linksFrom(t, gw.URL+"/whep/cam")

	a := newAttacker(t, gw, links)
	a.refusedPermissions(t, "udp", nsICE4, []string{
		"127.0.0.1", nsPrivate, nsLinkLocal, nsMetadata, "0.0.0.0", "10.77.0.2",
		"::ffff:127.0.0.1", "::ffff:" + nsMetadata, "::ffff:" + nsPrivate,
	})
	a.refusedPermissions(t, "udp", nsICE6, []string{
		"::1", nsPrivate6, nsLinkLocal6, "::ffff:127.0.0.1", "::127.0.0.1",
		"64:ff9b::a9fe:a9fe", "64:ff9b::7f00:1", "2002:7f00:1::1", "::",
	})
	a.wrongPorts(t, "udp", nsICE4)
	a.wrongPorts(t, "tcp", nsICE4)
	a.wrongPorts(t, "udp", nsICE6)

	time.Sleep(300 * time.Millisecond) // let anything in flight land
	for addr, l := range listeners {
		if got, _ := readOne(l, 50*time.Millisecond); got != nil {
			t.Errorf("the listener standing in for %s received %q", addr, got)
		}
	}
	ingest := metricSum(t, gw.Gateway, "mediagate_ingest_packets_total") + metricSum(t, gw.Gateway, "mediagate_ingest_dropped_total")
	if ingest != 0 {
		t.Errorf("the camera ingest port saw %v datagrams", ingest)
	}
	a.checkCounted(t)
}

// standIns binds a UDP listener on every target and on the gateway's own
// ports a relay must not reach (the ingest port is the gateway's own
// socket, watched through its metrics).
func standIns(t *testing.T) map[string]*net.UDPConn {
	t.Helper()
	out := make(map[string]*net.UDPConn)
	addrs := []string{
		fmt.Sprintf("127.0.0.1:%d", nsTargetPort), fmt.Sprintf("[::1]:%d", nsTargetPort),
		fmt.Sprintf("%s:%d", nsPrivate, nsTargetPort), fmt.Sprintf("%s:%d", nsLinkLocal, nsTargetPort),
		fmt.Sprintf("%s:%d", nsMetadata, nsTargetPort), fmt.Sprintf("%s:80", nsMetadata),
		fmt.Sprintf("[%s]:%d", nsPrivate6, nsTargetPort), fmt.Sprintf("[%s%%tgt0]:%d", nsLinkLocal6, nsTargetPort),
		fmt.Sprintf("%s:%d", nsICE4, nsHTTPPort), fmt.Sprintf("%s:%d", nsICE4, nsTargetPort),
		fmt.Sprintf("[%s]:%d", nsICE6, nsTargetPort),
	}
	for _, a := range addrs {
		ua, err := net.ResolveUDPAddr("udp", a)
		if err != nil {
			t.Fatal(err)
		}
		c, err := net.ListenUDP("udp", ua)
		if err != nil {
			t.Fatalf("stand-in %s: %v", a, err)
		}
		t.Cleanup(func() { _ = c.Close() })
		out[a] = c
	}
	return out
}

// linksFrom fetches the ice-server links of a plain OPTIONS.
func linksFrom(t *testing.T, endpoint string) []iceLink {
	t.Helper()
	req, err := http.NewRequest(http.MethodOptions, endpoint, nil)
	if err != nil {
		t.Fatal(err)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	return iceLinks(t, res.Header)
}

// readOne reads one datagram within wait, or returns nil.
func readOne(c *net.UDPConn, wait time.Duration) ([]byte, netip.AddrPort) {
	buf := make([]byte, 2048)
	_ = c.SetReadDeadline(time.Now().Add(wait))
	n, from, err := c.ReadFromUDPAddrPort(buf)
	if err != nil {
		return nil, netip.AddrPort{}
	}
	return buf[:n], from
}

// metricSum adds up every series of a metric.
func metricSum(t *testing.T, g *Gateway, name string) float64 {
	t.Helper()
	mfs, err := g.reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	sum := 0.0
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
		for _, m := range mf.GetMetric() {
			if c := m.GetCounter(); c != nil {
				sum += c.GetValue()
			} else {
				sum += m.GetGauge().GetValue()
			}
		}
	}
	return sum
}
