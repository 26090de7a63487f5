package main

import (
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// rtpSeq is a 12-byte RTP header with seq and the marker.
func rtpSeq(seq uint16, marker bool) []byte {
	b := make([]byte, 12)
	b[0], b[2], b[3] = 0x80, byte(seq>>8), byte(seq)
	if marker {
		b[1] = 0x80
	}
	return b
}

// TestFrameTally counts frames of three packets each across a sequence
// number wrap: one frame misses a packet that never comes, one misses a
// packet that a retransmission brings late; only the first is lost.
func TestFrameTally(t *testing.T) {
	var f frameTally
	seq := uint16(65000)
	for frame := range 1000 {
		for i := range 3 {
			s := seq
			seq++
			switch {
			case frame == 100 && i == 1: // lost for good
				continue
			case frame == 200 && i == 0: // comes back 9 packets later
				continue
			}
			f.add(rtpSeq(s, i == 2))
			if frame == 203 && i == 0 {
				f.add(rtpSeq(s-9, false)) // the retransmission of frame 200's first packet
			}
		}
	}
	packets, frames, lost := f.counts()
	if lost != 1 {
		t.Errorf("lost %d frames, want 1", lost)
	}
	// The first frame only sets the start; the last tallyLag/3 wait.
	if frames < 1000-1-tallyLag/3-1 || frames > 999 {
		t.Errorf("judged %d frames", frames)
	}
	if packets != 2999 {
		t.Errorf("%d packets, want 2999", packets)
	}
}

func TestFindSample(t *testing.T) {
	text := "# HELP go_goroutines x\ngo_goroutines 42\nmediagate_ingest_packets_total{stream=\"bench\"} 1234\n"
	if v, err := findSample(strings.NewReader(text), "go_goroutines"); err != nil || v != 42 {
		t.Errorf("go_goroutines = %v, %v", v, err)
	}
	if v, err := findSample(strings.NewReader(text), `mediagate_ingest_packets_total{stream="bench"}`); err != nil || v != 1234 {
		t.Errorf("packets = %v, %v", v, err)
	}
	if _, err := findSample(strings.NewReader(text), "nope"); err == nil {
		t.Error("a missing series found")
	}
}

// TestWriteSoakPlot draws a short series and finds both lines in the PNG.
func TestWriteSoakPlot(t *testing.T) {
	var series []soakSample
	for i := range 20 {
		series = append(series, soakSample{at: time.Duration(i) * 6 * time.Second, rssMB: 60 + float64(i%3), goroutines: 350 + i})
	}
	path := filepath.Join(t.TempDir(), "soak.png")
	if err := writeSoakPlot(path, series); err != nil {
		t.Fatal(err)
	}
	img := decodePNG(t, path)
	if b := img.Bounds(); b.Dx() != soakPlotW || b.Dy() != soakPlotH {
		t.Errorf("plot is %v", b)
	}
	if blue, red := countColour(img, plotBlue), countColour(img, plotRed); blue < 500 || red < 500 {
		t.Errorf("plot has %d blue and %d red pixels: a line is missing", blue, red)
	}
}
