package ingest

import (
	"net"
	"net/netip"
	"testing"
	"time"

	"mediagate.dev/mediagate/gateway/event"
)

// senderPair returns a plain sender and a second one on the port after it,
// the way a sender that does not mux sends its RTCP (RFC 3550 §11).
func senderPair(t *testing.T, to netip.AddrPort) (rtpSender, rtcpSender *sender) {
	t.Helper()
	for range 50 {
		s := newSender(t, to, nil)
		next := netip.AddrPortFrom(s.addr().Addr(), s.addr().Port()+1)
		conn, err := net.ListenUDP("udp", net.UDPAddrFromAddrPort(next))
		if err != nil {
			continue // the next port is taken: try another pair
		}
		t.Cleanup(func() { _ = conn.Close() })
		r := &sender{t: t, conn: conn, to: to, ssrc: s.ssrc, seq: 1, ts: 1}
		return s, r
	}
	t.Fatal("no pair of adjacent UDP ports")
	return nil, nil
}

// TestRTCPFromNextPort takes the Sender Reports of a sender that sends RTCP
// from RTP port + 1 to the muxed port (ffmpeg's `?rtcpport=`): the SR sets
// the track's clock, nothing is dropped and no source.rejected goes out,
// not even for the SR that comes before the first RTP packet.
// RTCP from any other port of the host is still refused.
func TestRTCPFromNextPort(t *testing.T) {
	h := newHarness(t, SourceConfig{ReceiverReportInterval: time.Hour})
	s, r := senderPair(t, h.addr())
	// ffmpeg's first SR goes out before its first RTP packet: with no
	// sender latched it is counted, and refuses no one.
	r.send(r.rtcpBytes(r.senderReport(1<<40, 1)))
	eventually(t, func() {}, func() bool { return h.dropped("rtcp_unlatched") == 1 })
	s.video(idrPayload)
	s.video(slicePayload)
	h.nextVideo()
	h.nextVideo()
	h.event(event.SourceLatched)

	r.send(r.rtcpBytes(r.senderReport(0x0102030405060708, 4242)))
	s.video(numbered(3))
	h.nextVideo()
	c := h.st.Video.SenderClock()
	if c == nil || c.SSRC != s.ssrc || c.NTPTime != 0x0102030405060708 || c.RTPTime != 4242 {
		t.Fatalf("SenderClock = %+v, want the SR sent from RTP port + 1", c)
	}
	if got := h.dropped("not_latched"); got != 0 {
		t.Errorf("dropped{not_latched} = %v, want 0", got)
	}
	select {
	case e := <-h.events:
		if e.Type == event.SourceRejected {
			t.Errorf("source.rejected for the sender's own RTCP: %v", e.Data)
		}
	default:
	}

	// Another port of the same host is another sender.
	stranger := newSender(t, h.addr(), nil)
	stranger.ssrc = s.ssrc
	stranger.send(stranger.rtcpBytes(stranger.senderReport(1<<40, 1)))
	if e := h.event(event.SourceRejected); e.Data["remote"] != stranger.addr().String() {
		t.Errorf("source.rejected = %v, want the stranger", e.Data)
	}
	if got := h.st.Video.SenderClock(); got.NTPTime != 0x0102030405060708 {
		t.Errorf("a stranger's SR set the clock: %+v", got)
	}
}

// TestRejectedRateLimited checks the source.rejected budget on the
// source's own clock: the first refusal of each sender and reason at once,
// then one a minute with the count since, and never two within a second
// for the stream.
func TestRejectedRateLimited(t *testing.T) {
	h := newHarness(t, SourceConfig{})
	a := netip.MustParseAddrPort("192.0.2.1:5000")
	b := netip.MustParseAddrPort("192.0.2.2:5000")
	at := func(d time.Duration) time.Time { return h.src.epoch.Add(time.Hour + d) }
	type want struct {
		remote netip.AddrPort
		count  string
	}
	expect := func(w *want) {
		t.Helper()
		select {
		case e := <-h.events:
			if w == nil {
				t.Fatalf("unexpected event %s %v", e.Type, e.Data)
			}
			if e.Type != event.SourceRejected || e.Data["remote"] != w.remote.String() ||
				e.Data["count"] != w.count || e.Data["reason"] != "not latched" {
				t.Fatalf("event %s %v, want source.rejected from %v count %s", e.Type, e.Data, w.remote, w.count)
			}
		default:
			if w != nil {
				t.Fatalf("no event, want source.rejected from %v count %s", w.remote, w.count)
			}
		}
	}

	h.src.reject(dropNotLatched, a, at(0))
	expect(&want{a, "1"})
	// a misconfigured sender: 10 datagrams a second for 59 s, no event.
	for i := 1; i < 590; i++ {
		h.src.reject(dropNotLatched, a, at(time.Duration(i)*100*time.Millisecond))
	}
	expect(nil)
	// b's first refusal, within a second of a's event: the stream's gate
	// holds it; its next one, a second later, goes out with both counted.
	h.src.reject(dropNotLatched, b, at(500*time.Millisecond))
	expect(nil)
	h.src.reject(dropNotLatched, b, at(1500*time.Millisecond))
	expect(&want{b, "2"})
	// a minute after a's first event, the next one with the count since.
	h.src.reject(dropNotLatched, a, at(time.Minute))
	expect(&want{a, "590"})
	h.src.reject(dropNotLatched, a, at(time.Minute+2*time.Second))
	expect(nil)
	if got := h.dropped("not_latched"); got != 594 {
		t.Errorf("dropped{not_latched} = %v, want every refusal counted (594)", got)
	}
}

// TestRejectedSendersBounded sprays refusals from more addresses than the
// log remembers: it stays bounded, and the stream's gate still allows at
// most one event a second.
func TestRejectedSendersBounded(t *testing.T) {
	h := newHarness(t, SourceConfig{})
	events := 0
	for i := range 1000 {
		from := netip.AddrPortFrom(netip.MustParseAddr("192.0.2.1"), uint16(10000+i))
		h.src.reject(dropNotAllowed, from, h.src.epoch.Add(time.Hour+time.Duration(i)*10*time.Millisecond))
	}
	for {
		select {
		case <-h.events:
			events++
			continue
		default:
		}
		break
	}
	if events != 10 {
		t.Errorf("%d events over 10 s of refusals, want 10 (one a second)", events)
	}
	h.src.rejects.mu.Lock()
	defer h.src.rejects.mu.Unlock()
	if n := len(h.src.rejects.senders); n > maxRejectSenders {
		t.Errorf("%d senders remembered, want at most %d", n, maxRejectSenders)
	}
}
