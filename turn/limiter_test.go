package turn

import (
	"net"
	"testing"
	"time"
)

func TestLimiter(t *testing.T) {
	now := time.Unix(1000, 0)
	l := newLimiter(1, 3, func() time.Time { return now })
	a := &net.UDPAddr{IP: net.ParseIP("192.0.2.1"), Port: 1}
	sameHost := &net.TCPAddr{IP: net.ParseIP("192.0.2.1"), Port: 2}
	other := &net.UDPAddr{IP: net.ParseIP("192.0.2.2"), Port: 1}
	v6a := &net.UDPAddr{IP: net.ParseIP("2001:db8:1:2::1"), Port: 1}
	v6b := &net.UDPAddr{IP: net.ParseIP("2001:db8:1:2::ffff"), Port: 1} // same /64
	for i := range 3 {
		if !l.allow(a) {
			t.Fatalf("request %d refused within the burst", i)
		}
	}
	if l.allow(sameHost) {
		t.Error("the same host over another transport got past its empty bucket")
	}
	if !l.allow(other) {
		t.Error("another host was limited")
	}
	now = now.Add(time.Second)
	if !l.allow(a) || l.allow(a) {
		t.Error("the bucket did not refill at 1/s")
	}
	for range 3 {
		l.allow(v6a)
	}
	if l.allow(v6b) {
		t.Error("an address of the same /64 was not limited")
	}
	now = now.Add(2 * sourceIdle)
	l.sweep()
	if n := len(l.sources); n != 0 {
		t.Errorf("%d sources after the sweep, want 0", n)
	}
	var none *limiter
	if !none.allow(a) {
		t.Error("a nil limiter refused")
	}
}

func TestLimiterOverflow(t *testing.T) {
	now := time.Unix(1000, 0)
	l := newLimiter(1, 1, func() time.Time { return now })
	for i := range maxSources {
		l.allow(&net.UDPAddr{IP: net.IPv4(10, byte(i>>16), byte(i>>8), byte(i)), Port: 1})
	}
	newcomer := func(i byte) net.Addr { return &net.UDPAddr{IP: net.IPv4(11, 0, 0, i), Port: 1} }
	if !l.allow(newcomer(1)) || l.allow(newcomer(2)) {
		t.Error("sources beyond the table do not share the overflow bucket")
	}
	if len(l.sources) != maxSources {
		t.Errorf("table grew to %d", len(l.sources))
	}
}
