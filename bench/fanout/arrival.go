package main

import (
	"encoding/binary"
	"sync"
	"time"

	"golang.org/x/sys/unix"
)

// Socket arrival: where the server's part of the added latency ends. Each
// benchmark viewer's ICE sockets are the bench's own (stampedNet,
// rxstamp.go), with kernel receive timestamps on: the kernel stamps each
// datagram as the server's send hands it to loopback or the veth
// (SO_TIMESTAMPNS, taken when the packet enters the receive path, before
// any reader wakes). The socket's reader records that time by the RTP
// packet's SSRC and sequence number, which SRTP leaves in clear text
// (RFC 3711 §3.1), in the viewer's arrival table; after SRTP, the viewer
// looks its packet up by the same two fields (latency.go).

// arrivalSlots is the size of a viewer's arrival table: a slot is taken by
// the sequence number, a newer packet overwrites an older one. A packet is
// looked up within milliseconds of its arrival; 1024 slots hold the last
// three seconds of a 300 packets/s stream.
const arrivalSlots = 1 << 10

// arrivalTable maps the RTP packets one viewer's sockets received, by SSRC
// and sequence number, to when they arrived. Its memory is fixed; the
// socket's reader puts, the viewer's track reader looks up.
type arrivalTable struct {
	mu    sync.Mutex
	slots [arrivalSlots]arrival
}

// arrival is when one RTP packet reached a viewer, both on monoNow's clock.
type arrival struct {
	key  uint64 // arrivalKey of the packet; 0 in an empty slot
	at   int64  // the kernel's receive timestamp
	read int64  // when the socket's reader (ICE's receive loop) got it
}

// arrivalKey packs an SSRC and a sequence number, with a bit set so that no
// packet's key is 0.
func arrivalKey(ssrc uint32, seq uint16) uint64 {
	return 1<<48 | uint64(ssrc)<<16 | uint64(seq)
}

// put records that the packet (ssrc, seq) arrived at and was read at read.
func (t *arrivalTable) put(ssrc uint32, seq uint16, at, read int64) {
	t.mu.Lock()
	t.slots[seq&(arrivalSlots-1)] = arrival{key: arrivalKey(ssrc, seq), at: at, read: read}
	t.mu.Unlock()
}

// lookup returns the arrival of the packet (ssrc, seq).
func (t *arrivalTable) lookup(ssrc uint32, seq uint16) (arrival, bool) {
	t.mu.Lock()
	a := t.slots[seq&(arrivalSlots-1)]
	t.mu.Unlock()
	return a, a.key == arrivalKey(ssrc, seq)
}

// of returns the arrival of an RTP packet read after SRTP (its header is
// the one that arrived); a nil table has none.
func (t *arrivalTable) of(pkt []byte) (arrival, bool) {
	ssrc, seq, ok := rtpIdentity(pkt)
	if t == nil || !ok {
		return arrival{}, false
	}
	return t.lookup(ssrc, seq)
}

// rtpIdentity returns the SSRC and sequence number of an RTP packet (RFC
// 3550 §5.1), and false for anything else on the socket: STUN, DTLS (first
// byte outside 128–191, RFC 7983 §7) and RTCP (second byte 192–223, the
// payload types RFC 5761 §4 keeps apart).
func rtpIdentity(pkt []byte) (ssrc uint32, seq uint16, ok bool) {
	if len(pkt) < 12 || pkt[0] < 128 || pkt[0] > 191 || (pkt[1] >= 192 && pkt[1] <= 223) {
		return 0, 0, false
	}
	return binary.BigEndian.Uint32(pkt[8:12]), binary.BigEndian.Uint16(pkt[2:4]), true
}

// kernelTimestamp returns the kernel timestamp in a recvmsg's control
// messages, as nanoseconds of CLOCK_REALTIME since the Unix epoch: the
// receive timestamp of SO_TIMESTAMPNS (SCM_TIMESTAMPNS, a struct timespec)
// or the software one of SO_TIMESTAMPING (SCM_TIMESTAMPING, three
// timespecs, the software one first); see socket(7) and the kernel's
// Documentation/networking/timestamping.rst.
func kernelTimestamp(oob []byte) (int64, bool) {
	for len(oob) > 0 {
		hdr, data, rest, err := unix.ParseOneSocketControlMessage(oob)
		if err != nil {
			return 0, false
		}
		isStamp := hdr.Type == unix.SCM_TIMESTAMPNS || hdr.Type == unix.SCM_TIMESTAMPING
		if hdr.Level == unix.SOL_SOCKET && isStamp && len(data) >= 16 {
			sec := int64(binary.NativeEndian.Uint64(data[0:8]))
			nsec := int64(binary.NativeEndian.Uint64(data[8:16]))
			if sec != 0 || nsec != 0 {
				return sec*1e9 + nsec, true
			}
		}
		oob = rest
	}
	return 0, false
}

// wallToMono moves a CLOCK_REALTIME time (ns since the epoch) onto
// monoNow's clock, using now, which read both clocks at once: their offset
// is the same at the kernel's stamp as a moment later, unless the wall
// clock is stepped in between.
func wallToMono(wall int64, now time.Time) int64 {
	return wall - now.UnixNano() + int64(now.Sub(clockBase))
}
