package egress

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/pion/rtcp"
	"github.com/pion/sdp/v3"
	"github.com/pion/transport/v3/test"
	"github.com/pion/webrtc/v4"

	"mediagate.dev/mediagate/gateway/event"
	"mediagate.dev/mediagate/gateway/signal"
	"mediagate.dev/mediagate/gateway/stream"
)

// TestCapacity fills the gateway-wide and the per-stream caps.
func TestCapacity(t *testing.T) {
	cases := []struct {
		name        string
		maxSessions int
		maxViewers  int
	}{
		{"max sessions", 1, 0},
		{"stream max viewers", 0, 1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m, _ := newTestManager(t, func(cfg *Config) { cfg.MaxSessions = c.maxSessions })
			s, _ := newTestStream(&h264Codec, nil, nil)
			s.MaxViewers = c.maxViewers
			req := ViewerRequest{ID: "a", Stream: s, Offer: videoOnly()}
			v, _, err := m.NewViewer(t.Context(), req)
			if err != nil {
				t.Fatal(err)
			}
			if _, _, err := m.NewViewer(t.Context(), req); !errors.Is(err, ErrCapacity) {
				t.Fatalf("second viewer: %v, want ErrCapacity", err)
			}
			if m.Sessions() != 1 || s.Viewers() != 1 {
				t.Fatalf("sessions %d, stream viewers %d", m.Sessions(), s.Viewers())
			}
			v.Close()
			v2, _, err := m.NewViewer(t.Context(), req)
			if err != nil {
				t.Fatalf("after a viewer left: %v", err)
			}
			v2.Close()
			if m.Sessions() != 0 || s.Viewers() != 0 {
				t.Fatalf("sessions %d, stream viewers %d after close", m.Sessions(), s.Viewers())
			}
		})
	}
}

// TestRejectedOffers drives NewViewer with offers it must refuse.
func TestRejectedOffers(t *testing.T) {
	m, _ := newTestManager(t, nil)
	h264Stream, _ := newTestStream(&h264Codec, nil, nil)
	vp8Only := strings.NewReplacer(
		"SAVPF 96 97 102 103 104 105 106 107 108 109 127 125 39 40 45 46 98 99 100 101 112 113 119 120", "SAVPF 96 97",
	).Replace(videoOnly())
	videoStream, _ := newTestStream(&vp8Codec, nil, nil)
	cases := []struct {
		name  string
		s     *stream.Stream
		offer string
		err   error
	}{
		{"garbage", h264Stream, "v=0\r\ngarbage", ErrBadOffer},
		{"no common video codec", h264Stream, vp8Only, ErrUnacceptable},
		{"no m-line for the stream", videoStream, audioOnly(), ErrUnacceptable},
		{"inactive", h264Stream, strings.ReplaceAll(videoOnly(), "a=recvonly", "a=inactive"), ErrUnacceptable},
		{"two video m-lines", h264Stream, twoVideo(), ErrUnacceptable},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if _, _, err := m.NewViewer(t.Context(), ViewerRequest{ID: "x", Stream: c.s, Offer: c.offer}); !errors.Is(err, c.err) {
				t.Fatalf("err = %v, want %v", err, c.err)
			}
			if m.Sessions() != 0 || c.s.Viewers() != 0 {
				t.Fatal("a refused offer kept a session")
			}
		})
	}
}

// TestAnswerCodecs checks the answer offers back only formats the viewer
// offered, exactly as offered, with the source's H.264 profile first.
func TestAnswerCodecs(t *testing.T) {
	cases := []struct {
		name     string
		fmtp     string
		wantPT   string
		mismatch float64
	}{
		{"constrained baseline", "packetization-mode=1;profile-level-id=42e01f", "106", 0},
		{"baseline", "packetization-mode=1;profile-level-id=42001f", "102", 0},
		{"main", "packetization-mode=1;profile-level-id=4d0029", "127", 0},
		{"constrained high", "packetization-mode=1;profile-level-id=640c1f", "119", 0},
		{"high from sprop", "packetization-mode=1;sprop-parameter-sets=Z2QAKKzZQHgCJ+XARAAAAwAEAAADAAg8YMZY,aOvjyyLA", "112", 0},
		{"high 4:2:2 not offered", "packetization-mode=1;profile-level-id=7a001f", "102", 1},
		{"unknown profile", "packetization-mode=1", "102", 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m, reg := newTestManager(t, nil)
			vc := h264Codec
			vc.Fmtp = c.fmtp
			s, _ := newTestStream(&vc, &opusCodec, nil)
			v, answer, err := m.NewViewer(t.Context(), ViewerRequest{ID: "a", Stream: s, Offer: chromeOffer})
			if err != nil {
				t.Fatal(err)
			}
			defer v.Close()
			var sd sdp.SessionDescription
			if err := sd.UnmarshalString(answer); err != nil {
				t.Fatal(err)
			}
			video := sd.MediaDescriptions[1]
			if video.MediaName.Formats[0] != c.wantPT {
				t.Fatalf("answer video formats %v, want %s first", video.MediaName.Formats, c.wantPT)
			}
			for _, a := range video.Attributes {
				if a.Key == "fmtp" && !strings.Contains(chromeOffer, "a=fmtp:"+a.Value+"\r\n") {
					t.Fatalf("answer fmtp %q was not offered", a.Value)
				}
				if a.Key == "rtcp-fb" && strings.Contains(a.Value, "transport-cc") {
					t.Fatal("answer negotiates transport-cc")
				}
			}
			if _, ok := video.Attribute("sendonly"); !ok {
				t.Fatal("answer is not sendonly")
			}
			if got := metricValue(t, reg, "mediagate_egress_profile_mismatch_total", "cam"); got != c.mismatch {
				t.Fatalf("profile mismatches %v, want %v", got, c.mismatch)
			}
		})
	}
}

// TestSetupTimeout creates a session whose client never applies the answer.
func TestSetupTimeout(t *testing.T) {
	m, reg := newTestManager(t, func(cfg *Config) { cfg.SetupTimeout = 300 * time.Millisecond })
	bus := event.New(nil)
	events, unsubscribe := bus.Subscribe(8)
	defer unsubscribe()
	s, _ := newTestStream(&h264Codec, nil, bus)
	cl := newClient(t, webrtc.RTPCodecTypeVideo)
	v, _, err := m.NewViewer(t.Context(), ViewerRequest{ID: "lazy", Stream: s, Offer: cl.offer(t), Remote: "127.0.0.1:9"})
	if err != nil {
		t.Fatal(err)
	}
	select {
	case <-v.Done():
	case <-time.After(waitFor):
		t.Fatal("session not reclaimed")
	}
	if m.Sessions() != 0 || s.Viewers() != 0 {
		t.Fatalf("sessions %d viewers %d", m.Sessions(), s.Viewers())
	}
	if got := metricValue(t, reg, "mediagate_egress_sessions_setup_timeout_total", "cam"); got != 1 {
		t.Fatalf("setup timeouts %v", got)
	}
	join, leave := <-events, <-events
	if join.Type != event.ViewerJoin || join.Data["viewer"] != signal.PublicID("lazy") || join.Data["remote"] != "127.0.0.1:9" {
		t.Fatalf("join %+v", join)
	}
	if leave.Type != event.ViewerLeave || leave.Data["reason"] != "setup timeout" {
		t.Fatalf("leave %+v", leave)
	}
}

// TestCloseTwice closes a connected viewer twice and its stream once.
func TestCloseTwice(t *testing.T) {
	m, _ := newTestManager(t, nil)
	bus := event.New(nil)
	events, unsubscribe := bus.Subscribe(8)
	defer unsubscribe()
	s, k := newTestStream(&vp8Codec, nil, bus)
	v := connect(t, m, s, k, newClient(t, webrtc.RTPCodecTypeVideo))
	v.Close()
	v.Close()
	s.Close()
	<-v.Done()
	if err := v.AddCandidate("candidate:1 1 udp 1 127.0.0.1 5000 typ host", "0"); !errors.Is(err, ErrClosed) {
		t.Fatalf("AddCandidate after Close: %v", err)
	}
	if m.Sessions() != 0 || s.Viewers() != 0 {
		t.Fatalf("sessions %d viewers %d", m.Sessions(), s.Viewers())
	}
	if e := <-events; e.Type != event.ViewerJoin {
		t.Fatalf("first event %s", e.Type)
	}
	if e := <-events; e.Type != event.ViewerLeave || e.Data["reason"] != "closed" {
		t.Fatalf("second event %+v", e)
	}
	select {
	case e := <-events:
		t.Fatalf("extra event %+v", e)
	default:
	}
}

// TestStreamRemoved ends the session when its stream goes away.
func TestStreamRemoved(t *testing.T) {
	m, _ := newTestManager(t, nil)
	s, k := newTestStream(&vp8Codec, nil, nil)
	v := connect(t, m, s, k, newClient(t, webrtc.RTPCodecTypeVideo))
	s.Close()
	select {
	case <-v.Done():
	case <-time.After(waitFor):
		t.Fatal("viewer outlived its stream")
	}
}

// TestRTCPFeedback sends PLI, FIR and REMB from the viewer.
func TestRTCPFeedback(t *testing.T) {
	rembs := make(chan float64, 4)
	m, reg := newTestManager(t, func(cfg *Config) {
		cfg.OnREMB = func(_ *Viewer, bitrate float64) { rembs <- bitrate }
	})
	s, k := newTestStream(&vp8Codec, nil, nil)
	cl := newClient(t, webrtc.RTPCodecTypeVideo)
	connect(t, m, s, k, cl)
	src := &source{track: s.Video, ssrc: 3, step: 3000}
	mediaCases[1].write(src, 0)
	tr := cl.nextTrack(t)
	before := k.n.Load()
	ssrc := uint32(tr.SSRC())
	if err := cl.pc.WriteRTCP([]rtcp.Packet{
		&rtcp.PictureLossIndication{MediaSSRC: ssrc},
		&rtcp.FullIntraRequest{MediaSSRC: ssrc, FIR: []rtcp.FIREntry{{SSRC: ssrc, SequenceNumber: 1}}},
		&rtcp.ReceiverEstimatedMaximumBitrate{Bitrate: 1.5e6, SSRCs: []uint32{ssrc}},
	}); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, func() bool { return k.n.Load() >= before+2 }, "PLI and FIR to reach the source")
	select {
	case b := <-rembs:
		if b != 1.5e6 {
			t.Fatalf("REMB %v", b)
		}
	case <-time.After(waitFor):
		t.Fatal("no REMB")
	}
	for _, kind := range []string{"pli", "fir", "remb"} {
		if got := metricValue(t, reg, "mediagate_egress_rtcp_received_total", "cam", kind); got < 1 {
			t.Fatalf("rtcp %s counted %v", kind, got)
		}
	}
}

// TestSenderReport gives the source a Sender Report and checks the viewer's
// SR lies on the same NTP↔RTP line, translated to the viewer's timestamps.
func TestSenderReport(t *testing.T) {
	m, _ := newTestManager(t, nil)
	s, k := newTestStream(&vp8Codec, nil, nil)
	cl := newClient(t, webrtc.RTPCodecTypeVideo)
	connect(t, m, s, k, cl)
	src := &source{track: s.Video, ssrc: 9, ts: 500000, step: 3000}
	const srcNTP = uint64(3_900_000_000) << 32
	s.Video.SetSenderClock(stream.SenderClock{SSRC: 9, NTPTime: srcNTP, RTPTime: 500000, Received: time.Now()})
	mediaCases[1].write(src, 0) // keyframe at source time 500000
	tr := cl.nextTrack(t)
	first := nextPacket(t, readPackets(tr))
	var sr *rtcp.SenderReport
	for _, r := range cl.pc.GetReceivers() {
		if r.Track() != nil && r.Track().SSRC() == tr.SSRC() {
			sr = readSR(t, r, uint32(tr.SSRC()))
		}
	}
	if sr == nil {
		t.Fatal("no receiver for the track")
	}
	elapsed := float64(sr.NTPTime-srcNTP) / (1 << 32) // seconds after the source's report
	if elapsed <= 0 || elapsed > waitFor.Seconds() {
		t.Fatalf("SR NTP %x is %v s after the source's", sr.NTPTime, elapsed)
	}
	want := first.Timestamp + uint32(elapsed*90000)
	if d := int32(sr.RTPTime - want); d < -2 || d > 2 {
		t.Fatalf("SR RTP %d, want %d (first packet %d, %.3fs)", sr.RTPTime, want, first.Timestamp, elapsed)
	}
	if sr.PacketCount != 1 || sr.OctetCount != uint32(len(first.Payload)) {
		t.Fatalf("SR counts %d packets %d octets", sr.PacketCount, sr.OctetCount)
	}
}

// TestNoGoroutineLeak runs a session with media and closes the manager.
func TestNoGoroutineLeak(t *testing.T) {
	report := test.CheckRoutines(t)
	defer report()
	m, err := NewManager(Config{Log: testLogger(), Interfaces: []string{"lo"}, IncludeLoopback: true})
	if err != nil {
		t.Fatal(err)
	}
	s, k := newTestStream(&vp8Codec, &opusCodec, nil)
	cl := newClient(t, webrtc.RTPCodecTypeVideo, webrtc.RTPCodecTypeAudio)
	v := connect(t, m, s, k, cl)
	src := &source{track: s.Video, ssrc: 4, step: 3000}
	mediaCases[1].write(src, 0)
	nextPacket(t, readPackets(cl.nextTrack(t)))
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}
	<-v.Done()
	if err := m.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	if _, _, err := m.NewViewer(t.Context(), ViewerRequest{ID: "late", Stream: s, Offer: videoOnly()}); !errors.Is(err, ErrClosed) {
		t.Fatalf("NewViewer after Close: %v", err)
	}
	_ = cl.pc.Close()
}
