package gateway

import (
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
)

// The tbf qdisc on the sender's end of the veth pair. A burst of a few
// packets keeps the rate smooth; the latency bounds the queue (rate ×
// latency), long enough that the queue builds delay the estimator sees
// before it overflows.
const (
	rembTBFBurst   = "5000"
	rembTBFLatency = "100ms"
)

// rembNamespaces are the sender-side and gateway-side namespaces joined by
// one veth pair.
type rembNamespaces struct {
	sender, gateway string
	senderLink      string
	loss            *rembTBFLoss
}

// newREMBNamespaces creates both namespaces and the veth pair with the
// test's private addresses, and removes them when the test ends (after the
// processes inside, which the test stops first).
func newREMBNamespaces(t *testing.T) *rembNamespaces {
	t.Helper()
	ns := &rembNamespaces{
		sender:     fmt.Sprintf("mgrembs%d", os.Getpid()),
		gateway:    fmt.Sprintf("mgrembg%d", os.Getpid()),
		senderLink: "rembs0",
		loss:       &rembTBFLoss{},
	}
	for _, name := range []string{ns.sender, ns.gateway} {
		rembIP(t, "netns", "add", name)
		t.Cleanup(func() { _ = exec.Command("ip", "netns", "del", name).Run() })
	}
	rembIP(t, "link", "add", ns.senderLink, "netns", ns.sender, "type", "veth", "peer", "name", "rembg0", "netns", ns.gateway)
	for _, args := range [][]string{
		{"-n", ns.sender, "link", "set", "lo", "up"},
		{"-n", ns.sender, "addr", "add", rembSenderAddr + "/30", "dev", ns.senderLink},
		{"-n", ns.sender, "link", "set", ns.senderLink, "up"},
		{"-n", ns.gateway, "link", "set", "lo", "up"},
		{"-n", ns.gateway, "addr", "add", rembGatewayAddr + "/30", "dev", "rembg0"},
		{"-n", ns.gateway, "link", "set", "rembg0", "up"},
	} {
		rembIP(t, args...)
	}
	return ns
}

// rembIP runs ip with args and fails the test on error.
func rembIP(t *testing.T, args ...string) {
	t.Helper()
	if out, err := exec.Command("ip", args...).CombinedOutput(); err != nil {
		t.Fatalf("ip %s: %v\n%s", strings.Join(args, " "), err, out)
	}
}

// tbf adds ("add") or changes ("change") the tbf qdisc that caps the
// sender's egress toward the gateway at bps.
func (ns *rembNamespaces) tbf(t *testing.T, verb string, bps int) {
	t.Helper()
	args := []string{"netns", "exec", ns.sender, "tc", "qdisc", verb, "dev", ns.senderLink, "root", "tbf",
		"rate", fmt.Sprintf("%dbit", bps), "burst", rembTBFBurst, "latency", rembTBFLatency}
	if out, err := exec.Command("ip", args...).CombinedOutput(); err != nil {
		t.Fatalf("tc qdisc %s: %v\n%s", verb, err, out)
	}
}

// rembTBFLoss accumulates the tbf qdisc's sent and dropped packet counts,
// across a counter reset should a change bring one.
type rembTBFLoss struct {
	sent, dropped         int64
	lastSent, lastDropped int64
}

// read adds what the qdisc counted since the last read.
func (l *rembTBFLoss) read(t *testing.T, ns *rembNamespaces) {
	t.Helper()
	out, err := exec.Command("ip", "netns", "exec", ns.sender, "tc", "-s", "qdisc", "show", "dev", ns.senderLink).CombinedOutput()
	if err != nil {
		t.Fatalf("tc -s qdisc show: %v\n%s", err, out)
	}
	sent, dropped, ok := parseREMBQdiscStats(string(out))
	if !ok {
		t.Fatalf("no packet counts in tc's statistics:\n%s", out)
	}
	if sent < l.lastSent || dropped < l.lastDropped { // the counters were reset
		l.lastSent, l.lastDropped = 0, 0
	}
	l.sent += sent - l.lastSent
	l.dropped += dropped - l.lastDropped
	l.lastSent, l.lastDropped = sent, dropped
}

// fraction is the share of packets the qdisc dropped.
func (l *rembTBFLoss) fraction() float64 {
	if l.sent+l.dropped == 0 {
		return 0
	}
	return float64(l.dropped) / float64(l.sent+l.dropped)
}

// parseREMBQdiscStats reads " Sent B bytes P pkt (dropped D, ..." from the
// output of tc -s qdisc show.
func parseREMBQdiscStats(out string) (sent, dropped int64, ok bool) {
	_, rest, found := strings.Cut(out, "Sent ")
	if !found {
		return 0, 0, false
	}
	var bytes int64
	n, _ := fmt.Sscanf(rest, "%d bytes %d pkt (dropped %d,", &bytes, &sent, &dropped)
	return sent, dropped, n == 3
}
