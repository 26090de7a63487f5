package main

import (
	"testing"
	"time"
)

func TestFigures(t *testing.T) {
	if got := perStream(2*time.Second, 10*time.Second); got != 0.2 {
		t.Errorf("perStream = %v, want 0.2", got)
	}
	if got := (row{mediagate: 11, ffmpeg: 10}).ratio(); got != 1.1 {
		t.Errorf("ratio = %v, want 1.1", got)
	}
	if got := quantile([]time.Duration{5, 1, 3}, .5); got != 3 {
		t.Errorf("median = %v, want 3", got)
	}
	if got := kbps(1000, time.Second); got != 8 {
		t.Errorf("kbps = %v, want 8", got)
	}
}
