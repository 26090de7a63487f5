package ingest

import (
	"testing"
	"time"

	"github.com/pion/srtp/v3"
)

// TestSRTPRolloverAfterRestart is the gateway restart under a long-running
// SRTP camera: the sender starts just below the 16-bit wrap, its sequence
// numbers roll over while the first source receives, then a new source (a
// restarted gateway, whose receive context assumes a rollover counter of
// 0) must take the same sender within a few packets, with replay
// protection still on.
func TestSRTPRolloverAfterRestart(t *testing.T) {
	for _, profile := range []srtp.ProtectionProfile{srtp.ProtectionProfileAes128CmHmacSha1_80, srtp.ProtectionProfileAeadAes128Gcm} {
		t.Run(profile.String(), func(t *testing.T) {
			keys := randomKeys(t, profile)
			first := newHarness(t, SourceConfig{SRTP: keys})
			s := newSender(t, first.addr(), keys)
			s.seq = 65530
			sendUntilDelivered(t, s, first, 5)
			for s.seq > 100 || s.seq < 5 { // across the wrap: the sender's ROC is now 1
				s.video(slicePayload)
			}
			for p := first.nextVideo(); p.SequenceNumber != s.seq-1; p = first.nextVideo() {
			}
			restarted := newHarness(t, SourceConfig{SRTP: keys})
			s.to = restarted.addr()
			sendUntilDelivered(t, s, restarted, 20)
			if n := restarted.counter(restarted.m.rocTrials); n == 0 || n > rocTrialsPerPacket {
				t.Errorf("roc trials %v, want 1..%d for a rollover counter of 1", n, rocTrialsPerPacket)
			}
			drainVideo(restarted)
			replay := s.packet(videoPT, slicePayload)
			s.send(replay)
			restarted.nextVideo()
			s.send(replay)
			s.video(slicePayload)
			restarted.nextVideo()
			restarted.noVideo()
			if n := restarted.dropped("srtp_replay"); n != 1 {
				t.Errorf("srtp_replay drops %v, want the one replayed packet", n)
			}
		})
	}
}

// TestSRTPRolloverSearchBounded: a sender whose rollover counter is far
// from 0 is found within a bounded number of packets, each costing at most
// rocTrialsPerPacket extra authentications.
func TestSRTPRolloverSearchBounded(t *testing.T) {
	const roc = 45
	keys := randomKeys(t, srtp.ProtectionProfileAes128CmHmacSha1_80)
	h := newHarness(t, SourceConfig{SRTP: keys})
	s := newSender(t, h.addr(), keys)
	s.enc.SetROC(s.ssrc, roc)
	maxPackets := roc/rocTrialsPerPacket + 3
	sendUntilDelivered(t, s, h, maxPackets)
	if n := h.counter(h.m.rocTrials); n > float64(maxPackets*rocTrialsPerPacket) {
		t.Errorf("roc trials %v, want at most %d", n, maxPackets*rocTrialsPerPacket)
	}
}

// sendUntilDelivered sends video packets, one at a time, until the source
// delivers one, and fails after max packets.
func sendUntilDelivered(t *testing.T, s *sender, h *harness, max int) {
	t.Helper()
	for range max {
		s.video(slicePayload)
		select {
		case <-h.video.Packets():
			return
		case <-time.After(50 * time.Millisecond):
		}
	}
	t.Fatalf("nothing delivered after %d packets (srtp_auth drops %v)", max, h.dropped("srtp_auth"))
}

// drainVideo empties h's video queue once nothing more is on its way.
func drainVideo(h *harness) {
	time.Sleep(50 * time.Millisecond)
	for {
		select {
		case <-h.video.Packets():
		default:
			return
		}
	}
}
