package egress

import (
	"bytes"
	"encoding/binary"
	"testing"
	"time"

	"github.com/pion/rtp"
	"github.com/pion/webrtc/v4"

	"mediagate.dev/mediagate/gateway/stream"
	"mediagate.dev/mediagate/internal/codec"
)

// mediaCase is a codec and how its source marks keyframes.
type mediaCase struct {
	name     string
	codec    stream.Codec
	kind     webrtc.RTPCodecType
	key, mid byte // first payload byte of keyframes and of other packets
	step     uint32
	gated    bool
}

var mediaCases = []mediaCase{
	{name: "h264", codec: h264Codec, kind: webrtc.RTPCodecTypeVideo, key: 0x65, mid: 0x41, step: 3000, gated: true},
	{name: "vp8", codec: vp8Codec, kind: webrtc.RTPCodecTypeVideo, key: 0x10, mid: 0x00, step: 3000, gated: true},
	{name: "opus", codec: opusCodec, kind: webrtc.RTPCodecTypeAudio, key: 0xfc, mid: 0xfc, step: 960},
}

// write sends packet i: a keyframe every tenth packet.
// A VP8 key frame is the S bit with partition 0 and a clear P bit.
func (c mediaCase) write(src *source, i uint32) []byte {
	key := i%10 == 0
	first := c.mid
	if key {
		first = c.key
	}
	if c.name == "vp8" {
		p := []byte{0x10, 0x00, 0, 0, 0, 0}
		if !key {
			p[1] = 0x01
		}
		binary.BigEndian.PutUint32(p[2:], i)
		src.writePayload(p, key)
		return p
	}
	return src.write(first, i, c.gated && key)
}

// index recovers the packet index a payload carries.
func (c mediaCase) index(p []byte) uint32 {
	if c.name == "vp8" {
		return binary.BigEndian.Uint32(p[2:])
	}
	return binary.BigEndian.Uint32(p[1:])
}

// TestMediaPassthrough writes packets into a stream track and checks that a
// real pion viewer receives the same payloads, starting on a keyframe for
// video, with its own SSRC, the negotiated payload type and consecutive
// sequence numbers.
func TestMediaPassthrough(t *testing.T) {
	for _, c := range mediaCases {
		t.Run(c.name, func(t *testing.T) {
			m, _ := newTestManager(t, nil)
			var s *stream.Stream
			var k *keyframes
			if c.kind == webrtc.RTPCodecTypeVideo {
				s, k = newTestStream(&c.codec, nil, nil)
			} else {
				s, k = newTestStream(nil, &c.codec, nil)
			}
			cl := newClient(t, c.kind)
			connect(t, m, s, k, cl)
			track := s.Tracks()[0]
			src := &source{track: track, ssrc: 0x1234, seq: 65530, ts: 4294960000, step: c.step}
			written := map[uint32][]byte{}
			for i := uint32(1); i < 60; i++ { // starts with 9 delta packets
				written[i] = c.write(src, i)
			}
			tr := cl.nextTrack(t)
			packets := readPackets(tr)
			first := nextPacket(t, packets)
			checkPacket(t, c, first, written)
			if want := uint32(1); c.gated {
				want = 10
				if got := c.index(first.Payload); got != want {
					t.Fatalf("first packet is %d, want the keyframe %d", got, want)
				}
			}
			if first.PayloadType != uint8(tr.PayloadType()) || first.SSRC != uint32(tr.SSRC()) || first.SSRC == src.ssrc {
				t.Fatalf("header pt %d ssrc %x; track pt %d ssrc %x", first.PayloadType, first.SSRC, tr.PayloadType(), tr.SSRC())
			}
			prev := first
			for range 30 {
				p := nextPacket(t, packets)
				checkPacket(t, c, p, written)
				if p.SequenceNumber != prev.SequenceNumber+1 || p.Timestamp-prev.Timestamp != c.step {
					t.Fatalf("seq %d→%d ts %d→%d", prev.SequenceNumber, p.SequenceNumber, prev.Timestamp, p.Timestamp)
				}
				prev = p
			}
		})
	}
}

func checkPacket(t *testing.T, c mediaCase, p *rtp.Packet, written map[uint32][]byte) {
	t.Helper()
	want, ok := written[c.index(p.Payload)]
	if !ok || !bytes.Equal(p.Payload, want) {
		t.Fatalf("payload % x not written (want % x)", p.Payload, want)
	}
}

// TestSourceRestart switches the source to a new SSRC with random sequence
// numbers and timestamps: the viewer waits for the new source's keyframe,
// asks for one, and sees sequence numbers continue by one.
func TestSourceRestart(t *testing.T) {
	m, _ := newTestManager(t, nil)
	s, k := newTestStream(&vp8Codec, nil, nil)
	cl := newClient(t, webrtc.RTPCodecTypeVideo)
	connect(t, m, s, k, cl)
	c := mediaCases[1]
	src := &source{track: s.Video, ssrc: 1, seq: 100, ts: 1000, step: 3000}
	for i := uint32(0); i < 5; i++ {
		c.write(src, i)
	}
	packets := readPackets(cl.nextTrack(t))
	var last *rtp.Packet
	for range 5 {
		last = nextPacket(t, packets)
	}
	requests := k.n.Load()
	restarted := &source{track: s.Video, ssrc: 2, seq: 40000, ts: 123456789, step: 3000}
	before := time.Now()
	c.write(restarted, 1001) // a delta frame of the new source: not forwarded
	waitUntil(t, func() bool { return k.n.Load() > requests }, "keyframe request after the restart")
	c.write(restarted, 1010) // keyframe
	gap := time.Since(before)
	p := nextPacket(t, packets)
	if got := c.index(p.Payload); got != 1010 {
		t.Fatalf("first packet after restart is %d, want 1010", got)
	}
	if p.SequenceNumber != last.SequenceNumber+1 || p.SSRC != last.SSRC {
		t.Fatalf("seq %d after %d, ssrc %x after %x", p.SequenceNumber, last.SequenceNumber, p.SSRC, last.SSRC)
	}
	advance := time.Duration(p.Timestamp-last.Timestamp) * time.Second / 90000
	if advance <= 0 || advance > gap+time.Second {
		t.Fatalf("timestamp advanced %v over a %v gap", advance, gap)
	}
}

// TestSPSInsertion gives the stream out-of-band parameter sets: a keyframe
// without an SPS reaches the viewer after a STAP-A of SPS and PPS that has
// the keyframe's timestamp and its own sequence number.
func TestSPSInsertion(t *testing.T) {
	sprop := "Z0LAFtkAoD2wEQAAAwABAAADAAIPFi5I,aMuDyyA="
	sps, pps, err := codec.ParseSprop(sprop)
	if err != nil {
		t.Fatal(err)
	}
	vc := h264Codec
	vc.Fmtp = "packetization-mode=1;profile-level-id=42e01f;sprop-parameter-sets=" + sprop
	m, _ := newTestManager(t, nil)
	s, k := newTestStream(&vc, nil, nil)
	cl := newClient(t, webrtc.RTPCodecTypeVideo)
	connect(t, m, s, k, cl)
	src := &source{track: s.Video, ssrc: 7, seq: 1, ts: 90000, step: 3000}
	src.write(0x65, 1, true) // IDR without SPS
	src.write(0x41, 2, false)
	src.writePayload(codec.BuildSTAPA(sps, pps), true) // in-band parameter sets …
	src.ts -= 3000
	src.write(0x65, 4, true) // … then an IDR of the same access unit: no insertion
	packets := readPackets(cl.nextTrack(t))
	stap := nextPacket(t, packets)
	idr := nextPacket(t, packets)
	if !bytes.Equal(stap.Payload, codec.BuildSTAPA(sps, pps)) {
		t.Fatalf("first packet % x, want the STAP-A", stap.Payload)
	}
	if idr.Payload[0] != 0x65 || idr.Timestamp != stap.Timestamp || idr.SequenceNumber != stap.SequenceNumber+1 || stap.Marker {
		t.Fatalf("stap seq %d ts %d marker %v; idr seq %d ts %d", stap.SequenceNumber, stap.Timestamp, stap.Marker, idr.SequenceNumber, idr.Timestamp)
	}
	for i, want := range []byte{0x41, 0x78, 0x65} {
		p := nextPacket(t, packets)
		if p.Payload[0] != want || p.SequenceNumber != idr.SequenceNumber+uint16(i)+1 {
			t.Fatalf("packet %d: % x seq %d", i, p.Payload[:1], p.SequenceNumber)
		}
	}
}

func waitUntil(t *testing.T, cond func() bool, what string) {
	t.Helper()
	deadline := time.Now().Add(waitFor)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}
