package clipfile

import (
	"bytes"
	"encoding/binary"
	"testing"
)

func TestAnnexBAccessUnits(t *testing.T) {
	aud := []byte{0, 0, 0, 1, 9, 0xf0}
	sps := []byte{0, 0, 0, 1, 0x67, 1, 2}
	idr := []byte{0, 0, 0, 1, 0x65, 3}
	p := []byte{0, 0, 0, 1, 0x41, 4}
	stream := bytes.Join([][]byte{aud, sps, idr, aud, p, aud, p}, nil)
	aus := AnnexBAccessUnits(stream, []byte{0, 0, 0, 1, 0x09})
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
	frames, err := IVFFrames(file)
	if err != nil || len(frames) != 2 || !bytes.Equal(frames[1], []byte{4}) {
		t.Fatalf("frames %v, %v", frames, err)
	}
	for _, bad := range [][]byte{nil, []byte("RIFF"), append(bytes.Clone(head), frame(1, 2)[:13]...)} {
		if _, err := IVFFrames(bad); err == nil {
			t.Errorf("IVFFrames(% x) accepted", bad)
		}
	}
}
