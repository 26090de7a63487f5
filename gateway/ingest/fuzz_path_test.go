package ingest

import (
	"net/netip"
	"testing"
	"time"

	"github.com/pion/rtcp"
	"github.com/pion/srtp/v3"

	"mediagate.dev/mediagate/gateway/stream"
	"mediagate.dev/mediagate/internal/codec"
)

// FuzzIngestPath runs sequences of datagrams through the whole ingest path
// of a plain and an SRTP source: classification, SRTP and SRTCP
// unprotection, RTP and RTCP parsing, latching and re-latching, SSRC
// switching, sequence validation, the payload checks, and the timer's
// receiver reports and timeout. Unlike FuzzClassify, the fuzzer writes
// plaintext: each datagram is protected with the stream's key before it
// reaches the SRTP source (when it parses as RTP or RTCP), so mutations
// get past authentication. Each record of the input is a flags byte (bit 0
// RTCP, bits 1-2 the sender's port, bit 3 the RTCP port, bits 4-7 time
// advanced in quarter seconds), a length byte, then the datagram. It must
// never panic, and what reaches a track must be a valid packet of it.
func FuzzIngestPath(f *testing.F) {
	rec := func(flags byte, b []byte) []byte { return append([]byte{flags, byte(len(b))}, b...) }
	start := append(rec(0, rtpBytes(0x80, videoPT, 1, 0x65, 0x88, 1)), rec(0, rtpBytes(0x80, videoPT, 2, 0x41, 0x9a, 2))...)
	f.Add(start)
	f.Add(append(append([]byte(nil), start...), rec(0x01, mustRTCP(&rtcp.SenderReport{SSRC: 0x0badcafe, NTPTime: 1 << 40}))...))
	f.Add(append(append([]byte(nil), start...), rec(0x02, rtpBytes(0x80, videoPT, 9, 0x41, 0x9a, 3))...))
	f.Add(append(append([]byte(nil), start...), rec(0xf2, rtpBytes(0x80, videoPT, 9, 0x41, 0x9a, 3))...))
	f.Add(append(append([]byte(nil), start...), rec(0x00, rtpBytes(0x80, videoPT, 3, 0x7c, 0x85, 3))...))
	f.Add(append(append([]byte(nil), start...), rec(0x00, rtpBytes(0x80, audioPT, 3, 0xfc, 1, 2))...))
	for _, c := range badPackets {
		f.Add(append(append([]byte(nil), start...), rec(0, c.b[:min(len(c.b), 255)])...))
	}

	keys := &SRTPConfig{Profile: srtp.ProtectionProfileAes128CmHmacSha1_80, Key: make([]byte, 16), Salt: make([]byte, 14)}
	f.Fuzz(func(t *testing.T, in []byte) {
		plain, plainVideo := socketlessFuzz(t, nil)
		keyed, keyedVideo := socketlessFuzz(t, keys)
		enc, err := srtp.CreateContext(keys.Key, keys.Salt, keys.Profile)
		if err != nil {
			t.Fatal(err)
		}
		now := time.Unix(1700000000, 0)
		for len(in) >= 2 {
			flags, n := in[0], min(int(in[1]), len(in)-2)
			b := in[2 : 2+n]
			in = in[2+n:]
			now = now.Add(time.Duration(flags>>4) * 250 * time.Millisecond)
			from := netip.AddrPortFrom(camera.Addr(), 5000+uint16(flags>>1&3))
			rtcpOnly := flags&8 != 0
			plain.handle(append([]byte(nil), b...), from, rtcpOnly, now)
			keyed.handle(protect(enc, b, flags&1 != 0), from, rtcpOnly, now)
			plain.tick(now)
			keyed.tick(now)
		}
		checkDelivered(t, plain, plainVideo)
		checkDelivered(t, keyed, keyedVideo)
	})
}

// socketlessFuzz is a source without sockets or goroutines for the
// fuzzer, and a subscription to its video track.
func socketlessFuzz(t *testing.T, keys *SRTPConfig) (*Source, *stream.Subscription) {
	t.Helper()
	s, err := newSource(SourceConfig{Name: testStream, SRTP: keys, RelatchAfter: time.Second,
		SourceTimeout: 3 * time.Second}, newTestStream(nil), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	rec := &recorder{}
	s.rtpOut, s.rtcpOut = rec, rec
	return s, s.st.Video.Subscribe(4096)
}

// protect returns b as SRTP or SRTCP when it parses enough to be
// protected, else as it is.
func protect(enc *srtp.Context, b []byte, asRTCP bool) []byte {
	var out []byte
	var err error
	if asRTCP {
		out, err = enc.EncryptRTCP(nil, b, nil)
	} else {
		out, err = enc.EncryptRTP(nil, b, nil)
	}
	if err != nil {
		return append([]byte(nil), b...)
	}
	return out
}

// checkDelivered checks what reached the video track: H.264 payloads that
// the codec can carry, of the track's payload type, from an SSRC the
// source knows; and a latch on the one sending host.
func checkDelivered(t *testing.T, s *Source, video *stream.Subscription) {
	t.Helper()
	defer video.Close()
	for {
		select {
		case p := <-video.Packets():
			if err := codec.CheckH264Payload(p.Payload); err != nil || p.PayloadType != videoPT {
				t.Fatalf("delivered pt %d payload %x: %v", p.PayloadType, p.Payload, err)
			}
			continue
		default:
		}
		break
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, ts := range s.tracks {
		if ts.hasSSRC && s.ssrcs.find(ts.ssrc) == nil {
			t.Fatalf("track fed by SSRC %x the table does not know", ts.ssrc)
		}
	}
	if s.latch.addr.IsValid() && s.latch.addr.Addr() != camera.Addr() {
		t.Fatalf("latched onto %v", s.latch.addr)
	}
}
