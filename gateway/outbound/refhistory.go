package outbound

import "github.com/pion/rtp"

// RefHistory keeps the last packets one track numbered and sent, for
// retransmission on NACK (RFC 4585 §6.2.1), without copying them: a slot refers to the
// payload the track sent — a shared, immutable stream.Packet's, or an
// aggregation packet of parameter sets, which is never changed once built —
// and keeps the header fields the track wrote for it (RFC 3550 §5.1). A
// retransmission is that header rebuilt and the same payload: the same
// packet, which the owner's Writer protects again.
//
// Its size is a power of two that divides 2^16, so a sequence number always
// maps to the same slot and a slot holds the newest packet of its residue;
// a slot is used only for the sequence number and SSRC it was filled for.
// A slot costs 40 bytes and pins a payload the stream keeps anyway for a
// moment. A RefHistory is not safe for concurrent use: the goroutine that
// owns the Track owns it.
type RefHistory struct {
	slots []refSlot
	mask  uint16
}

// refSlot is one packet sent: its payload and the header fields that are
// not the same for every packet of the track's header layout (version 2, no
// padding, no CSRC, no extension).
type refSlot struct {
	payload []byte
	ts      uint32
	ssrc    uint32
	seq     uint16
	pt      uint8
	marker  bool
	valid   bool
}

// NewRefHistory returns a RefHistory of size slots; size must be a power
// of two no larger than 2^16.
func NewRefHistory(size int) *RefHistory {
	if size <= 0 || size > 1<<16 || size&(size-1) != 0 {
		panic("outbound: RefHistory size must be a power of two up to 65536")
	}
	return &RefHistory{slots: make([]refSlot, size), mask: uint16(size - 1)}
}

// Put records the packet with header h and payload as the one numbered
// h.SequenceNumber, whether or not its first write succeeded. payload must
// never change afterwards.
func (r *RefHistory) Put(h *rtp.Header, payload []byte) {
	r.slots[h.SequenceNumber&r.mask] = refSlot{
		payload: payload, ts: h.Timestamp, ssrc: h.SSRC, seq: h.SequenceNumber,
		pt: h.PayloadType, marker: h.Marker, valid: true,
	}
}

// Get rebuilds into h the header of the packet sent as seq on ssrc and
// returns its payload; ok is false when that packet is no longer held (its
// slot went to a newer sequence number, or to another SSRC) or never went
// out.
func (r *RefHistory) Get(ssrc uint32, seq uint16, h *rtp.Header) (payload []byte, ok bool) {
	s := &r.slots[seq&r.mask]
	if !s.valid || s.seq != seq || s.ssrc != ssrc {
		return nil, false
	}
	*h = rtp.Header{
		Version: 2, Marker: s.marker, PayloadType: s.pt,
		SequenceNumber: s.seq, Timestamp: s.ts, SSRC: s.ssrc,
	}
	return s.payload, true
}
