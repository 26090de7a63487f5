package testpattern

import (
	"bytes"
	"testing"
	"time"

	"mediagate.dev/mediagate/transcoder"
)

func TestFrames(t *testing.T) {
	v := NewVideo(321, 240)
	if w, h := v.Size(); w != 320 || h != 240 {
		t.Fatalf("size %dx%d, want 320x240 (even)", w, h)
	}
	t0 := time.Date(2026, 1, 1, 12, 34, 56, 0, time.UTC)
	a := v.Frame(0, t0)
	if err := a.Check(transcoder.DefaultMaxPixels); err != nil {
		t.Fatal(err)
	}
	first := append([]byte(nil), a.Planes[0]...)
	b := v.Frame(time.Second, t0.Add(time.Second))
	if b.PTS != 90000 {
		t.Errorf("PTS %d, want 90000", b.PTS)
	}
	if bytes.Equal(first, b.Planes[0]) {
		t.Error("the picture does not change")
	}
	// The clock panel (top) differs between two seconds; the colour bars
	// at the bottom edge do not.
	top, bottom := 240/24*320+160, 239*320
	if bytes.Equal(first[top:top+320*20], b.Planes[0][top:top+320*20]) {
		t.Error("the clock did not change")
	}
	if !bytes.Equal(first[bottom:], b.Planes[0][bottom:]) {
		t.Error("the bars changed")
	}
}

func TestTone(t *testing.T) {
	tone := NewTone(2)
	s := tone.Samples(0, 960)
	if len(s) != 1920 || tone.Channels() != 2 {
		t.Fatalf("%d samples for %d channels", len(s), tone.Channels())
	}
	if SampleIndex(time.Second) != 48000 {
		t.Errorf("SampleIndex(1s) = %d", SampleIndex(time.Second))
	}
	loud := 0
	for _, v := range s {
		if v > 6000 || v < -6000 {
			loud++
		}
	}
	if loud == 0 {
		t.Error("silent tone")
	}
}
