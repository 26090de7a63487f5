package ingest

import (
	"bytes"
	"testing"

	"github.com/pion/rtcp"
	"github.com/pion/rtp"
	"github.com/pion/srtp/v3"
)

func isREMB(p rtcp.Packet) bool { _, ok := p.(*rtcp.ReceiverEstimatedMaximumBitrate); return ok }

// TestREMBOverUDP runs a real source on loopback: the sender gets a REMB for
// its SSRC, as SRTCP when the stream uses SRTP (the sender's parseRTCP
// fails on anything its SRTP context cannot decrypt).
func TestREMBOverUDP(t *testing.T) {
	for _, keyed := range []bool{false, true} {
		t.Run(map[bool]string{false: "RTP", true: "SRTP"}[keyed], func(t *testing.T) {
			var keys *SRTPConfig
			if keyed {
				keys = randomKeys(t, srtp.ProtectionProfileAes128CmHmacSha1_80)
			}
			cfg := rembBounds
			cfg.AbsSendTimeID = 0
			h := newHarness(t, SourceConfig{SRTP: keys, REMB: &cfg})
			s := newSender(t, h.addr(), keys)
			s.video(idrPayload)
			s.video(slicePayload)
			h.nextVideo()
			h.nextVideo()
			remb := s.expectRTCP(isREMB).(*rtcp.ReceiverEstimatedMaximumBitrate)
			if remb.SenderSSRC != h.src.ourSSRC || len(remb.SSRCs) != 1 || remb.SSRCs[0] != s.ssrc {
				t.Errorf("REMB from %x for %x, want from %x for %x", remb.SenderSSRC, remb.SSRCs, h.src.ourSSRC, s.ssrc)
			}
			if remb.Bitrate < 1_900_000 || remb.Bitrate > 2_100_000 {
				t.Errorf("first REMB %v bit/s, want the start bitrate 2000000", remb.Bitrate)
			}
			// The counter moves just after the datagram went out.
			eventually(t, func() {}, func() bool { return h.counter(h.m.rtcpSent, "remb") >= 1 })
		})
	}
}

// TestPaddingOnlyNotForwarded interleaves padding-only packets with media:
// the tracks see only the media, and the receiver report counts the
// padding packets as received (no loss).
func TestPaddingOnlyNotForwarded(t *testing.T) {
	for _, keyed := range []bool{false, true} {
		t.Run(map[bool]string{false: "RTP", true: "SRTP"}[keyed], func(t *testing.T) {
			var keys *SRTPConfig
			if keyed {
				keys = randomKeys(t, srtp.ProtectionProfileAes128CmHmacSha1_80)
			}
			cfg := rembBounds
			h := newHarness(t, SourceConfig{SRTP: keys, REMB: &cfg})
			s := newSender(t, h.addr(), keys)
			s.video(idrPayload)
			for i := range 6 {
				if i%2 == 0 {
					s.send(s.padding(200))
					continue
				}
				s.video(numbered(i))
			}
			last := s.video(numbered(99))
			for _, want := range [][]byte{idrPayload, numbered(1), numbered(3), numbered(5), numbered(99)} {
				if got := h.nextVideo(); !bytes.Equal(got.Payload, want) {
					t.Fatalf("delivered %x, want %x", got.Payload, want)
				}
			}
			h.noVideo()
			if got := h.dropped("padding"); got != 3 {
				t.Errorf("dropped{padding} = %v, want 3", got)
			}
			rr := s.expectRTCP(func(p rtcp.Packet) bool {
				r, ok := p.(*rtcp.ReceiverReport)
				return ok && len(r.Reports) == 1 && uint16(r.Reports[0].LastSequenceNumber) == last
			}).(*rtcp.ReceiverReport)
			if r := rr.Reports[0]; r.TotalLost != 0 || r.FractionLost != 0 {
				t.Errorf("report block %+v: padding counted as loss", r)
			}
		})
	}
}

// padding builds the next packet as padding only: the P bit set and a
// payload of n bytes that is all padding (RFC 3550 §5.1).
func (s *sender) padding(n int) []byte {
	s.t.Helper()
	p := rtp.Packet{Header: rtp.Header{Version: 2, Padding: true, PayloadType: videoPT, SequenceNumber: s.seq,
		Timestamp: s.ts, SSRC: s.ssrc}, PaddingSize: byte(n)}
	s.seq++
	raw, err := p.Marshal()
	if err != nil {
		s.t.Fatalf("marshal padding: %v", err)
	}
	return s.protectRTP(raw)
}
