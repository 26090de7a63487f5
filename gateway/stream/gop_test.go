package stream

import (
	"testing"
	"time"

	"github.com/pion/rtp"
)

// TestGOPMemory: the memory holds the packets since the latest keyframe,
// by reference, starts afresh at each keyframe (not at a second keyframe
// packet of the same picture), and drops a GOP that outgrows a bound until
// the next keyframe.
func TestGOPMemory(t *testing.T) {
	tr := NewTrack(Video, Codec{MimeType: "video/VP8", ClockRate: 90000})
	tr.SetGOPLimits(GOPLimits{MaxBytes: 1000, MaxDuration: time.Second})
	t0 := time.Unix(100, 0)
	seq := uint16(0)
	write := func(ts uint32, key bool, size int, at time.Duration) *Packet {
		seq++
		p := &Packet{Header: rtp.Header{SequenceNumber: seq, Timestamp: ts}, Payload: make([]byte, size),
			Arrival: t0.Add(at), Keyframe: key}
		tr.Write(p)
		return p
	}
	write(1, false, 100, 0) // before any keyframe: not kept
	if g := tr.GOP(); len(g.Packets) != 0 {
		t.Fatalf("before a keyframe: %d packets held", len(g.Packets))
	}
	k1 := write(3000, true, 100, 10*time.Millisecond)
	write(3000, true, 100, 10*time.Millisecond) // the same picture's second keyframe packet
	write(6000, false, 100, 43*time.Millisecond)
	g := tr.GOP()
	if len(g.Packets) != 3 || g.Packets[0] != k1 || g.Bytes != 300 || g.Frames() != 2 {
		t.Fatalf("GOP = %d packets, %d bytes, %d frames, first %p; want 3, 300, 2, %p",
			len(g.Packets), g.Bytes, g.Frames(), g.Packets[0], k1)
	}
	if age := g.Age(t0.Add(110 * time.Millisecond)); age != 100*time.Millisecond {
		t.Errorf("age %v, want 100ms", age)
	}
	k2 := write(9000, true, 50, 76*time.Millisecond)
	if g := tr.GOP(); len(g.Packets) != 1 || g.Packets[0] != k2 {
		t.Fatalf("after the next keyframe: %d packets", len(g.Packets))
	}
	for i := range 20 { // outgrows MaxBytes
		write(12000+uint32(i)*3000, false, 100, 100*time.Millisecond)
	}
	if n, b := tr.GOPUsage(); n != 0 || b != 0 {
		t.Fatalf("an overflowed GOP still holds %d packets, %d bytes", n, b)
	}
	write(90000, true, 100, 2*time.Second)
	write(93000, false, 100, 3500*time.Millisecond) // past MaxDuration
	if n, _ := tr.GOPUsage(); n != 0 {
		t.Fatalf("a GOP older than MaxDuration still holds %d packets", n)
	}
	write(96000, true, 100, 4*time.Second)
	tr.SetGOPLimits(GOPLimits{})
	if n, _ := tr.GOPUsage(); n != 0 {
		t.Fatal("turned off, the memory still holds packets")
	}
	au := NewTrack(Audio, Codec{MimeType: "audio/opus"})
	au.SetGOPLimits(GOPLimits{MaxBytes: 1000})
	au.Write(&Packet{Payload: make([]byte, 10), Keyframe: true})
	if n, _ := au.GOPUsage(); n != 0 {
		t.Fatal("an audio track remembers")
	}
}

// TestGOPHolds: a packet of the GOP, or one before its last, is held; the
// next one, one of another SSRC, and anything against an empty GOP are not.
func TestGOPHolds(t *testing.T) {
	pkt := func(ssrc uint32, seq uint16) *Packet {
		return &Packet{Header: rtp.Header{SSRC: ssrc, SequenceNumber: seq}}
	}
	g := GOP{Packets: []*Packet{pkt(1, 65534), pkt(1, 65535), pkt(1, 0)}}
	for _, c := range []struct {
		p    *Packet
		want bool
	}{{pkt(1, 0), true}, {pkt(1, 65535), true}, {pkt(1, 1), false}, {pkt(2, 0), false}} {
		if got := g.Holds(c.p); got != c.want {
			t.Errorf("Holds(ssrc %d, seq %d) = %v, want %v", c.p.SSRC, c.p.SequenceNumber, got, c.want)
		}
	}
	if (GOP{}).Holds(pkt(1, 0)) {
		t.Error("an empty GOP holds a packet")
	}
}

// BenchmarkTrackWriteGOP is Track.Write with the GOP memory on: no
// allocation per packet once the slice has grown.
func BenchmarkTrackWriteGOP(b *testing.B) {
	tr := NewTrack(Video, Codec{MimeType: "video/VP8", ClockRate: 90000})
	tr.SetGOPLimits(GOPLimits{MaxBytes: 1 << 30})
	pkts := make([]Packet, 300)
	for i := range pkts {
		pkts[i] = Packet{Header: rtp.Header{Timestamp: uint32(i/3) * 3000}, Payload: make([]byte, 1000), Keyframe: i == 0}
	}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		tr.Write(&pkts[i%len(pkts)])
	}
}
