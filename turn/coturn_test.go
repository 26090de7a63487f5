package turn

import (
	"context"
	"net"
	"net/netip"
	"os/exec"
	"regexp"
	"strconv"
	"syscall"
	"testing"
	"time"
)

// coturnTool returns the path of one of Debian's coturn tools.
func coturnTool(t *testing.T, name string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err != nil {
		t.Fatalf("%s is required (Debian's coturn package; make test installs it): %v", name, err)
	}
	return path
}

// startUDPPeer runs coturn's turnutils_peer, a UDP echo server, on
// 127.0.0.1 and returns its port.
func startUDPPeer(t *testing.T) uint16 {
	t.Helper()
	pc, err := net.ListenPacket("udp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := pc.LocalAddr().(*net.UDPAddr).Port
	_ = pc.Close()
	cmd := exec.Command(coturnTool(t, "turnutils_peer"), "-L", "127.0.0.1", "-p", strconv.Itoa(port))
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL); _ = cmd.Wait() })
	return uint16(port)
}

// uclientCounts matches turnutils_uclient's summary line.
var uclientCounts = regexp.MustCompile(`start_mclient: tot_send_msgs=(\d+), tot_recv_msgs=(\d+)`)

// TestCoturnClient runs Debian's turnutils_uclient, a third-party TURN
// client, against the server: with valid credentials (minted by the
// server, or by uclient itself from the shared secret, over UDP, TCP and
// TLS) it allocates and its messages come back through the relay from
// coturn's echo peer; with expired, wrong or over-long ones it is refused.
func TestCoturnClient(t *testing.T) {
	uclient := coturnTool(t, "turnutils_uclient")
	peer := startUDPPeer(t)
	r := newRig(t, func(c *Config) {
		c.Policy = Policy{ICE: []netip.Addr{netip.MustParseAddr("127.0.0.1")}, Port: peer}
	})
	now := time.Now()
	valid := r.srv.Mint("uclient")
	expired := Mint(testSecret, "uclient", -time.Minute, now)
	cases := []struct {
		name      string
		transport string
		auth      []string // uclient's credential flags
		ok        bool
	}{
		{"valid over UDP", "udp", []string{"-u", valid.Username, "-w", valid.Password}, true},
		{"valid over TCP", "tcp", []string{"-u", valid.Username, "-w", valid.Password}, true},
		{"valid over TLS", "tls", []string{"-u", valid.Username, "-w", valid.Password}, true},
		{"expired", "udp", []string{"-u", expired.Username, "-w", expired.Password}, false},
		{"wrong password", "udp", []string{"-u", valid.Username, "-w", "d3Jvbmcgd3Jvbmcgd3Jvbmc="}, false},
		// uclient mints a 24-hour credential: beyond the default 12-hour cap.
		{"minted by uclient beyond the cap", "udp", []string{"-u", "uclient", "-W", string(testSecret)}, false},
		{"minted by uclient with another secret", "udp", []string{"-u", "uclient", "-W", "not-the-secret"}, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			out, err := runUclient(t, uclient, r, c.transport, peer, c.auth)
			m := uclientCounts.FindStringSubmatch(out)
			switch {
			case c.ok && (err != nil || m == nil || m[1] != "10" || m[2] != "10"):
				t.Errorf("uclient: %v; want 10 messages sent and echoed back through the relay\n%s", err, out)
			case !c.ok && (err == nil || !regexp.MustCompile(`Cannot complete Allocation`).MatchString(out)):
				t.Errorf("uclient: %v; want the allocation refused\n%s", err, out)
			}
		})
	}
}

// TestCoturnClientOwnCredentials lets uclient mint REST credentials itself
// from the shared secret (-W), under a cap that admits their 24 hours:
// the scheme interoperates.
func TestCoturnClientOwnCredentials(t *testing.T) {
	uclient := coturnTool(t, "turnutils_uclient")
	peer := startUDPPeer(t)
	r := newRig(t, func(c *Config) {
		c.CredentialTTL = 48 * time.Hour
		c.Policy = Policy{ICE: []netip.Addr{netip.MustParseAddr("127.0.0.1")}, Port: peer}
	})
	out, err := runUclient(t, uclient, r, "udp", peer, []string{"-u", "uclient", "-W", string(testSecret)})
	if m := uclientCounts.FindStringSubmatch(out); err != nil || m == nil || m[2] != "10" {
		t.Errorf("uclient: %v\n%s", err, out)
	}
}

// runUclient runs one turnutils_uclient session of 10 messages toward the
// peer, with a bounded run time.
func runUclient(t *testing.T, uclient string, r *rig, transport string, peer uint16, auth []string) (string, error) {
	t.Helper()
	_, port, _ := net.SplitHostPort(r.addr(transport))
	args := []string{"-e", "127.0.0.1", "-r", strconv.Itoa(int(peer)), "-p", port,
		"-n", "10", "-m", "1", "-c", "-X", "-z", "5"}
	switch transport {
	case "tcp":
		args = append(args, "-t")
	case "tls":
		args = append(args, "-t", "-S")
	}
	args = append(append(args, auth...), "127.0.0.1")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, uclient, args...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// TestCoturnClientRefusals has uclient bind a channel toward a peer the
// policy refuses, and ask for an RFC 6062 TCP allocation (-T): it reports
// 403 Forbidden and 442 Unsupported Transport Protocol (RFC 8656 §12.2,
// §7.2). uclient does not check an error response's MESSAGE-INTEGRITY;
// TestRefusedPeerForbidden and TestTCPRelayUnsupported do.
func TestCoturnClientRefusals(t *testing.T) {
	uclient := coturnTool(t, "turnutils_uclient")
	r := newRig(t, nil)
	cases := []struct {
		name, transport string
		args            []string
		want            string
	}{
		{"channel to a refused peer", "udp", []string{"-e", "192.0.2.1", "-r", "5000"}, `channel bind: error 403 \(Forbidden\)`},
		{"TCP allocation", "tcp", []string{"-T", "-e", "127.0.0.1", "-r", "5000"}, `error 442 \(Unsupported Transport Protocol\)`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, port, _ := net.SplitHostPort(r.addr(c.transport))
			cr := r.srv.Mint("uclient")
			args := append([]string{"-p", port, "-n", "1", "-m", "1", "-X", "-z", "5",
				"-u", cr.Username, "-w", cr.Password}, c.args...)
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			cmd := exec.CommandContext(ctx, uclient, append(args, "127.0.0.1")...)
			cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
			out, err := cmd.CombinedOutput()
			if err == nil || !regexp.MustCompile(c.want).Match(out) {
				t.Errorf("uclient: %v; want it to fail with %s\n%s", err, c.want, out)
			}
		})
	}
}
