package outbound

import (
	"errors"
	"testing"
	"time"

	"github.com/pion/rtcp"
	"github.com/pion/rtp"

	"mediagate.dev/mediagate/gateway/stream"
	"mediagate.dev/mediagate/internal/codec"
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

// TestTrackDoesNotAllocate guards the per-packet path, insertion included,
// for every kind of payload a camera sends: Forward runs for each packet
// and each viewer, and at a 1200-byte MTU nearly every packet is a
// fragment (an SPS lookup that walked fragments as aggregation packets
// built an error for each one).
func TestTrackDoesNotAllocate(t *testing.T) {
	h265 := stream.NewTrack(stream.Video, stream.Codec{MimeType: "video/H265", ClockRate: 90000, PayloadType: 96})
	for _, c := range []struct {
		name     string
		src      *stream.Track
		payload  []byte
		keyframe bool
	}{
		{"h264 idr", h264Track(), []byte{0x65, 0}, true}, // gets the STAP-A ahead
		{"h264 slice", h264Track(), []byte{0x41, 0x9a, 0}, false},
		{"h264 fu-a start of idr", h264Track(), []byte{0x7c, 0x85, 0x88, 0}, true},
		{"h264 fu-a middle", h264Track(), []byte{0x7c, 0x05, 0x88, 0}, false},
		{"h264 fu-a end", h264Track(), []byte{0x5c, 0x41, 0x9a, 0}, false},
		{"h264 stap-a sps pps", h264Track(), codec.BuildSTAPA([]byte{0x67, 0x42, 0, 0x1f}, []byte{0x68, 0xce}), false},
		{"h264 stap-a pps sei", h264Track(), codec.BuildSTAPA([]byte{0x68, 0xce}, []byte{0x06, 0x05}), false},
		{"h265 trail", h265, []byte{0x02, 0x01, 0xd0}, false},
		{"h265 fu middle", h265, []byte{0x62, 0x01, 0x01, 0}, false},
		{"h265 ap sps", h265, codec.BuildH265AP([]byte{0x42, 0x01, 0x01}, []byte{0x44, 0x01, 0xc1}), false},
	} {
		t.Run(c.name, func(t *testing.T) {
			var last uint16
			w := WriterFunc(func(h *rtp.Header, payload []byte) (int, error) {
				last = h.SequenceNumber
				return len(payload), nil
			})
			tr := Track{SSRC: 7, History: NewRefHistory(256)}
			tr.Follow(c.src)
			now := time.Now()
			start := &stream.Packet{Header: rtp.Header{SSRC: 1}, Payload: []byte{0x65, 0}, Keyframe: true}
			tr.Forward(w, start, now) // the mapping starts on a keyframe
			p := &stream.Packet{Header: rtp.Header{SSRC: 1}, Payload: c.payload, Keyframe: c.keyframe}
			allocs := testing.AllocsPerRun(1000, func() {
				p.SequenceNumber++
				p.Timestamp += 3000
				tr.Forward(w, p, now)
				tr.Resend(w, 7, last-1) // a NACK answered from the history
			})
			if allocs != 0 {
				t.Fatalf("%v allocations per packet", allocs)
			}
			if sent, _ := tr.Sent(); sent < 1000 {
				t.Fatalf("%d packets sent", sent)
			}
		})
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
