package outbound

import (
	"bytes"
	"testing"
	"time"

	"github.com/pion/rtp"

	"mediagate.dev/mediagate/gateway/stream"
	"mediagate.dev/mediagate/internal/codec"
)

// TestTrackInsertsH265ParameterSets: an H.265 source's sprop-vps, sprop-sps
// and sprop-pps go out as one aggregation packet before an IRAP picture
// that lacks them, once per access unit, and not after in-band ones; the
// insertion is the same one H.264's STAP-A uses.
func TestTrackInsertsH265ParameterSets(t *testing.T) {
	const (
		vps = "QAEMAf//AWAAAAMAkAAAAwAAAwBdlZgJ"
		sps = "QgEBAWAAAAMAkAAAAwAAAwBdoAKAgC0WWVmkkyvAWgIAAAMAAgAAAwA8EA=="
		pps = "RAHBcrRiQA=="
	)
	fmtp := codec.H265Fmtp(codec.H265Profile{ProfileID: 1, LevelID: 93}) + ";sprop-vps=" + vps + ";sprop-sps=" + sps + ";sprop-pps=" + pps
	src := stream.NewTrack(stream.Video, stream.Codec{MimeType: codec.MimeH265, ClockRate: 90000, PayloadType: 96, Fmtp: fmtp})
	var out [][]byte
	w := WriterFunc(func(h *rtp.Header, payload []byte) (int, error) {
		out = append(out, payload)
		return h.MarshalSize() + len(payload), nil
	})
	tr := Track{SSRC: 9, PayloadType: 116, OnSPS: func([]byte) { t.Error("OnSPS called for H.265") }}
	tr.Follow(src)
	now := time.Now()
	idr := []byte{0x26, 0x01, 0xaf}  // IDR_W_RADL, first slice
	idr2 := []byte{0x26, 0x01, 0x2f} // a later slice of it
	inband := codec.BuildH265AP([]byte{0x40, 0x01, 0x0c}, []byte{0x42, 0x01, 0x01}, []byte{0x44, 0x01, 0xc1})
	for i, p := range []struct {
		ts      uint32
		payload []byte
	}{{3000, idr}, {3000, idr2}, {6000, inband}, {6000, idr}, {9000, idr}} {
		tr.Forward(w, &stream.Packet{Header: rtp.Header{SSRC: 1, SequenceNumber: uint16(i + 1), Timestamp: p.ts},
			Payload: p.payload, Keyframe: codec.H265IsKeyframe(p.payload), Arrival: now}, now)
	}
	want := codec.AggregateNALs(codec.MimeH265, codec.FmtpParameterSets(codec.MimeH265, fmtp))
	if len(out) != 7 || !bytes.Equal(out[0], want) || !bytes.Equal(out[5], want) {
		t.Fatalf("%d packets; want the AP first and before the last IDR: %x", len(out), out)
	}
	if codec.H265NALType(out[0][0]) != codec.H265AP || !bytes.Equal(out[1], idr) || !bytes.Equal(out[3], inband) {
		t.Fatalf("packets %x", out)
	}
}

// TestTrackInsertsInBandSetsForLateViewers: an H.265 camera that sends its
// VPS, SPS and PPS before the first IDR only (GStreamer's rtph265pay sends
// none before CRA pictures) — a viewer that joins later gets the latest
// sets, once, before the CRA it starts on.
func TestTrackInsertsInBandSetsForLateViewers(t *testing.T) {
	src := stream.NewTrack(stream.Video, stream.Codec{MimeType: codec.MimeH265, ClockRate: 90000, PayloadType: 98})
	sets := codec.BuildH265AP([]byte{0x40, 0x01, 0x0c}, []byte{0x42, 0x01, 0x01}, []byte{0x44, 0x01, 0xc1})
	cra := []byte{0x2a, 0x01, 0xaf}
	src.Write(&stream.Packet{Header: rtp.Header{SSRC: 1, SequenceNumber: 1, Timestamp: 0}, Payload: sets, Keyframe: true})
	var out [][]byte
	w := WriterFunc(func(h *rtp.Header, payload []byte) (int, error) {
		out = append(out, payload)
		return h.MarshalSize() + len(payload), nil
	})
	var tr Track
	tr.Follow(src) // the viewer joins after the camera's first IDR
	now := time.Now()
	for i, ts := range []uint32{90000, 180000} {
		tr.Forward(w, &stream.Packet{Header: rtp.Header{SSRC: 1, SequenceNumber: uint16(i + 10), Timestamp: ts},
			Payload: cra, Keyframe: true, Arrival: now}, now)
	}
	if len(out) != 3 || !bytes.Equal(out[0], sets) || !bytes.Equal(out[1], cra) || !bytes.Equal(out[2], cra) {
		t.Fatalf("sent %x; want the in-band sets once, before the first CRA", out)
	}
}
