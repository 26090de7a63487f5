package ingest

import (
	"bytes"
	"errors"
	"net"
	"net/netip"
	"runtime"
	"testing"
	"time"

	"github.com/pion/srtp/v3"

	"mediagate.dev/mediagate/gateway/event"
)

func TestPlainRTPFlows(t *testing.T) {
	for _, listen := range []string{"127.0.0.1:0", "[::1]:0"} {
		t.Run(listen, func(t *testing.T) {
			h := newHarness(t, SourceConfig{Listen: listen})
			if listen[0] == '[' && !h.src.LocalAddr().(*net.UDPAddr).AddrPort().Addr().Is6() {
				t.Fatalf("IPv6 listen bound %v", h.src.LocalAddr())
			}
			s := newSender(t, h.addr(), nil)
			payloads := [][]byte{idrPayload, slicePayload, numbered(3), numbered(4)}
			for _, p := range payloads {
				s.video(p)
			}
			for i, want := range payloads {
				got := h.nextVideo()
				if !bytes.Equal(got.Payload, want) || got.SequenceNumber != 1000+uint16(i) || got.SSRC != s.ssrc {
					t.Fatalf("packet %d: seq %d ssrc %x payload %x, want seq %d payload %x",
						i, got.SequenceNumber, got.SSRC, got.Payload, 1000+i, want)
				}
				if got.Keyframe != (i == 0) {
					t.Errorf("packet %d: Keyframe = %v", i, got.Keyframe)
				}
			}
			h.eventFrom(event.SourceLatched, s.addr())
			h.eventFrom(event.StreamUp, s.addr())
			if got := h.src.Latched(); got != s.addr() {
				t.Errorf("Latched() = %v, want %v", got, s.addr())
			}
			if got := h.counter(h.m.packets); got != 4 {
				t.Errorf("packets_total = %v, want 4", got)
			}
		})
	}
}

func TestAudioGoesToAudioTrack(t *testing.T) {
	h := newHarness(t, SourceConfig{SocketBuffer: 1 << 20})
	s := newSender(t, h.addr(), nil)
	s.ssrc = 0xa0d10
	for i := range 3 {
		s.send(s.packet(audioPT, numbered(i)))
	}
	for i := range 3 {
		if got := h.next(h.audio); !bytes.Equal(got.Payload, numbered(i)) || got.PayloadType != audioPT {
			t.Fatalf("audio packet %d: %x pt %d", i, got.Payload, got.PayloadType)
		}
	}
	h.noVideo()
}

// TestSlowSubscriberDoesNotBlock leaves one subscriber's queue full: the
// others still get every packet.
func TestSlowSubscriberDoesNotBlock(t *testing.T) {
	h := newHarness(t, SourceConfig{})
	stuck := h.st.Video.Subscribe(1)
	defer stuck.Close()
	s := newSender(t, h.addr(), nil)
	const n = 50
	for i := range n {
		s.video(numbered(i))
	}
	for i := range n {
		if got := h.nextVideo(); !bytes.Equal(got.Payload, numbered(i)) {
			t.Fatalf("packet %d: %x", i, got.Payload)
		}
	}
	if stuck.Dropped() != n-1 {
		t.Errorf("stuck subscriber dropped %d, want %d", stuck.Dropped(), n-1)
	}
}

func TestNotAllowedSender(t *testing.T) {
	h := newHarness(t, SourceConfig{AllowFrom: []netip.Prefix{netip.MustParsePrefix("127.0.0.2/32")}})
	s := newSender(t, h.addr(), nil)
	s.video(idrPayload)
	e := h.event(event.SourceRejected)
	if e.Data["remote"] != s.addr().String() || e.Data["reason"] != "not allowed" {
		t.Errorf("source.rejected data = %v", e.Data)
	}
	if got := h.dropped("not_allowed"); got != 1 {
		t.Errorf("dropped{not_allowed} = %v, want 1", got)
	}
	s.send(s.rtcpBytes(s.senderReport(1, 2)))
	eventually(t, func() {}, func() bool { return h.dropped("not_allowed") == 2 })
	h.noVideo()
	if h.src.Latched().IsValid() {
		t.Error("latched onto a sender outside allow_from")
	}
}

// TestRTPBleed races a second plain-RTP sender against the latched one.
func TestRTPBleed(t *testing.T) {
	h := newHarness(t, SourceConfig{RelatchAfter: 200 * time.Millisecond})
	a := newSender(t, h.addr(), nil)
	b := newSender(t, h.addr(), nil)
	a.video(idrPayload)
	a.video(slicePayload)
	h.nextVideo()
	h.nextVideo()

	b.video(numbered(1))
	b.video(numbered(2))
	a.video(numbered(3))
	if got := h.nextVideo(); !bytes.Equal(got.Payload, numbered(3)) {
		t.Fatalf("delivered %x, want the latched sender's packet", got.Payload)
	}
	if got := h.dropped("not_latched"); got != 2 {
		t.Errorf("dropped{not_latched} = %v, want 2", got)
	}
	if e := h.event(event.SourceRejected); e.Data["reason"] != "not latched" || e.Data["remote"] != b.addr().String() {
		t.Errorf("source.rejected data = %v", e.Data)
	}
	if got := h.src.Latched(); got != a.addr() {
		t.Fatalf("re-latched to %v during the race", got)
	}

	// After RelatchAfter of silence from a, b takes over.
	eventually(t, func() { b.video(numbered(9)) }, func() bool { return h.src.Latched() == b.addr() })
	h.eventFrom(event.SourceLatched, b.addr())
}

// TestStrictLatch keeps a silent sender latched until the stream times out.
func TestStrictLatch(t *testing.T) {
	h := newHarness(t, SourceConfig{Latch: "strict", RelatchAfter: 10 * time.Millisecond,
		SourceTimeout: 300 * time.Millisecond, ReceiverReportInterval: time.Hour})
	a := newSender(t, h.addr(), nil)
	b := newSender(t, h.addr(), nil)
	a.video(idrPayload)
	a.video(slicePayload)
	h.nextVideo()
	h.eventFrom(event.SourceLatched, a.addr())
	h.event(event.StreamUp)

	eventually(t, func() { b.video(numbered(1)) }, func() bool { return !h.src.Latched().IsValid() || h.src.Latched() == b.addr() })
	// The stream must have gone down before b could latch.
	deadline := time.After(waitLimit)
	for {
		select {
		case e := <-h.events:
			switch e.Type {
			case event.SourceLatched:
				t.Fatalf("b latched before the stream went down: %v", e.Data)
			case event.StreamDown:
				eventually(t, func() { b.video(numbered(2)) }, func() bool { return h.src.Latched() == b.addr() })
				return
			}
		case <-deadline:
			t.Fatal("no stream.down")
		}
	}
}

func TestStreamUpDown(t *testing.T) {
	h := newHarness(t, SourceConfig{SourceTimeout: 200 * time.Millisecond})
	s := newSender(t, h.addr(), nil)
	s.video(idrPayload)
	s.video(slicePayload)
	h.eventFrom(event.StreamUp, s.addr())
	if !h.st.Up() {
		t.Error("stream not up")
	}
	if e := h.event(event.StreamDown); e.Data["reason"] != "timeout" {
		t.Errorf("stream.down data = %v", e.Data)
	}
	if h.st.Up() || h.src.Latched().IsValid() {
		t.Error("stream still up or latched after the timeout")
	}
	if got := value(h.m.latched.WithLabelValues(testStream)); got != 0 {
		t.Errorf("latched gauge = %v", got)
	}
	// The camera comes back: the same stream resumes.
	s.video(numbered(5))
	s.video(numbered(6))
	h.eventFrom(event.StreamUp, s.addr())
}

func TestNewSourceErrors(t *testing.T) {
	busy, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	keys := randomKeys(t, srtp.ProtectionProfileAes128CmHmacSha1_80)
	short := *keys
	short.Key = short.Key[:8]
	for _, c := range []struct {
		name string
		cfg  SourceConfig
		want error
	}{
		{"bad latch", SourceConfig{Listen: "127.0.0.1:0", Latch: "last"}, ErrConfig},
		{"bad keyframe request", SourceConfig{Listen: "127.0.0.1:0", KeyframeRequest: "idr"}, ErrConfig},
		{"read buffer too small", SourceConfig{Listen: "127.0.0.1:0", ReadBuffer: 4}, ErrConfig},
		{"negative duration", SourceConfig{Listen: "127.0.0.1:0", SourceTimeout: -1}, ErrConfig},
		{"short SRTP key", SourceConfig{Listen: "127.0.0.1:0", SRTP: &short}, ErrSRTP},
		{"port in use", SourceConfig{Listen: busy.LocalAddr().String()}, ErrListen},
		{"rtcp port in use", SourceConfig{Listen: "127.0.0.1:0", RTCPListen: busy.LocalAddr().String()}, ErrListen},
		{"no listen", SourceConfig{}, ErrListen},
	} {
		t.Run(c.name, func(t *testing.T) {
			src, err := NewSource(c.cfg, newTestStream(nil), nil, nil)
			if !errors.Is(err, c.want) {
				t.Fatalf("err = %v, want %v", err, c.want)
			}
			if src != nil {
				t.Fatal("source returned with an error")
			}
		})
	}
	t.Run("no tracks", func(t *testing.T) {
		st := newTestStream(nil)
		st.Video, st.Audio = nil, nil
		if _, err := NewSource(SourceConfig{Listen: "127.0.0.1:0"}, st, nil, nil); !errors.Is(err, ErrNoTracks) {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("shared payload type", func(t *testing.T) {
		st := newTestStream(nil)
		st.Audio.Codec.PayloadType = videoPT
		if _, err := NewSource(SourceConfig{Listen: "127.0.0.1:0"}, st, nil, nil); !errors.Is(err, ErrNoTracks) {
			t.Fatalf("err = %v", err)
		}
	})
}

// TestCloseIsIdempotent also checks that Close leaves no goroutine behind.
func TestCloseIsIdempotent(t *testing.T) {
	before := runtime.NumGoroutine()
	src, err := NewSource(SourceConfig{Listen: "127.0.0.1:0", RTCPListen: "127.0.0.1:0"}, newTestStream(nil), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	src.Start()
	src.Start()
	if err := src.Close(); err != nil {
		t.Fatal(err)
	}
	if err := src.Close(); err != nil {
		t.Fatal(err)
	}
	src.Start() // after Close: nothing
	src.RequestKeyframe()
	eventually(t, func() {}, func() bool { return runtime.NumGoroutine() <= before })
}
