package main

import (
	"io"
	"log/slog"
	"testing"
	"testing/synctest"
	"time"

	"github.com/pion/rtcp"

	"mediagate.dev/mediagate/transcoder"
)

func TestAbsSendTimeTicks(t *testing.T) {
	for _, tc := range []struct {
		d    time.Duration
		want uint32
	}{
		{0, 0},
		{time.Second, 1 << 18},
		{1500 * time.Millisecond, 3 << 17},
		{time.Second / (1 << 18), 0}, // 3.8 µs: just under one tick
		{3815 * time.Nanosecond, 1},  // one tick is 3.8147 µs
		{63 * time.Second, 63 << 18},
		{64 * time.Second, 0}, // wraps every 64 s
		{64*time.Second + 250*time.Millisecond, 1 << 16},
		{100 * time.Hour, (360000 % 64) << 18},
	} {
		if got := absSendTimeTicks(tc.d); got != tc.want {
			t.Errorf("absSendTimeTicks(%v) = %d, want %d", tc.d, got, tc.want)
		}
		b := absSendTime(tc.d)
		if got := uint32(b[0])<<16 | uint32(b[1])<<8 | uint32(b[2]); got != tc.want {
			t.Errorf("absSendTime(%v) = % x, want %06x", tc.d, b, tc.want)
		}
	}
}

func TestPTS(t *testing.T) {
	for _, tc := range []struct {
		d    time.Duration
		want uint32
	}{
		{0, 0},
		{100 * time.Millisecond, 9000},
		{time.Second / 30, 2999}, // 33.333333 ms: truncated, as testpattern does
		{time.Second, 90000},
		{48 * time.Hour, uint32(uint64(48*3600*90000) % (1 << 32))},
	} {
		if got := pts(tc.d); got != tc.want {
			t.Errorf("pts(%v) = %d, want %d", tc.d, got, tc.want)
		}
	}
}

func TestRateMeter(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		start := time.Now()
		m := newRateMeter(rateWindow, start)
		if got := m.rate(start); got != 0 {
			t.Errorf("rate at start = %d", got)
		}
		// 1250 bytes every 10 ms is 1 Mbit/s.
		for range 100 {
			time.Sleep(10 * time.Millisecond)
			m.add(time.Now(), 1250)
			if now := time.Now(); now.Sub(start) == 100*time.Millisecond {
				if got := m.rate(now); got != 1_000_000 {
					t.Errorf("rate after 100 ms = %d, want 1000000 (over the time since start)", got)
				}
			}
		}
		if got := m.rate(time.Now()); got != 1_000_000 {
			t.Errorf("rate = %d, want 1000000", got)
		}
		time.Sleep(250 * time.Millisecond)
		if got := m.rate(time.Now()); got != 500_000 {
			t.Errorf("rate after half a window of silence = %d, want 500000", got)
		}
		time.Sleep(time.Second)
		if got := m.rate(time.Now()); got != 0 {
			t.Errorf("rate after silence = %d, want 0", got)
		}
	})
}

func TestControl(t *testing.T) {
	for _, tc := range []struct {
		name         string
		pkts         []rtcp.Packet
		remb, target int64
		keyframe     bool
	}{
		{"nothing", []rtcp.Packet{&rtcp.ReceiverReport{}}, 0, 1_000_000, false},
		{"REMB", []rtcp.Packet{&rtcp.ReceiverReport{}, &rtcp.ReceiverEstimatedMaximumBitrate{Bitrate: 600_000}}, 600_000, 600_000, false},
		{"REMB below min", []rtcp.Packet{&rtcp.ReceiverEstimatedMaximumBitrate{Bitrate: 1000}}, 1000, 100_000, false},
		{"REMB above max", []rtcp.Packet{&rtcp.ReceiverEstimatedMaximumBitrate{Bitrate: 9e6}}, 9e6, 4_000_000, false},
		{"last REMB wins", []rtcp.Packet{
			&rtcp.ReceiverEstimatedMaximumBitrate{Bitrate: 2e6}, &rtcp.ReceiverEstimatedMaximumBitrate{Bitrate: 3e6},
		}, 3e6, 3e6, false},
		{"PLI", []rtcp.Packet{&rtcp.PictureLossIndication{MediaSSRC: 1}}, 0, 1_000_000, true},
		{"FIR", []rtcp.Packet{&rtcp.FullIntraRequest{FIR: []rtcp.FIREntry{{SSRC: 1}}}}, 0, 1_000_000, true},
		{"NACK ignored", []rtcp.Packet{&rtcp.TransportLayerNack{}}, 0, 1_000_000, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := newControl(1_000_000, 100_000, 4_000_000, slog.New(slog.NewTextHandler(io.Discard, nil)))
			c.onRTCP(tc.pkts)
			if got := c.remb.Load(); got != tc.remb {
				t.Errorf("remb = %d, want %d", got, tc.remb)
			}
			if got := c.target.Load(); got != tc.target {
				t.Errorf("target = %d, want %d", got, tc.target)
			}
			if got := c.takeKeyframe(); got != tc.keyframe {
				t.Errorf("keyframe = %v, want %v", got, tc.keyframe)
			}
			if c.takeKeyframe() {
				t.Error("a key frame request was taken twice")
			}
		})
	}
}

func TestAmplitude(t *testing.T) {
	for _, tc := range []struct {
		bps, w, h, fps, want int
	}{
		{4_000_000, 640, 480, 30, maxAmplitude},
		{500_000, 640, 480, 30, maxAmplitude}, // 0.054 bits per pixel
		{250_000, 640, 480, 30, 26},           // 0.027: 54 % of full
		{100_000, 1920, 1080, 30, minAmplitude},
	} {
		if got := amplitude(tc.bps, tc.w, tc.h, tc.fps); got != tc.want {
			t.Errorf("amplitude(%d, %dx%d@%d) = %d, want %d", tc.bps, tc.w, tc.h, tc.fps, got, tc.want)
		}
	}
}

// TestDither: every luma sample moves, stays in video range, and the
// noise differs from one picture to the next.
func TestDither(t *testing.T) {
	d := newDither(42)
	grab := func(fill byte) []byte {
		p := transcoder.NewPicture(64, 64)
		for i := range p.Planes[0] {
			p.Planes[0][i] = fill
		}
		d.apply(p, maxAmplitude)
		return p.Planes[0]
	}
	a, b := grab(128), grab(128)
	same, changed := 0, 0
	for i := range a {
		if a[i] == b[i] {
			same++
		}
		if a[i] != 128 {
			changed++
		}
	}
	if same > len(a)/10 || changed < len(a)*9/10 {
		t.Errorf("%d of %d samples equal in two pictures, %d changed", same, len(a), changed)
	}
	for _, fill := range []byte{16, 235} {
		for i, v := range grab(fill) {
			if v < 16 || v > 235 {
				t.Fatalf("sample %d of a picture at %d dithered to %d", i, fill, v)
			}
		}
	}
}
