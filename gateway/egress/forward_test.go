package egress

import (
	"log/slog"
	"testing"
	"time"

	"github.com/pion/rtp"

	"mediagate.dev/mediagate/gateway/stream"
	"mediagate.dev/mediagate/internal/ratelog"
)

// discardWriter stands in for pion's TrackLocalWriter.
type discardWriter struct{}

func (discardWriter) WriteRTP(h *rtp.Header, payload []byte) (int, error) {
	return h.MarshalSize() + len(payload), nil
}

func (discardWriter) Write(b []byte) (int, error) { return len(b), nil }

// BenchmarkForward measures the per-packet path of a viewer track, from a
// queued stream.Packet to pion's writer: rewrite, H.264 checks, write and
// metrics, for each kind of payload a camera sends (at a 1200-byte MTU
// nearly every packet is an FU-A fragment). It should not allocate.
func BenchmarkForward(b *testing.B) {
	fill := func(head ...byte) []byte { return append(head, make([]byte, 1200-len(head))...) }
	for _, c := range []struct {
		name    string
		payload []byte
	}{
		{"slice", fill(0x41)},
		{"fu-a", fill(0x7c, 0x01)}, // a middle fragment of a non-IDR slice
		{"stap-a", []byte{0x78, 0, 2, 0x68, 0xce, 0, 2, 0x06, 0x05}}, // PPS, SEI: no SPS
	} {
		b.Run(c.name, func(b *testing.B) { benchmarkForward(b, c.payload) })
	}
}

func benchmarkForward(b *testing.B, payload []byte) {
	s, _ := newTestStream(&h264Codec, nil, nil)
	log := slog.New(slog.DiscardHandler)
	v := &Viewer{stream: s, log: log, errs: ratelog.New(log), metrics: NewMetrics(nil).forStream("bench")}
	t := &outTrack{boundCh: make(chan struct{})}
	t.bound.Store(&binding{ssrc: 1, pt: 102, writer: discardWriter{}})
	plan := &trackPlan{src: s.Video, offeredProfiles: map[uint8]bool{0x42: true}}
	f := newForwarder(v, plan, t)
	f.live = true
	p := &stream.Packet{
		Header:  rtp.Header{Version: 2, PayloadType: 96, SSRC: 7},
		Payload: make([]byte, 1200), Arrival: time.Now(), Keyframe: true,
	}
	p.Payload[0] = 0x65
	f.forward(p, time.Now())
	p.Keyframe, p.Payload = false, payload
	b.ReportAllocs()
	b.SetBytes(int64(len(p.Payload)))
	for b.Loop() {
		p.SequenceNumber++ // one access unit: the timestamp stays
		f.forward(p, time.Now())
	}
	if sent, _ := f.out.Sent(); f.out.Waiting() || sent < 2 {
		b.Fatalf("forwarder dropped packets: waiting %v, sent %d", f.out.Waiting(), sent)
	}
}
