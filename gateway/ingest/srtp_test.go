package ingest

import (
	"bytes"
	"testing"
	"time"

	"github.com/pion/rtcp"
	"github.com/pion/srtp/v3"

	"mediagate.dev/mediagate/gateway/event"
	"mediagate.dev/mediagate/gateway/stream"
)

// suites are the six SRTP protection profiles a stream may use.
var suites = []srtp.ProtectionProfile{
	srtp.ProtectionProfileAes128CmHmacSha1_80,
	srtp.ProtectionProfileAes128CmHmacSha1_32,
	srtp.ProtectionProfileAes256CmHmacSha1_80,
	srtp.ProtectionProfileAes256CmHmacSha1_32,
	srtp.ProtectionProfileAeadAes128Gcm,
	srtp.ProtectionProfileAeadAes256Gcm,
}

func TestSRTPSuitesFlow(t *testing.T) {
	for _, profile := range suites {
		t.Run(profile.String(), func(t *testing.T) {
			keys := randomKeys(t, profile)
			h := newHarness(t, SourceConfig{SRTP: keys, ReceiverReportInterval: 20 * time.Millisecond})
			s := newSender(t, h.addr(), keys)
			payloads := [][]byte{idrPayload, slicePayload, numbered(3)}
			for _, p := range payloads {
				s.video(p)
			}
			for i, want := range payloads {
				if got := h.nextVideo(); !bytes.Equal(got.Payload, want) {
					t.Fatalf("packet %d: payload %x, want %x", i, got.Payload, want)
				}
			}
			// SRTCP both ways: the SR sets the clock, the RR decrypts at the sender.
			s.send(s.rtcpBytes(s.senderReport(0xe000000012345678, 777)))
			s.video(numbered(4))
			h.nextVideo()
			if c := h.st.Video.SenderClock(); c == nil || c.RTPTime != 777 {
				t.Fatalf("SenderClock = %+v", c)
			}
			s.expectRTCP(func(p rtcp.Packet) bool {
				rr, ok := p.(*rtcp.ReceiverReport)
				return ok && len(rr.Reports) == 1 && rr.Reports[0].SSRC == s.ssrc
			})
		})
	}
}

// TestSRTPSeparateSendKey gives the source its own key for what it sends
// back, as an SDES answer does: the sender's RTCP decrypts only with it.
func TestSRTPSeparateSendKey(t *testing.T) {
	keys := randomKeys(t, srtp.ProtectionProfileAes128CmHmacSha1_80)
	own := randomKeys(t, srtp.ProtectionProfileAes128CmHmacSha1_80)
	keys.SendKey, keys.SendSalt = own.Key, own.Salt
	h := newHarness(t, SourceConfig{SRTP: keys, ReceiverReportInterval: 20 * time.Millisecond})
	s := newSender(t, h.addr(), keys)
	s.video(idrPayload)
	s.video(slicePayload)
	h.nextVideo()
	s.expectRTCP(func(p rtcp.Packet) bool {
		_, ok := p.(*rtcp.ReceiverReport)
		return ok
	})
}

func TestSRTPWrongKey(t *testing.T) {
	keys := randomKeys(t, srtp.ProtectionProfileAes128CmHmacSha1_80)
	h := newHarness(t, SourceConfig{SRTP: keys})
	bad := newSender(t, h.addr(), randomKeys(t, keys.Profile))
	good := newSender(t, h.addr(), keys)
	for i := range 3 {
		bad.video(numbered(i))
	}
	e := h.event(event.SourceRejected)
	if e.Data["reason"] != "srtp authentication failed" || e.Data["remote"] != bad.addr().String() {
		t.Errorf("source.rejected data = %v", e.Data)
	}
	good.video(idrPayload)
	good.video(slicePayload)
	if got := h.nextVideo(); !bytes.Equal(got.Payload, idrPayload) {
		t.Fatalf("first delivered payload %x is not the keyed sender's", got.Payload)
	}
	h.nextVideo()
	// While the good sender is latched, the bad one still fails to authenticate.
	bad.video(numbered(7))
	good.video(numbered(8))
	if got := h.nextVideo(); !bytes.Equal(got.Payload, numbered(8)) {
		t.Fatalf("delivered %x", got.Payload)
	}
	if got := h.counter(h.m.authFails); got != 4 {
		t.Errorf("srtp_auth_failures_total = %v, want 4", got)
	}
	if got := h.dropped("srtp_auth"); got != 4 {
		t.Errorf("dropped{srtp_auth} = %v, want 4", got)
	}
	if h.src.Latched() != good.addr() {
		t.Errorf("latched %v, want the keyed sender", h.src.Latched())
	}
}

func TestSRTPReplay(t *testing.T) {
	keys := randomKeys(t, srtp.ProtectionProfileAeadAes128Gcm)
	h := newHarness(t, SourceConfig{SRTP: keys})
	s := newSender(t, h.addr(), keys)
	s.video(idrPayload)
	captured := s.packet(videoPT, slicePayload)
	s.send(captured)
	s.video(numbered(3))
	for range 3 {
		h.nextVideo()
	}
	s.send(captured)
	sr := s.rtcpBytes(s.senderReport(1<<32, 1))
	s.send(sr)
	s.send(sr)
	s.video(numbered(4))
	if got := h.nextVideo(); !bytes.Equal(got.Payload, numbered(4)) {
		t.Fatalf("delivered %x, want the packet after the replay", got.Payload)
	}
	if got := h.dropped("srtp_replay"); got != 2 {
		t.Errorf("dropped{srtp_replay} = %v, want 2 (one SRTP, one SRTCP)", got)
	}
}

func TestSRTCPUnencryptedRefused(t *testing.T) {
	keys := randomKeys(t, srtp.ProtectionProfileAes128CmHmacSha1_80)
	h := newHarness(t, SourceConfig{SRTP: keys})
	s := newSender(t, h.addr(), keys)
	s.video(idrPayload)
	s.video(slicePayload)
	h.nextVideo()
	h.nextVideo()
	clear, err := srtp.CreateContext(keys.Key, keys.Salt, keys.Profile, srtp.SRTCPNoEncryption())
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := rtcp.Marshal([]rtcp.Packet{s.senderReport(1<<32, 1)})
	out, err := clear.EncryptRTCP(nil, raw, nil)
	if err != nil {
		t.Fatal(err)
	}
	s.send(out)
	s.video(numbered(3))
	h.nextVideo()
	if got := h.dropped("srtcp_unencrypted"); got != 1 {
		t.Errorf("dropped{srtcp_unencrypted} = %v, want 1", got)
	}
	if h.st.Video.SenderClock() != nil {
		t.Error("an unencrypted SRTCP SR was used")
	}
}

// TestSRTPCameraRestartNewPort restarts the camera with the same key on a
// new source port: its SRTP sequence starts over, low.
func TestSRTPCameraRestartNewPort(t *testing.T) {
	keys := randomKeys(t, srtp.ProtectionProfileAes256CmHmacSha1_80)
	h := newHarness(t, SourceConfig{SRTP: keys, RelatchAfter: 100 * time.Millisecond})
	a := newSender(t, h.addr(), keys)
	a.seq = 30000
	a.video(idrPayload)
	a.video(slicePayload)
	h.nextVideo()
	h.nextVideo()

	b := newSender(t, h.addr(), keys) // same SSRC and key, fresh contexts
	b.seq = 3
	i := 0
	eventually(t, func() { i++; b.video(numbered(i)) }, func() bool { return h.src.Latched() == b.addr() })
	h.eventFrom(event.SourceLatched, b.addr())
	b.video(numbered(1000))
	waitPayload(t, h.video, numbered(1000))
}

// TestSRTPCameraRestartSamePort restarts the camera's SRTP session on the
// same address: after RelatchAfter of silence its packets are probed with
// a fresh context and flow again.
func TestSRTPCameraRestartSamePort(t *testing.T) {
	keys := randomKeys(t, srtp.ProtectionProfileAes128CmHmacSha1_32)
	h := newHarness(t, SourceConfig{SRTP: keys, RelatchAfter: 100 * time.Millisecond})
	s := newSender(t, h.addr(), keys)
	s.seq = 30000
	s.video(idrPayload)
	s.video(slicePayload)
	h.nextVideo()
	h.nextVideo()

	s.rekey()
	s.seq = 5
	i := 0
	eventually(t, func() { i++; s.video(numbered(i)) }, func() bool {
		select {
		case p := <-h.video.Packets():
			return p.SequenceNumber < 1000
		default:
			return false
		}
	})
	if h.src.Latched() != s.addr() {
		t.Errorf("latched %v", h.src.Latched())
	}
}

// waitPayload reads sub until a packet carries want.
func waitPayload(t *testing.T, sub *stream.Subscription, want []byte) *stream.Packet {
	t.Helper()
	deadline := time.After(waitLimit)
	for {
		select {
		case p := <-sub.Packets():
			if bytes.Equal(p.Payload, want) {
				return p
			}
		case <-deadline:
			t.Fatalf("payload %x never delivered", want)
			return nil
		}
	}
}

// TestSRTPPauseAfterRollover pauses a sender whose SRTP rollover counter has
// moved past 0 for longer than RelatchAfter: its context must carry on, as
// a fresh one would guess the wrong counter and fail every packet.
func TestSRTPPauseAfterRollover(t *testing.T) {
	const relatch = 50 * time.Millisecond
	keys := randomKeys(t, srtp.ProtectionProfileAeadAes256Gcm)
	h := newHarness(t, SourceConfig{SRTP: keys, RelatchAfter: relatch})
	s := newSender(t, h.addr(), keys)
	s.seq = 65534
	for i := range 4 {
		s.video(numbered(i))
	}
	for range 4 {
		h.nextVideo()
	}
	time.Sleep(2 * relatch) // the pause is the scenario
	s.video(numbered(10))
	s.video(numbered(11))
	waitPayload(t, h.video, numbered(11))
	if got := h.dropped("srtp_auth"); got != 0 {
		t.Errorf("dropped{srtp_auth} = %v after the pause", got)
	}
}
