package main

import (
	"bytes"
	"testing"

	"github.com/pion/rtp/codecs"

	"mediagate.dev/mediagate/transcoder"
)

// TestPacketize: payloads at most maxPayload bytes, consecutive sequence
// numbers across frames, one timestamp per frame, the marker on each
// frame's last packet, and the frame back when depacketized.
func TestPacketize(t *testing.T) {
	vp8 := make([]byte, 5000)
	for i := range vp8 {
		vp8[i] = byte(i * 31)
	}
	h264 := append([]byte{0, 0, 0, 1, 0x65}, bytes.Repeat([]byte{0xab}, 3000)...)
	for _, tc := range []struct {
		mime  string
		frame []byte
		want  int
	}{
		{transcoder.VP8, vp8, 5},
		{transcoder.VP8, vp8[:100], 1},
		{transcoder.H264, h264, 3},
		{transcoder.H264, nil, 0},
	} {
		p := newPacketizer(tc.mime, 96, 0xcafe, 65534, 1000)
		var seq []uint16
		for frame := range 2 {
			pkts := p.packetize(transcoder.EncodedFrame{Data: tc.frame}, uint32(frame*3000))
			if len(pkts) != tc.want {
				t.Fatalf("%s %d bytes: %d packets, want %d", tc.mime, len(tc.frame), len(pkts), tc.want)
			}
			var got []byte
			for i, pk := range pkts {
				h := pk.hdr
				if len(pk.payload) > maxPayload || h.PayloadType != 96 || h.SSRC != 0xcafe ||
					h.Timestamp != uint32(1000+frame*3000) || h.Marker != (i == len(pkts)-1) {
					t.Errorf("%s packet %d: %+v, %d bytes", tc.mime, i, h, len(pk.payload))
				}
				seq = append(seq, h.SequenceNumber)
				if tc.mime == transcoder.VP8 {
					var d codecs.VP8Packet
					b, err := d.Unmarshal(pk.payload)
					if err != nil || d.S != btoi(i == 0) || d.PictureID != uint16(frame) {
						t.Errorf("VP8 packet %d: S %d, picture %d, %v", i, d.S, d.PictureID, err)
					}
					got = append(got, b...)
				}
			}
			if tc.mime == transcoder.VP8 && !bytes.Equal(got, tc.frame) {
				t.Errorf("VP8 frame did not survive packetizing")
			}
		}
		for i := 1; i < len(seq); i++ {
			if seq[i] != seq[i-1]+1 {
				t.Errorf("%s sequence numbers %v", tc.mime, seq)
				break
			}
		}
	}
}

func btoi(b bool) uint8 {
	if b {
		return 1
	}
	return 0
}
