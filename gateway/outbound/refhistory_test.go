package outbound

import (
	"bytes"
	"testing"
	"time"

	"github.com/pion/rtp"

	"mediagate.dev/mediagate/gateway/stream"
)

// TestRefHistory: a slot answers only for the sequence number and SSRC it
// was filled for, across the wrap of the 16-bit sequence space, and gives
// back the header fields the packet went out with.
func TestRefHistory(t *testing.T) {
	h := NewRefHistory(256)
	put := func(ssrc uint32, seq uint16, payload byte) {
		h.Put(&rtp.Header{Version: 2, SSRC: ssrc, SequenceNumber: seq, Timestamp: uint32(seq) * 10,
			PayloadType: 96 + payload%2, Marker: payload%3 == 0}, []byte{payload})
	}
	for i := range 300 { // 65400 … 65535, 0 … 163: wraps the sequence space and the ring
		put(5, uint16(65400+i), byte(i))
	}
	var hdr rtp.Header
	for _, c := range []struct {
		name string
		ssrc uint32
		seq  uint16
		ok   bool
		want byte
	}{
		{"newest", 5, 163, true, byte(299 % 256)},
		{"just after the wrap", 5, 0, true, 136},
		{"just before the wrap", 5, 65535, true, 135},
		{"oldest held", 5, 65444, true, 44},
		{"overwritten by 256 later", 5, 65443, false, 0},
		{"never sent", 5, 164, false, 0},
		{"another SSRC", 6, 163, false, 0},
	} {
		payload, ok := h.Get(c.ssrc, c.seq, &hdr)
		if ok != c.ok {
			t.Errorf("%s: ok %v, want %v", c.name, ok, c.ok)
			continue
		}
		if !ok {
			continue
		}
		want := rtp.Header{Version: 2, SSRC: 5, SequenceNumber: c.seq, Timestamp: uint32(c.seq) * 10,
			PayloadType: 96 + c.want%2, Marker: c.want%3 == 0}
		if len(payload) != 1 || payload[0] != c.want || !headersEqual(&hdr, &want) {
			t.Errorf("%s: %x %+v, want %x %+v", c.name, payload, hdr, c.want, want)
		}
	}
	if _, ok := NewRefHistory(1).Get(0, 0, &hdr); ok {
		t.Error("an empty history answered")
	}
}

func headersEqual(a, b *rtp.Header) bool {
	return a.Version == b.Version && a.Marker == b.Marker && a.PayloadType == b.PayloadType &&
		a.SequenceNumber == b.SequenceNumber && a.Timestamp == b.Timestamp && a.SSRC == b.SSRC &&
		!a.Padding && !a.Extension && len(a.CSRC) == 0
}

// TestTrackResend: the track answers a NACK with the packet it sent —
// the same header and payload, an inserted STAP-A included — and no other;
// retransmissions are not counted in the Sender Report. A packet whose
// first write was dropped (a local firewall, a full socket buffer) is kept
// too: its sequence number is spent and the receiver NACKs the gap.
func TestTrackResend(t *testing.T) {
	var out []sent
	drop := false
	w := WriterFunc(func(h *rtp.Header, payload []byte) (int, error) {
		out = append(out, sent{*h, payload})
		if drop {
			return 0, nil
		}
		return h.MarshalSize() + len(payload), nil
	})
	tr := Track{SSRC: 9, PayloadType: 102, History: NewRefHistory(4)}
	tr.Follow(h264Track())
	now := time.Now()
	for i, nal := range []byte{0x65, 0x41, 0x41} { // STAP-A + IDR, two slices
		tr.Forward(w, &stream.Packet{Header: rtp.Header{SSRC: 1, SequenceNumber: uint16(i), Timestamp: 3000 * uint32(i),
			Marker: true}, Payload: []byte{nal, byte(i)}, Keyframe: nal == 0x65, Arrival: now}, now)
	}
	if len(out) != 4 || out[0].payload[0]&0x1f != 24 {
		t.Fatalf("%d packets sent", len(out))
	}
	packets, octets := tr.Sent()
	first := out[0].hdr.SequenceNumber
	for i := range 4 {
		if !tr.Resend(w, 9, first+uint16(i)) {
			t.Fatalf("packet %d not resent", i)
		}
		again := out[len(out)-1]
		if !headersEqual(&again.hdr, &out[i].hdr) || !bytes.Equal(again.payload, out[i].payload) {
			t.Fatalf("packet %d resent as %+v %x, sent as %+v %x", i, again.hdr, again.payload, out[i].hdr, out[i].payload)
		}
	}
	if tr.Resend(w, 9, first+4) || tr.Resend(w, 9, first-1) || tr.Resend(w, 10, first) {
		t.Fatal("resent a packet the track never sent")
	}
	tr.Forward(w, &stream.Packet{Header: rtp.Header{SSRC: 1, SequenceNumber: 3, Timestamp: 9000},
		Payload: []byte{0x41, 3}, Arrival: now}, now) // takes the STAP-A's slot
	if tr.Resend(w, 9, first) {
		t.Fatal("resent a slot that now holds another sequence number")
	}
	if p, o := tr.Sent(); p != packets+1 || o != octets+2 {
		t.Fatalf("Sender Report counts %d %d after retransmissions, want %d %d", p, o, packets+1, octets+2)
	}
	drop = true
	tr.Forward(w, &stream.Packet{Header: rtp.Header{SSRC: 1, SequenceNumber: 4, Timestamp: 12000},
		Payload: []byte{0x41, 4}, Arrival: now}, now)
	drop = false
	if !tr.Resend(w, 9, first+5) || out[len(out)-1].payload[1] != 4 {
		t.Fatal("a packet whose first write was dropped is not resent")
	}
	if (&Track{}).Resend(w, 0, 0) {
		t.Fatal("a track without history resent")
	}
}
