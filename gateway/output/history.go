package output

// history keeps the last packets one track sent, as they went on the wire
// (after SRTP), for retransmission on NACK (RFC 4585 §6.2.1). Its size is a
// power of two that divides 2^16, so a sequence number always maps to the
// same slot and a slot holds the newest packet of its residue. Slot buffers
// are reused: the history costs at most size × the largest datagram.
type history struct {
	slots []slot
	mask  uint16
}

type slot struct {
	seq   uint16
	valid bool
	wire  []byte
}

func newHistory(size int) *history {
	return &history{slots: make([]slot, size), mask: uint16(size - 1)}
}

// buffer returns the slot's reusable buffer for seq, emptied; the caller
// fills it and calls store.
func (h *history) buffer(seq uint16) []byte {
	s := &h.slots[seq&h.mask]
	s.valid = false
	return s.wire[:0]
}

// store records wire as the datagram that carried seq.
func (h *history) store(seq uint16, wire []byte) {
	s := &h.slots[seq&h.mask]
	s.seq, s.valid, s.wire = seq, true, wire
}

// get returns the datagram that carried seq, or nil when it has been
// overwritten or never went out.
func (h *history) get(seq uint16) []byte {
	s := &h.slots[seq&h.mask]
	if !s.valid || s.seq != seq {
		return nil
	}
	return s.wire
}
