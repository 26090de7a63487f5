package main

import (
	"bytes"
	"encoding/binary"
	"testing"
	"time"
)

func TestAnnexBAccessUnits(t *testing.T) {
	aud := []byte{0, 0, 0, 1, 9, 0xf0}
	sps := []byte{0, 0, 0, 1, 0x67, 1, 2}
	idr := []byte{0, 0, 0, 1, 0x65, 3}
	p := []byte{0, 0, 0, 1, 0x41, 4}
	stream := bytes.Join([][]byte{aud, sps, idr, aud, p, aud, p}, nil)
	aus := annexBAccessUnits(stream, h264AUD)
	if len(aus) != 3 {
		t.Fatalf("%d access units, want 3", len(aus))
	}
	if want := bytes.Join([][]byte{aud, sps, idr}, nil); !bytes.Equal(aus[0], want) {
		t.Errorf("first access unit % x, want % x", aus[0], want)
	}
}

func TestIVFFrames(t *testing.T) {
	head := make([]byte, 32)
	copy(head, "DKIF")
	binary.LittleEndian.PutUint16(head[6:], 32)
	frame := func(b ...byte) []byte {
		h := make([]byte, 12)
		binary.LittleEndian.PutUint32(h, uint32(len(b)))
		return append(h, b...)
	}
	file := bytes.Join([][]byte{head, frame(1, 2, 3), frame(4)}, nil)
	frames, err := ivfFrames(file)
	if err != nil || len(frames) != 2 || !bytes.Equal(frames[1], []byte{4}) {
		t.Fatalf("frames %v, %v", frames, err)
	}
	for _, bad := range [][]byte{nil, []byte("RIFF"), append(bytes.Clone(head), frame(1, 2)[:13]...)} {
		if _, err := ivfFrames(bad); err == nil && len(bad) < 40 {
			t.Errorf("ivfFrames(% x) accepted", bad)
		}
	}
}

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
