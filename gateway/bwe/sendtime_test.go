package bwe

import (
	"testing"
	"time"

	"github.com/pion/rtp"
)

func TestAbsSendTime(t *testing.T) {
	const second = 1 << absSendTimeFraction
	tests := []struct {
		name   string
		values []uint32
		want   []time.Duration
	}{
		{"forwards", []uint32{0, second / 2, second}, []time.Duration{0, 500 * time.Millisecond, time.Second}},
		{"wraps at 64 s", []uint32{63 * second, 0, second}, []time.Duration{63 * time.Second, 64 * time.Second, 65 * time.Second}},
		{"reordered across the wrap", []uint32{0xffffff, 1, 0xfffffe}, []time.Duration{
			ticksToDuration(0xffffff, second), ticksToDuration(0x1000001, second), ticksToDuration(0xfffffe, second)}},
		{"high bits ignored", []uint32{0xff000000 | second, 2 * second}, []time.Duration{time.Second, 2 * time.Second}},
		{"two wraps", []uint32{0, 30 * second, 60 * second, 26 * second, 56 * second, 22 * second},
			[]time.Duration{0, 30 * time.Second, 60 * time.Second, 90 * time.Second, 120 * time.Second, 150 * time.Second}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var a AbsSendTime
			for i, v := range tt.values {
				if got := a.Unwrap(v); got != tt.want[i] {
					t.Errorf("Unwrap(%#x) #%d = %v, want %v", v, i, got, tt.want[i])
				}
			}
		})
	}
}

func TestRTPTime(t *testing.T) {
	tests := []struct {
		name  string
		rate  uint32
		ts    []uint32
		wantD []time.Duration // relative to the first timestamp
	}{
		{"video forwards", 90000, []uint32{1000, 1000 + 3000, 1000 + 90000}, []time.Duration{0, time.Second / 30, time.Second}},
		{"video wraps", 0, []uint32{0xffffffff - 2999, 0, 3000}, []time.Duration{0, time.Second / 30, 2 * time.Second / 30}},
		{"reordered over the wrap", 90000, []uint32{0xfffffff0, 0x10, 0xffffffe0}, []time.Duration{0,
			ticksToDuration(0x20, 90000), -ticksToDuration(0x10, 90000)}},
		{"audio", 48000, []uint32{7, 7 + 960}, []time.Duration{0, 20 * time.Millisecond}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := RTPTime{ClockRate: tt.rate}
			first := r.Unwrap(tt.ts[0])
			for i, ts := range tt.ts[1:] {
				if got := r.Unwrap(ts) - first; (got - tt.wantD[i+1]).Abs() > time.Microsecond {
					t.Errorf("Unwrap(%#x) - first = %v, want %v", ts, got, tt.wantD[i+1])
				}
			}
		})
	}
}

// TestRTPTimeLongRun unwraps a 90 kHz clock for longer than two wraps
// (2^32 ticks is about 13.3 hours) and checks the result stays exact.
func TestRTPTimeLongRun(t *testing.T) {
	var r RTPTime
	ts := uint32(0xfff00000)
	first := r.Unwrap(ts)
	const step = 90000 * 60 // one minute
	for i := 1; i <= 2000; i++ {
		ts += step
		if got, want := r.Unwrap(ts)-first, time.Duration(i)*time.Minute; got != want {
			t.Fatalf("after %d minutes: %v, want %v", i, got, want)
		}
	}
}

// TestSendClock reads abs-send-time when configured (and skips packets
// without it), RTP timestamps otherwise, restarting on a new SSRC.
func TestSendClock(t *testing.T) {
	abs := SendClock{ExtensionID: 3}
	h := rtp.Header{SSRC: 1, Timestamp: 9000}
	if _, ok := abs.SendTime(&h, 90000); ok {
		t.Fatal("a packet without the extension had a send time")
	}
	if err := h.SetExtension(3, []byte{0x04, 0x00, 0x00}); err != nil { // 0x040000 is 1 s in 6.18 fixed point
		t.Fatal(err)
	}
	first, ok := abs.SendTime(&h, 90000)
	if err := h.SetExtension(3, []byte{0x08, 0x00, 0x00}); err != nil {
		t.Fatal(err)
	}
	second, _ := abs.SendTime(&h, 90000)
	if !ok || second-first != time.Second {
		t.Errorf("abs-send-time 1 s apart read %v apart", second-first)
	}

	var ts SendClock
	a, _ := ts.SendTime(&rtp.Header{SSRC: 1, Timestamp: 90000}, 90000)
	b, _ := ts.SendTime(&rtp.Header{SSRC: 1, Timestamp: 180000}, 90000)
	c, _ := ts.SendTime(&rtp.Header{SSRC: 2, Timestamp: 5}, 90000)
	d, _ := ts.SendTime(&rtp.Header{SSRC: 2, Timestamp: 45005}, 90000)
	if b-a != time.Second || d-c != time.Second/2 {
		t.Errorf("RTP timestamps: %v and %v apart, want 1 s and 0.5 s", b-a, d-c)
	}
}
