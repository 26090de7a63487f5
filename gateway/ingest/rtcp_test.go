package ingest

import (
	"net/netip"
	"testing"
	"time"

	"github.com/pion/rtcp"

	"mediagate.dev/mediagate/gateway/event"
)

// latchedSender starts a harness and a plain sender whose first two packets
// have been delivered.
func latchedSender(t *testing.T, cfg SourceConfig) (*harness, *sender) {
	t.Helper()
	h := newHarness(t, cfg)
	s := newSender(t, h.addr(), cfg.SRTP)
	s.video(idrPayload)
	s.video(slicePayload)
	h.nextVideo()
	h.nextVideo()
	return h, s
}

func isPLI(p rtcp.Packet) bool { _, ok := p.(*rtcp.PictureLossIndication); return ok }

func TestKeyframeRequestPLI(t *testing.T) {
	h := newHarness(t, SourceConfig{KeyframeInterval: time.Hour, ReceiverReportInterval: time.Hour})
	// Requested before any sender: remembered, sent once the video SSRC is known.
	h.st.RequestKeyframe()
	if got := h.counter(h.m.rtcpSent, "pli"); got != 0 {
		t.Fatalf("PLI sent with no sender: %v", got)
	}
	s := newSender(t, h.addr(), nil)
	s.video(idrPayload)
	s.video(slicePayload)
	pli := s.expectRTCP(isPLI).(*rtcp.PictureLossIndication)
	if pli.MediaSSRC != s.ssrc || pli.SenderSSRC != h.src.ourSSRC {
		t.Errorf("PLI media %x sender %x, want %x %x", pli.MediaSSRC, pli.SenderSSRC, s.ssrc, h.src.ourSSRC)
	}
	for range 10 {
		h.src.RequestKeyframe()
		h.st.RequestKeyframe()
	}
	if got := h.counter(h.m.rtcpSent, "pli"); got != 1 {
		t.Errorf("rtcp_sent{pli} = %v, want exactly 1 within the interval", got)
	}
}

func TestKeyframeRequestFIR(t *testing.T) {
	h, s := latchedSender(t, SourceConfig{KeyframeRequest: "fir", KeyframeInterval: 30 * time.Millisecond,
		ReceiverReportInterval: time.Hour})
	isFIR := func(p rtcp.Packet) bool { _, ok := p.(*rtcp.FullIntraRequest); return ok }
	h.src.RequestKeyframe()
	first := s.expectRTCP(isFIR).(*rtcp.FullIntraRequest)
	if first.MediaSSRC != 0 || len(first.FIR) != 1 || first.FIR[0].SSRC != s.ssrc {
		t.Fatalf("FIR = %+v", first)
	}
	eventually(t, h.src.RequestKeyframe, func() bool { return h.counter(h.m.rtcpSent, "fir") == 2 })
	second := s.expectRTCP(isFIR).(*rtcp.FullIntraRequest)
	if second.FIR[0].SequenceNumber != first.FIR[0].SequenceNumber+1 {
		t.Errorf("FIR sequence numbers %d then %d", first.FIR[0].SequenceNumber, second.FIR[0].SequenceNumber)
	}
}

func TestReceiverReports(t *testing.T) {
	h, s := latchedSender(t, SourceConfig{ReceiverReportInterval: 20 * time.Millisecond})
	s.seq++ // one packet lost
	s.video(numbered(3))
	last := s.video(numbered(4))
	const ntp = 0x0000abcd12345678
	s.send(s.rtcpBytes(s.senderReport(ntp, 4242)))
	s.video(numbered(5))
	last++
	for range 3 {
		h.nextVideo()
	}
	// Sequence 1000 was held on probation, so counting starts at 1001:
	// expected 1001-1005, received 4, one lost.
	p := s.expectRTCP(func(p rtcp.Packet) bool {
		rr, ok := p.(*rtcp.ReceiverReport)
		// A report sent between the Sender Report and packet 5 is not
		// the one wanted: the reports come from their own timer.
		return ok && len(rr.Reports) == 1 && rr.Reports[0].LastSenderReport != 0 &&
			rr.Reports[0].LastSequenceNumber == uint32(last)
	}).(*rtcp.ReceiverReport)
	r := p.Reports[0]
	if p.SSRC != h.src.ourSSRC || r.SSRC != s.ssrc || r.TotalLost != 1 || r.LastSequenceNumber != uint32(last) ||
		r.LastSenderReport != uint32(ntp>>16) {
		t.Errorf("RR %x, block %+v; want lost 1, highest %d, LSR %x", p.SSRC, r, last, uint32(ntp>>16))
	}
	if got := h.counter(h.m.lost); got != 1 {
		t.Errorf("lost_packets_total = %v, want 1", got)
	}
}

func TestSenderReportSetsClock(t *testing.T) {
	h, s := latchedSender(t, SourceConfig{})
	before := time.Now()
	s.send(s.rtcpBytes(s.senderReport(0xe1e2e3e4e5e6e7e8, 99000)))
	s.video(numbered(3))
	h.nextVideo()
	c := h.st.Video.SenderClock()
	if c == nil || c.SSRC != s.ssrc || c.NTPTime != 0xe1e2e3e4e5e6e7e8 || c.RTPTime != 99000 || c.Received.Before(before) {
		t.Fatalf("SenderClock = %+v", c)
	}
	if h.st.Audio.SenderClock() != nil {
		t.Error("the video SR set the audio clock")
	}
}

func TestRTCPFromOthersIgnored(t *testing.T) {
	h, s := latchedSender(t, SourceConfig{})
	stranger := newSender(t, h.addr(), nil)
	stranger.send(stranger.rtcpBytes(stranger.senderReport(1<<32, 1)))
	// A BYE from the latched sender is ignored too.
	s.send(s.rtcpBytes(&rtcp.ReceiverReport{SSRC: s.ssrc}, &rtcp.Goodbye{Sources: []uint32{s.ssrc}}))
	s.video(numbered(3))
	h.nextVideo()
	if got := h.dropped("not_latched"); got != 1 {
		t.Errorf("dropped{not_latched} = %v, want 1", got)
	}
	if h.st.Video.SenderClock() != nil {
		t.Error("a stranger's SR was used")
	}
	if !h.st.Up() || h.src.Latched() != s.addr() {
		t.Error("BYE ended the stream")
	}
}

// TestSeparateRTCPPort receives RTCP on its own port and sends RTCP back
// to the port the sender's RTCP comes from.
func TestSeparateRTCPPort(t *testing.T) {
	h, s := latchedSender(t, SourceConfig{RTCPListen: "127.0.0.1:0", KeyframeInterval: time.Hour,
		ReceiverReportInterval: time.Hour})
	r := newSender(t, h.rtcpAddr(), nil)
	r.ssrc = s.ssrc
	eventually(t, func() { r.send(r.rtcpBytes(r.senderReport(1<<40, 5))) },
		func() bool { return h.st.Video.SenderClock() != nil })
	h.src.RequestKeyframe()
	r.expectRTCP(isPLI)

	// RTP on the RTCP port is not accepted.
	r.sendTo(r.packet(videoPT, numbered(1)), h.rtcpAddr())
	eventually(t, func() {}, func() bool { return h.dropped("malformed") == 1 })
}

// TestRTCPToNextPortBeforeSenderRTCP sends RTCP to the port after the
// sender's RTP port while the sender has sent no RTCP (RFC 3550 §11).
func TestRTCPToNextPortBeforeSenderRTCP(t *testing.T) {
	h := newHarness(t, SourceConfig{RTCPListen: "127.0.0.1:0", ReceiverReportInterval: time.Hour})
	s := newSender(t, h.addr(), nil)
	next := netip.AddrPortFrom(s.addr().Addr(), s.addr().Port()+1)
	dest := func() netip.AddrPort {
		h.src.mu.Lock()
		defer h.src.mu.Unlock()
		a, _ := h.src.rtcpDest()
		return a
	}
	if got := dest(); got.IsValid() {
		t.Fatalf("RTCP destination %v before latching", got)
	}
	s.video(idrPayload)
	s.video(slicePayload)
	h.nextVideo()
	h.event(event.SourceLatched)
	if got := dest(); got != next {
		t.Errorf("RTCP destination %v, want %v", got, next)
	}
}
