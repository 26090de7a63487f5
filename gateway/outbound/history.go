package outbound

// History keeps the last packets one track sent, as they went on the wire
// (after SRTP), for retransmission on NACK (RFC 4585 §6.2.1). Its size is a
// power of two that divides 2^16, so a sequence number always maps to the
// same slot and a slot holds the newest packet of its residue. Slot buffers
// are reused: the history costs at most size × the largest datagram. A
// History is not safe for concurrent use: the track's sending goroutine
// owns it.
type History struct {
	slots []slot
	mask  uint16
}

type slot struct {
	seq   uint16
	valid bool
	wire  []byte
}

// NewHistory returns a History of size slots; size must be a power of two
// no larger than 2^16.
func NewHistory(size int) *History {
	return &History{slots: make([]slot, size), mask: uint16(size - 1)}
}

// Buffer returns the slot's reusable buffer for seq, emptied; the caller
// fills it and calls Store.
func (h *History) Buffer(seq uint16) []byte {
	s := &h.slots[seq&h.mask]
	s.valid = false
	return s.wire[:0]
}

// Store records wire as the datagram that carried seq.
func (h *History) Store(seq uint16, wire []byte) {
	s := &h.slots[seq&h.mask]
	s.seq, s.valid, s.wire = seq, true, wire
}

// Get returns the datagram that carried seq, or nil when it has been
// overwritten or never went out.
func (h *History) Get(seq uint16) []byte {
	s := &h.slots[seq&h.mask]
	if !s.valid || s.seq != seq {
		return nil
	}
	return s.wire
}
