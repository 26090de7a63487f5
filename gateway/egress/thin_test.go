package egress

import (
	"testing"
	"time"

	"github.com/pion/rtp"

	"mediagate.dev/mediagate/gateway/outbound"
	"mediagate.dev/mediagate/gateway/stream"
)

// TestThinningKeepsSequenceContinuous thins a GOP of one three-packet key
// frame and four two-packet delta frames, twice: only the key frames go out,
// with consecutive sequence numbers, and their timestamps advance.
func TestThinningKeepsSequenceContinuous(t *testing.T) {
	var (
		rw   = outbound.Rewriter{ClockRate: 90000, Gate: true}
		thin thinner
		now  = time.Now()
		seq  uint16
		ts   uint32 = 90000
		out  []uint16
		outT []uint32
	)
	frame := func(key bool, packets int) {
		for i := range packets {
			p := &stream.Packet{Header: rtp.Header{SSRC: 7, SequenceNumber: seq, Timestamp: ts, Marker: i == packets-1},
				Keyframe: key && i == 0, Arrival: now}
			seq++
			if !thin.pass(p) {
				rw.Skip()
				continue
			}
			s, pts, ok, _ := rw.Rewrite(p, now)
			if !ok {
				t.Fatalf("packet %d refused", p.SequenceNumber)
			}
			out, outT = append(out, s), append(outT, pts)
		}
		ts += 3000
		now = now.Add(33 * time.Millisecond)
	}
	for range 2 {
		frame(true, 3)
		for range 4 {
			frame(false, 2)
		}
	}
	if len(out) != 6 {
		t.Fatalf("sent %d packets, want the 6 of two key frames", len(out))
	}
	for i := 1; i < len(out); i++ {
		if out[i] != out[i-1]+1 {
			t.Errorf("sequence numbers %v are not consecutive", out)
		}
	}
	if outT[3]-outT[0] != 5*3000 {
		t.Errorf("second key frame's timestamp %d is not 5 frames after the first %d", outT[3], outT[0])
	}
}
