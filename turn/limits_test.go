package turn

import (
	"fmt"
	"net"
	"net/netip"
	"testing"
	"time"

	"golang.org/x/time/rate"
)

// TestCredentialsRefused sends wrong, expired and over-long credentials
// and a static user's, over the wire.
func TestCredentialsRefused(t *testing.T) {
	r := newRig(t, func(c *Config) {
		c.CredentialTTL = time.Hour
		c.Users = map[string][]byte{"tool": LongTermKey("tool", testRealm, "tool-password")}
	})
	now := time.Now()
	valid := r.srv.Mint("ok")
	cases := []struct {
		name, user, pass string
		reason           string // auth failure label, "" for success
	}{
		{"minted", valid.Username, valid.Password, ""},
		{"static user", "tool", "tool-password", ""},
		{"static user, wrong password", "tool", "nope", authIntegrity},
		{"wrong password", valid.Username, "AAAAAAAAAAAAAAAAAAAAAAAAAAA=", authIntegrity},
		{"expired", Mint(testSecret, "x", -time.Minute, now).Username, Mint(testSecret, "x", -time.Minute, now).Password, authExpired},
		{"beyond the lifetime cap", Mint(testSecret, "x", 3*time.Hour, now).Username, Mint(testSecret, "x", 3*time.Hour, now).Password, authTooLong},
		{"other secret", Mint([]byte("other"), "x", time.Minute, now).Username, Mint([]byte("other"), "x", time.Minute, now).Password, authIntegrity},
		{"not a REST username", "mallory", "x", authBadUsername},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			before := r.metric(t, "mediagate_turn_auth_failures_total", map[string]string{"reason": c.reason})
			_, err := r.dial(t, "udp").Allocate(c.user, c.pass)
			if c.reason == "" {
				if err != nil {
					t.Fatalf("Allocate: %v", err)
				}
				return
			}
			if errCode(err) != 401 {
				t.Fatalf("Allocate: %v, want 401", err)
			}
			r.waitMetric(t, "mediagate_turn_auth_failures_total", map[string]string{"reason": c.reason}, before+1)
		})
	}
}

// TestQuotas fills the per-user quota, then the total one.
func TestQuotas(t *testing.T) {
	r := newRig(t, func(c *Config) { c.MaxAllocations, c.MaxAllocationsPerUser = 3, 2 })
	for i := range 2 {
		r.allocate(t, "udp", "alice")
		t.Logf("alice's allocation %d", i+1)
	}
	cr := r.srv.Mint("alice")
	if _, err := r.dial(t, "udp").Allocate(cr.Username, cr.Password); errCode(err) != 486 {
		t.Errorf("alice's third allocation: %v, want 486", err)
	}
	r.allocate(t, "tcp", "bob")
	cr = r.srv.Mint("carol")
	if _, err := r.dial(t, "udp").Allocate(cr.Username, cr.Password); errCode(err) != 486 {
		t.Errorf("an allocation past the total: %v, want 486", err)
	}
	if r.srv.Allocations() != 3 {
		t.Errorf("Allocations() = %d, want 3", r.srv.Allocations())
	}
	if got := r.metric(t, "mediagate_turn_allocations_refused_total", map[string]string{"reason": "quota_total"}); got != 1 {
		t.Errorf("total quota refusals: %v", got)
	}
}

// TestMaxLifetime ends an allocation at its maximum lifetime although the
// client refreshes it.
func TestMaxLifetime(t *testing.T) {
	r := newRig(t, func(c *Config) { c.MaxLifetime = 300 * time.Millisecond })
	c, _ := r.allocate(t, "udp", "short")
	if err := c.Refresh(600); err != nil {
		t.Fatalf("Refresh: %v", err)
	}
	deadline := time.Now().Add(3 * time.Second)
	for r.srv.Allocations() != 0 {
		if time.Now().After(deadline) {
			t.Fatal("the allocation outlived its maximum lifetime")
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err := c.Refresh(600); errCode(err) != 437 && err == nil {
		t.Errorf("Refresh after the end: %v, want an error", err)
	}
}

// TestUnauthenticatedRateLimit floods Binding requests from one source over
// UDP and over TCP: past the burst they go unanswered and are counted.
func TestUnauthenticatedRateLimit(t *testing.T) {
	for _, transport := range []string{"udp", "tcp"} {
		t.Run(transport, func(t *testing.T) {
			r := newRig(t, func(c *Config) { c.UnauthRate, c.UnauthBurst = rate.Limit(0.01), 5 })
			c := r.dial(t, transport)
			c.Timeout = 200 * time.Millisecond
			answered := 0
			for range 8 {
				if _, err := c.Binding(); err == nil {
					answered++
				}
			}
			// The TCP connection itself spent a token.
			want := 5
			if transport == "tcp" {
				want = 4
			}
			if answered != want {
				t.Errorf("%d Binding requests answered, want %d", answered, want)
			}
			if got := r.metric(t, "mediagate_turn_rate_limited_total", map[string]string{"transport": transport}); got != float64(8-want) {
				t.Errorf("rate-limited requests counted: %v, want %d", got, 8-want)
			}
		})
	}
}

// TestPermissionsOnLoopback runs the policy over the wire with the ICE
// socket on 127.0.0.1: other loopback addresses, the mapped forms and
// other ports are refused or dropped (the namespace test covers the rest).
func TestPermissionsOnLoopback(t *testing.T) {
	r := newRig(t, nil)
	c, _ := r.allocate(t, "udp", "attacker")
	for _, peer := range []string{"127.0.0.2:80", "0.0.0.0:80", "[::ffff:127.0.0.2]:80", "[::127.0.0.1]:80"} {
		p := netip.MustParseAddrPort(peer)
		// 443 Peer Address Family Mismatch comes first for an IPv6 form
		// on an IPv4 allocation; the policy's 403 for the rest.
		if err := c.CreatePermission(p); errCode(err) != 403 && errCode(err) != 443 {
			t.Errorf("CreatePermission(%s): %v, want 403 or 443", peer, err)
		}
		if err := c.ChannelBind(0x4000, p); err == nil {
			t.Errorf("ChannelBind(%s) granted", peer)
		}
	}
	other, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	otherAddr := other.LocalAddr().(*net.UDPAddr).AddrPort()
	mapped := netip.AddrPortFrom(netip.AddrFrom16(otherAddr.Addr().As16()), otherAddr.Port())
	if err := c.CreatePermission(mapped); err != nil {
		t.Fatalf("CreatePermission to the ICE address in mapped form: %v", err)
	}
	for i, dst := range []netip.AddrPort{otherAddr, mapped} {
		if err := c.Send(dst, []byte(fmt.Sprintf("probe %d", i))); err != nil {
			t.Fatal(err)
		}
	}
	if got, _ := recvUDP(other, 300*time.Millisecond); got != nil {
		t.Errorf("a socket on another port of the ICE address received %q", got)
	}
	r.waitMetric(t, "mediagate_turn_relay_dropped_total", map[string]string{"reason": "port"}, 2)
}

// TestCloseEndsEverything closes a server under live TCP and UDP
// allocations: Close returns with every allocation ended.
func TestCloseEndsEverything(t *testing.T) {
	r := newRig(t, nil)
	tc, _ := r.allocate(t, "tcp", "a")
	r.allocate(t, "udp", "b")
	r.allocate(t, "tls", "c")
	if err := r.srv.Close(); err != nil {
		t.Fatal(err)
	}
	if n := r.srv.Allocations(); n != 0 {
		t.Errorf("%d allocations after Close", n)
	}
	if _, err := tc.Binding(); err == nil {
		t.Error("a TCP connection survived Close")
	}
	if err := r.srv.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
}
