package ingest

import (
	"bytes"
	"testing"
	"time"

	"github.com/pion/srtp/v3"
)

// TestCameraRestartNewSSRC restarts the camera on the latched address and
// port with a new SSRC and its sequence numbers starting over, as a camera
// reboot or an encoder restart does: its packets flow at once, not after
// RelatchAfter (3 s by default) of silence of the old SSRC. Plain RTP and
// SRTP (a fresh sender context with the same key) alike.
func TestCameraRestartNewSSRC(t *testing.T) {
	for _, c := range []struct {
		name string
		keys *SRTPConfig
	}{
		{"rtp", nil},
		{"srtp", randomKeys(t, srtp.ProtectionProfileAes128CmHmacSha1_80)},
	} {
		t.Run(c.name, func(t *testing.T) {
			h := newHarness(t, SourceConfig{SRTP: c.keys})
			s := newSender(t, h.addr(), c.keys)
			s.video(idrPayload)
			s.video(slicePayload)
			h.nextVideo()
			h.nextVideo()

			restarted := time.Now()
			s.rekey()
			s.ssrc, s.seq = 0x5eed0001, 7
			s.video(idrPayload)
			s.video(numbered(1))
			for _, want := range [][]byte{idrPayload, numbered(1)} {
				got := h.nextVideo()
				if !bytes.Equal(got.Payload, want) || got.SSRC != 0x5eed0001 {
					t.Fatalf("delivered ssrc %x payload %x, want the restarted camera's %x", got.SSRC, got.Payload, want)
				}
			}
			if d := time.Since(restarted); d > time.Second {
				t.Errorf("restarted camera delivered after %v", d)
			}
			if got := h.counter(h.m.switches); got != 1 {
				t.Errorf("ssrc switches = %v, want 1", got)
			}
			if got := h.dropped("ssrc"); got != 0 {
				t.Errorf("dropped{ssrc} = %v", got)
			}
		})
	}
}

// TestSSRCSprayIntoLiveFlow sends packets of other SSRCs from the latched
// address: the first takes the track over (a restart), the old SSRC and
// any further one are then refused for RelatchAfter, so the track does not
// flap between SSRCs.
func TestSSRCSprayIntoLiveFlow(t *testing.T) {
	h := newHarness(t, SourceConfig{})
	s := newSender(t, h.addr(), nil)
	s.video(idrPayload)
	s.video(slicePayload)
	h.nextVideo()
	h.nextVideo()
	for i := range 3 {
		s.send(rtpBytes(0x80, videoPT, uint16(i), 0x41, byte(i))) // SSRC 0x0badcafe
	}
	for i := range 3 {
		if got := h.nextVideo(); got.SSRC != 0x0badcafe || got.Payload[1] != byte(i) {
			t.Fatalf("delivered ssrc %x payload %x", got.SSRC, got.Payload)
		}
	}
	s.video(numbered(9)) // the old SSRC
	for i := range 3 {
		b := rtpBytes(0x80, videoPT, uint16(100+i), 0x41, byte(i))
		b[11] = 0xff // a third SSRC
		s.send(b)
	}
	s.send(rtpBytes(0x80, videoPT, 3, 0x41, 3))
	if got := h.nextVideo(); got.SSRC != 0x0badcafe || got.Payload[1] != 3 {
		t.Fatalf("delivered ssrc %x payload %x", got.SSRC, got.Payload)
	}
	if got := h.dropped("ssrc"); got != 4 {
		t.Errorf("dropped{ssrc} = %v, want 4", got)
	}
	h.noVideo()
}

// TestNewSSRCMustAuthenticate sends a new SSRC from the latched address
// under another key: it does not authenticate, so it takes nothing over.
func TestNewSSRCMustAuthenticate(t *testing.T) {
	keys := randomKeys(t, srtp.ProtectionProfileAes128CmHmacSha1_80)
	h := newHarness(t, SourceConfig{SRTP: keys})
	s := newSender(t, h.addr(), keys)
	s.video(idrPayload)
	s.video(slicePayload)
	h.nextVideo()
	h.nextVideo()

	s.keys = randomKeys(t, srtp.ProtectionProfileAes128CmHmacSha1_80)
	s.rekey()
	s.ssrc = 0x5eed0002
	for i := range 4 {
		s.video(numbered(i))
	}
	s.keys = keys
	s.rekey()
	s.ssrc, s.seq = 0x1234abcd, 1002
	s.video(numbered(42))
	if got := h.nextVideo(); !bytes.Equal(got.Payload, numbered(42)) {
		t.Fatalf("delivered %x", got.Payload)
	}
	if got := h.dropped("srtp_auth"); got != 4 {
		t.Errorf("dropped{srtp_auth} = %v, want 4", got)
	}
	if got := h.counter(h.m.switches); got != 0 {
		t.Errorf("ssrc switches = %v, want 0", got)
	}
}
