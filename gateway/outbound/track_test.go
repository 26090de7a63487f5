package outbound

import (
	"errors"
	"testing"
	"time"

	"github.com/pion/rtcp"
	"github.com/pion/rtp"

	"mediagate.dev/mediagate/gateway/stream"
)

// sent is one packet a test Writer saw.
type sent struct {
	hdr     rtp.Header
	payload []byte
}

// h264Track is an H.264 source with out-of-band parameter sets.
func h264Track() *stream.Track {
	return stream.NewTrack(stream.Video, stream.Codec{MimeType: "video/H264", ClockRate: 90000, PayloadType: 96,
		Fmtp: "packetization-mode=1;sprop-parameter-sets=Z0IAH5WoFAFuQA==,aM48gA=="})
}

// TestTrackInsertsParameterSets: a keyframe gets a STAP-A ahead of it, once
// per access unit and not after an in-band SPS; the numbering stays
// continuous and only written packets are counted.
func TestTrackInsertsParameterSets(t *testing.T) {
	var out []sent
	fail := false
	w := WriterFunc(func(h *rtp.Header, payload []byte) (int, error) {
		if fail {
			return 0, errors.New("refused")
		}
		out = append(out, sent{*h, payload})
		return h.MarshalSize() + len(payload), nil
	})
	var spsSeen int
	tr := Track{SSRC: 9, PayloadType: 102, OnSPS: func([]byte) { spsSeen++ }}
	tr.Follow(h264Track())
	now := time.Now()
	pkt := func(seq uint16, ts uint32, key bool, nal byte) *stream.Packet {
		return &stream.Packet{Header: rtp.Header{SSRC: 1, SequenceNumber: seq, Timestamp: ts}, Payload: []byte{nal, 0},
			Keyframe: key, Arrival: now}
	}
	if tr.Forward(w, pkt(1, 0, false, 0x41), now) || len(out) != 0 || !tr.Waiting() {
		t.Fatal("a delta frame started the track")
	}
	tr.Forward(w, pkt(2, 3000, true, 0x65), now)  // STAP-A + IDR slice
	tr.Forward(w, pkt(3, 3000, true, 0x65), now)  // second slice: no STAP-A
	tr.Forward(w, pkt(4, 6000, false, 0x67), now) // in-band SPS
	tr.Forward(w, pkt(5, 6000, true, 0x65), now)  // follows its SPS
	fail = true
	tr.Forward(w, pkt(6, 9000, false, 0x41), now)
	if len(out) != 5 || out[0].payload[0]&0x1f != 24 || spsSeen != 1 {
		t.Fatalf("%d packets, first NAL type %d, %d SPS seen", len(out), out[0].payload[0]&0x1f, spsSeen)
	}
	for i, p := range out {
		if p.hdr.SSRC != 9 || p.hdr.PayloadType != 102 || (i > 0 && p.hdr.SequenceNumber != out[0].hdr.SequenceNumber+uint16(i)) {
			t.Fatalf("packet %d: %+v", i, p.hdr)
		}
	}
	if packets, octets := tr.Sent(); packets != 5 || octets != uint32(len(out[0].payload))+8 {
		t.Fatalf("sent %d packets, %d octets", packets, octets)
	}
}

// TestTrackReports: nothing before the first packet, then an SR and SDES,
// and a BYE at the end.
func TestTrackReports(t *testing.T) {
	var got [][]rtcp.Packet
	w := RTCPWriterFunc(func(pkts []rtcp.Packet) error { got = append(got, pkts); return nil })
	tr := Track{SSRC: 5}
	tr.Follow(stream.NewTrack(stream.Audio, stream.Codec{MimeType: "audio/opus", ClockRate: 48000}))
	now := time.Now()
	if tr.Report(w, nil, "cam", now) != nil || tr.Bye(w, "cam") != nil || len(got) != 0 {
		t.Fatal("reports before any packet")
	}
	tr.Forward(WriterFunc(func(*rtp.Header, []byte) (int, error) { return 1, nil }),
		&stream.Packet{Header: rtp.Header{SSRC: 1}, Payload: []byte{1, 2}, Arrival: now}, now)
	_ = tr.Report(w, nil, "cam", now)
	_ = tr.Bye(w, "cam")
	if len(got) != 2 {
		t.Fatalf("%d reports", len(got))
	}
	sr, ok := got[0][0].(*rtcp.SenderReport)
	if !ok || sr.SSRC != 5 || sr.PacketCount != 1 || sr.OctetCount != 2 {
		t.Fatalf("report %+v", got[0])
	}
	if bye, ok := got[1][2].(*rtcp.Goodbye); !ok || bye.Sources[0] != 5 {
		t.Fatalf("bye %+v", got[1])
	}
}

// TestTrackDoesNotAllocate guards the per-packet path, insertion included.
func TestTrackDoesNotAllocate(t *testing.T) {
	w := WriterFunc(func(h *rtp.Header, payload []byte) (int, error) { return len(payload), nil })
	var tr Track
	tr.Follow(h264Track())
	p := &stream.Packet{Header: rtp.Header{SSRC: 1}, Payload: []byte{0x65, 0}, Keyframe: true}
	now := time.Now()
	allocs := testing.AllocsPerRun(1000, func() {
		p.SequenceNumber++
		p.Timestamp += 3000
		tr.Forward(w, p, now)
	})
	if allocs != 0 {
		t.Fatalf("%v allocations per packet", allocs)
	}
}

// TestFeedback: each kind reaches its hook, and nil hooks only count.
func TestFeedback(t *testing.T) {
	var keys, rembs, nacks, rrs int
	full := Feedback{
		Keyframe: func() { keys++ },
		REMB:     func(*rtcp.ReceiverEstimatedMaximumBitrate, time.Time) { rembs++ },
		NACK:     func(*rtcp.TransportLayerNack, time.Time) { nacks++ },
		Reports:  func(*rtcp.ReceiverReport) { rrs++ },
	}
	pkts := []rtcp.Packet{&rtcp.PictureLossIndication{}, &rtcp.FullIntraRequest{},
		&rtcp.ReceiverEstimatedMaximumBitrate{}, &rtcp.TransportLayerNack{}, &rtcp.ReceiverReport{},
		&rtcp.SenderReport{}, &rtcp.SourceDescription{}, &rtcp.Goodbye{}, &rtcp.RapidResynchronizationRequest{}}
	want := []string{KindPLI, KindFIR, KindREMB, KindNACK, KindRR, KindSR, KindSDES, KindBye, KindOther}
	for _, fb := range []Feedback{full, {}} {
		for i, p := range pkts {
			if got := fb.Handle(p, time.Now()); got != want[i] {
				t.Errorf("%T: kind %q, want %q", p, got, want[i])
			}
		}
	}
	if keys != 2 || rembs != 1 || nacks != 1 || rrs != 1 {
		t.Fatalf("hooks called %d %d %d %d times", keys, rembs, nacks, rrs)
	}
}
