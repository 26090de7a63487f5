package ingest

import (
	"bytes"
	"encoding/binary"
	"slices"
	"testing"

	"github.com/pion/rtcp"
	"github.com/pion/rtp"

	"mediagate.dev/mediagate/gateway/stream"
	"mediagate.dev/mediagate/internal/codec"
)

// rtpBytes builds a raw RTP packet: first byte b0 (version, padding,
// extension, CSRC count), payload type pt, then rest after the fixed header.
func rtpBytes(b0, pt byte, seq uint16, rest ...byte) []byte {
	b := []byte{b0, pt, 0, 0, 0, 0, 0x10, 0, 0x0b, 0xad, 0xca, 0xfe} // SSRC 0x0badcafe
	binary.BigEndian.PutUint16(b[2:], seq)
	return append(b, rest...)
}

func mustRTCP(pkts ...rtcp.Packet) []byte {
	b, err := rtcp.Marshal(pkts)
	if err != nil {
		panic(err)
	}
	return b
}

// badPackets are datagrams the source must drop, with the reason it counts.
// They also seed FuzzClassify.
var badPackets = []struct {
	name   string
	b      []byte
	reason string
}{
	{"empty", nil, "malformed"},
	{"one byte", []byte{0x80}, "malformed"},
	{"truncated header", rtpBytes(0x80, videoPT, 1)[:9], "malformed"},
	{"version 0", rtpBytes(0x00, videoPT, 1, 0x41, 1), "malformed"},
	{"version 1", rtpBytes(0x40, videoPT, 1, 0x41, 1), "malformed"},
	{"version 3", rtpBytes(0xc0, videoPT, 1, 0x41, 1), "malformed"},
	{"STUN", []byte{0x00, 0x01, 0x00, 0x00, 0x21, 0x12, 0xa4, 0x42, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}, "malformed"},
	{"DTLS", []byte{0x16, 0xfe, 0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10}, "malformed"},
	{"CSRC count past the end", rtpBytes(0x8f, videoPT, 1, 1, 2, 3, 4), "malformed"},
	{"extension length past the end", rtpBytes(0x90, videoPT, 1, 0xbe, 0xde, 0x00, 0xff, 0x10, 0xaa), "malformed"},
	{"extension header truncated", rtpBytes(0x90, videoPT, 1, 0xbe), "malformed"},
	{"padding length 0", rtpBytes(0xa0, videoPT, 1, 0x41, 0x01, 0x00), "malformed"},
	{"padding longer than payload", rtpBytes(0xa0, videoPT, 1, 0x41, 0x01, 0xc8), "malformed"},
	{"padding only", rtpBytes(0xa0, videoPT, 1, 0x00, 0x00, 0x03), "padding"},
	{"no payload", rtpBytes(0x80, videoPT, 1), "malformed"},
	{"unknown payload type", rtpBytes(0x80, 100, 1, 0x41, 0x01), "payload_type"},
	{"oversize", rtpBytes(0x80, videoPT, 1, make([]byte, 9000)...), "oversize"},
	{"one byte over the buffer", rtpBytes(0x80, videoPT, 1, make([]byte, 2049-12)...), "oversize"},
	{"RTCP shorter than a header", []byte{0x80, 200, 0x00}, "rtcp_malformed"},
	{"RTCP length past the end", []byte{0x80, 200, 0x00, 0xff, 0, 0, 0, 1}, "rtcp_malformed"},
	{"RTCP report count past the end", []byte{0x9f, 201, 0x00, 0x01, 0, 0, 0, 1}, "rtcp_malformed"},
	{"RTCP not starting with SR or RR", mustRTCP(&rtcp.PictureLossIndication{SenderSSRC: 1, MediaSSRC: 2}), "rtcp_malformed"},
	{"RTCP trailing garbage", append(mustRTCP(&rtcp.ReceiverReport{SSRC: 1}), 0x80, 0xcb), "rtcp_malformed"},
}

// TestMalformedDropped sends each bad datagram from the latched sender,
// then a good packet: the bad one is counted under its reason and the
// stream keeps flowing.
func TestMalformedDropped(t *testing.T) {
	h := newHarness(t, SourceConfig{ReadBuffer: 2048})
	s := newSender(t, h.addr(), nil)
	s.video(idrPayload)
	s.video(slicePayload)
	h.nextVideo()
	h.nextVideo()
	for i, c := range badPackets {
		before := h.dropped(c.reason)
		s.send(c.b)
		s.video(numbered(i))
		if got := h.nextVideo(); !bytes.Equal(got.Payload, numbered(i)) {
			t.Fatalf("%s: delivered %x, want the next good packet", c.name, got.Payload)
		}
		if got := h.dropped(c.reason); got != before+1 {
			t.Errorf("%s: dropped{%s} = %v, want %v", c.name, c.reason, got, before+1)
		}
	}
	h.noVideo()
}

// TestDatagramOfExactlyReadBuffer is delivered: only larger ones are cut.
func TestDatagramOfExactlyReadBuffer(t *testing.T) {
	h := newHarness(t, SourceConfig{ReadBuffer: 1400})
	s := newSender(t, h.addr(), nil)
	big := append([]byte{0x41}, make([]byte, 1400-12-1)...)
	s.video(idrPayload)
	s.video(big)
	h.nextVideo()
	if got := h.nextVideo(); len(got.Payload) != len(big) {
		t.Fatalf("payload of %d bytes, want %d", len(got.Payload), len(big))
	}
}

// TestDuplicatesDropped resends packets already delivered.
func TestDuplicatesDropped(t *testing.T) {
	h := newHarness(t, SourceConfig{})
	s := newSender(t, h.addr(), nil)
	first := s.packet(videoPT, idrPayload)
	second := s.packet(videoPT, slicePayload)
	s.send(first)
	s.send(second)
	s.send(second)
	s.send(first)
	s.video(numbered(3))
	for _, want := range [][]byte{idrPayload, slicePayload, numbered(3)} {
		if got := h.nextVideo(); !bytes.Equal(got.Payload, want) {
			t.Fatalf("delivered %x, want %x", got.Payload, want)
		}
	}
	if got := h.dropped("duplicate"); got != 2 {
		t.Errorf("dropped{duplicate} = %v, want 2", got)
	}
}

// TestHeaderOwnsItsSlices sends packets with CSRCs and header extensions:
// a delivered packet's header must not change when the next one arrives.
func TestHeaderOwnsItsSlices(t *testing.T) {
	h := newHarness(t, SourceConfig{})
	s := newSender(t, h.addr(), nil)
	for i := range 3 {
		p := rtp.Packet{Header: rtp.Header{Version: 2, PayloadType: videoPT, SequenceNumber: s.seq, SSRC: s.ssrc,
			CSRC: []uint32{uint32(i), uint32(i + 100)}}, Payload: numbered(i)}
		if err := p.SetExtension(1, []byte{byte(i), 0xee}); err != nil {
			t.Fatal(err)
		}
		s.seq++
		raw, err := p.Marshal()
		if err != nil {
			t.Fatal(err)
		}
		s.send(raw)
	}
	got := []*stream.Packet{h.nextVideo(), h.nextVideo(), h.nextVideo()}
	for i, p := range got {
		if !slices.Equal(p.CSRC, []uint32{uint32(i), uint32(i + 100)}) ||
			!bytes.Equal(p.GetExtension(1), []byte{byte(i), 0xee}) || !bytes.Equal(p.Payload, numbered(i)) {
			t.Errorf("packet %d: CSRC %v extension %x payload %x", i, p.CSRC, p.GetExtension(1), p.Payload)
		}
	}
}

// TestMalformedH264Dropped sends H.264 payloads that cannot be valid RTP
// payload in packetization mode 1, each from the latched sender in
// sequence and followed by a good slice: each is dropped under its reason,
// the good one is delivered. A sequence parameter set of 16384x16384
// arriving mid-stream is refused; the stream's own SPS is not.
func TestMalformedH264Dropped(t *testing.T) {
	sps := []byte{0x67, 0x42, 0xc0, 0x1e, 0xda, 0x05, 0x05, 0xe8}                    // 320x176 baseline
	huge := []byte{0x67, 0x42, 0xc0, 0x1e, 0xda, 0x00, 0x10, 0x00, 0x00, 0x80, 0x1a} // 16384x16384
	cases := []struct {
		name    string
		payload []byte
		reason  string
	}{
		{"NAL type 0", []byte{0x00, 0x9a, 1}, "h264_packet_type"},
		{"NAL type 30", []byte{0x7e, 0x9a, 1}, "h264_packet_type"},
		{"NAL type 31", []byte{0x7f, 0x9a, 1}, "h264_packet_type"},
		{"STAP-B", []byte{0x79, 0, 1, 0, 2, 0x41, 1}, "h264_packet_type"},
		{"STAP-A that overruns", []byte{0x78, 0x00, 0x40, 0x67, 0x42, 0x00}, "h264_stap_a"},
		{"FU-A without start", []byte{0x7c, 0x01, 0x9a, 1}, "h264_fu_a"},
		{"FU-A end without start", []byte{0x7c, 0x41, 0x9a, 1}, "h264_fu_a"},
		{"FU-A start and end", []byte{0x7c, 0xc1, 0x9a, 1}, "h264_fu_a"},
		{"SPS of 16384x16384", huge, "h264_sps"},
		{"STAP-A with that SPS", codec.BuildSTAPA(huge, []byte{0x68, 0xce, 0x3c, 0x80}), "h264_sps"},
	}
	h := newHarness(t, SourceConfig{})
	s := newSender(t, h.addr(), nil)
	good := [][]byte{sps, idrPayload, {0x7c, 0x81, 0x9a}, {0x7c, 0x01, 0x02}, {0x7c, 0x41, 0x03}}
	for _, p := range good {
		s.video(p)
	}
	for _, p := range good { // the first waits for the second (probation)
		if got := h.nextVideo(); !bytes.Equal(got.Payload, p) {
			t.Fatalf("delivered %x, want %x", got.Payload, p)
		}
	}
	for i, c := range cases {
		before := h.dropped(c.reason)
		s.video(c.payload)
		s.video(numbered(i))
		if got := h.nextVideo(); !bytes.Equal(got.Payload, numbered(i)) {
			t.Fatalf("%s: delivered %x, want the next good packet", c.name, got.Payload)
		}
		if got := h.dropped(c.reason); got != before+1 {
			t.Errorf("%s: dropped{%s} = %v, want %v", c.name, c.reason, got, before+1)
		}
	}
	s.video(sps) // the stream's own SPS again: accepted
	if got := h.nextVideo(); !bytes.Equal(got.Payload, sps) {
		t.Fatalf("delivered %x, want the SPS", got.Payload)
	}
	h.noVideo()
}
