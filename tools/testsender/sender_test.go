//go:build cgo

package main

import (
	"encoding/base64"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pion/rtcp"

	"mediagate.dev/mediagate/gateway/config"
	"mediagate.dev/mediagate/internal/codec"
)

// small is a picture size and rate the end-to-end tests share: small
// enough to encode quickly under -race on a shared machine.
var small = []string{"-codec", "vp8", "-width", "320", "-height", "240", "-fps", "30"}

func args(to string, extra ...string) []string {
	return append(append([]string{"-to", to, "-stats"}, small...), extra...)
}

// TestFollowsREMB sends REMBs to a running sender: its target follows
// each one, clamped to -min and -max, within a few frames, and what it
// sends follows its target down and back up.
func TestFollowsREMB(t *testing.T) {
	r := newReceiver(t, nil)
	c := startCLI(t, nil, args(r.addr(), "-start", "1000", "-min", "100", "-max", "3000")...)
	r.waitFirst()
	c.waitStat(t, 2*time.Second, "the start target", func(l statLine) bool { return l.Target == 1_000_000 && l.REMB == 0 })
	for _, step := range []struct {
		name             string
		remb, target     int64
		minRate, maxRate float64 // received over the second after the change settles; 0 = unchecked
	}{
		{"down", 300_000, 300_000, 0, 450_000},
		{"up", 2_000_000, 2_000_000, 1_200_000, 0},
		{"below min", 20_000, 100_000, 0, 0},
		{"above max", 40_000_000, 3_000_000, 0, 0}, // exact in REMB's 18-bit mantissa
	} {
		sent := time.Now()
		r.sendREMB(float32(step.remb))
		// Statistics come every 100 ms, so the change shows after 100 ms
		// (3 frames) at best; 400 ms leaves room for a busy machine.
		c.waitStat(t, 400*time.Millisecond, step.name, func(l statLine) bool {
			return l.REMB == step.remb && l.Target == step.target
		})
		t.Logf("%s: REMB %d → target %d after %v", step.name, step.remb, step.target, time.Since(sent).Round(time.Millisecond))
		if step.minRate == 0 && step.maxRate == 0 {
			continue
		}
		time.Sleep(1500 * time.Millisecond) // the rate is measured over a window in the past
		got := r.rate(sent.Add(500*time.Millisecond), sent.Add(1500*time.Millisecond))
		t.Logf("%s: received %.0f bit/s in the second after the change settled", step.name, got)
		if (step.minRate > 0 && got < step.minRate) || (step.maxRate > 0 && got > step.maxRate) {
			t.Errorf("%s: received %.0f bit/s, want within [%.0f, %.0f]", step.name, got, step.minRate, step.maxRate)
		}
	}
}

// testKey returns a random key for suite, base64, and its split keying.
func testKey(t *testing.T, suite string) (string, *srtpKeys) {
	t.Helper()
	p, err := config.SRTPProfile(suite)
	if err != nil {
		t.Fatal(err)
	}
	kl, _ := p.KeyLen()
	sl, _ := p.SaltLen()
	raw := make([]byte, kl+sl)
	for i := range raw {
		raw[i] = byte(i*7 + len(suite))
	}
	return base64.StdEncoding.EncodeToString(raw), &srtpKeys{suite: suite, profile: p, key: raw[:kl], salt: raw[kl:]}
}

// TestSRTPRoundTrip: a receiver holding the same key opens every SRTP
// packet, and the sender opens the receiver's SRTCP (its REMB takes
// effect); the key reaches the sender through the environment or a file.
func TestSRTPRoundTrip(t *testing.T) {
	for _, tc := range []struct {
		suite   string
		viaFile bool
	}{
		{"AES_CM_128_HMAC_SHA1_80", false},
		{"AES_256_CM_HMAC_SHA1_32", true},
		{"AEAD_AES_128_GCM", false},
	} {
		t.Run(tc.suite, func(t *testing.T) {
			key, keys := testKey(t, tc.suite)
			r := newReceiver(t, keys)
			env := map[string]string{keyEnv: key}
			extra := []string{"-srtp-suite", tc.suite, "-start", "800"}
			if tc.viaFile {
				file := filepath.Join(t.TempDir(), "key")
				if err := os.WriteFile(file, []byte(key+"\n"), 0o600); err != nil {
					t.Fatal(err)
				}
				env, extra = nil, append(extra, "-srtp-key-file", file)
			}
			c := startCLI(t, env, args(r.addr(), extra...)...)
			r.waitFirst()
			r.sendREMB(500_000)
			c.waitStat(t, 2*time.Second, "the REMB sent as SRTCP", func(l statLine) bool { return l.Target == 500_000 })
			c.stop()
			if code := c.wait(t, 5*time.Second); code != 0 {
				t.Fatalf("exit status %d; stderr:\n%s", code, c.stderr)
			}
			r.waitRTCP(t, "an SRTCP BYE", func(p rtcp.Packet) bool { _, ok := p.(*rtcp.Goodbye); return ok })
			if n, bad := len(r.packets()), r.bad; n < 10 || bad > 0 {
				t.Errorf("opened %d SRTP packets, %d refused", n, bad)
			}
			if strings.Contains(c.stderr.String(), key) {
				t.Error("the key appears in the log")
			}
		})
	}
}

// TestWrongKeyRefused: a receiver with another key opens nothing.
func TestWrongKeyRefused(t *testing.T) {
	key, _ := testKey(t, "AES_CM_128_HMAC_SHA1_80")
	_, other := testKey(t, "AES_CM_128_HMAC_SHA1_32") // same lengths, other bytes
	r := newReceiver(t, other)
	c := startCLI(t, map[string]string{keyEnv: key}, args(r.addr())...)
	c.waitStat(t, 3*time.Second, "20 packets sent", func(l statLine) bool { return l.Packets >= 20 })
	c.stop()
	c.wait(t, 5*time.Second)
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.pkts) > 0 || r.bad < 20 {
		t.Errorf("opened %d packets with the wrong key, refused %d", len(r.pkts), r.bad)
	}
}

// TestSentRate holds the target fixed (-min = -max) and measures what the
// receiver gets over three seconds of video, after one to settle: by the
// packets' RTP timestamps, so that a busy machine's late scheduling does
// not move the window.
func TestSentRate(t *testing.T) {
	for _, kbps := range []int{500, 1000, 2000, 4000} {
		if testing.Short() && kbps != 1000 {
			continue
		}
		t.Run(strconv.Itoa(kbps), func(t *testing.T) {
			r := newReceiver(t, nil)
			k := strconv.Itoa(kbps)
			c := startCLI(t, nil, args(r.addr(), "-start", k, "-min", k, "-max", k, "-duration", "4100ms")...)
			r.waitFirst()
			if code := c.wait(t, 10*time.Second); code != 0 {
				t.Fatalf("exit status %d; stderr:\n%s", code, c.stderr)
			}
			got := r.mediaRate(time.Second, 4*time.Second)
			ratio := got / float64(kbps*1000)
			t.Logf("target %d kbit/s: received %.0f bit/s (%.2f of target)", kbps, got, ratio)
			if ratio < 0.75 || ratio > 1.25 {
				t.Errorf("received %.0f bit/s for a %d kbit/s target: more than 25%% off", got, kbps)
			}
		})
	}
}

// TestAbsSendTime: every packet carries abs-send-time under its id, in
// the one-byte form (RFC 8285 §4.2), never going back in sequence order
// and advancing as the arrival clock does; id 0 sends none.
func TestAbsSendTime(t *testing.T) {
	for _, id := range []int{3, 14, 0} {
		t.Run(strconv.Itoa(id), func(t *testing.T) {
			r := newReceiver(t, nil)
			c := startCLI(t, nil, args(r.addr(), "-abs-send-time-id", strconv.Itoa(id), "-duration", "1500ms")...)
			r.waitFirst()
			c.wait(t, 10*time.Second)
			checkAbsSendTime(t, r.packets(), uint8(id))
		})
	}
}

func checkAbsSendTime(t *testing.T, pkts []rxPacket, id uint8) {
	t.Helper()
	if len(pkts) < 20 {
		t.Fatalf("%d packets", len(pkts))
	}
	var prev uint32
	for i, p := range pkts {
		ext := p.hdr.GetExtension(id)
		if id == 0 {
			if p.hdr.Extension {
				t.Fatalf("packet %d has a header extension with -abs-send-time-id 0", i)
			}
			continue
		}
		if p.hdr.ExtensionProfile != 0xBEDE || len(ext) != absSendTimeLen {
			t.Fatalf("packet %d: profile %#x, extension %d: % x", i, p.hdr.ExtensionProfile, id, ext)
		}
		v := uint32(ext[0])<<16 | uint32(ext[1])<<8 | uint32(ext[2])
		if i > 0 && (v-prev)&absSendTimeMask >= 1<<23 {
			t.Fatalf("packet %d (seq %d): abs-send-time %d after %d", i, p.hdr.SequenceNumber, v, prev)
		}
		prev = v
	}
	if id == 0 {
		return
	}
	first, last := pkts[0], pkts[len(pkts)-1]
	span := float64((ticksOf(last, id)-ticksOf(first, id))&absSendTimeMask) / (1 << absSendTimeFraction)
	arrived := last.at.Sub(first.at).Seconds()
	if d := span - arrived; d < -0.05 || d > 0.05 {
		t.Errorf("abs-send-time spans %.3f s, arrivals %.3f s", span, arrived)
	}
}

func ticksOf(p rxPacket, id uint8) uint32 {
	e := p.hdr.GetExtension(id)
	return uint32(e[0])<<16 | uint32(e[1])<<8 | uint32(e[2])
}

// TestKeyframeOnRequest: a PLI and a FIR each make the next frame a key
// frame; without them the encoder makes none in the test's span.
func TestKeyframeOnRequest(t *testing.T) {
	r := newReceiver(t, nil)
	c := startCLI(t, nil, args(r.addr())...)
	r.waitFirst()
	keyframes := func() int {
		n := 0
		for _, p := range r.packets() {
			if codec.IsKeyframe("video/VP8", p.payload) {
				n++
			}
		}
		return n
	}
	wait := func(what string, want int) {
		t.Helper()
		deadline := time.Now().Add(time.Second)
		for keyframes() < want && time.Now().Before(deadline) {
			time.Sleep(10 * time.Millisecond)
		}
		if got := keyframes(); got != want {
			t.Fatalf("after %s: %d key frames, want %d", what, got, want)
		}
	}
	wait("the start", 1)
	r.send(&rtcp.PictureLossIndication{SenderSSRC: 1, MediaSSRC: r.packets()[0].hdr.SSRC})
	wait("a PLI", 2)
	r.send(&rtcp.FullIntraRequest{SenderSSRC: 1, FIR: []rtcp.FIREntry{{SSRC: r.packets()[0].hdr.SSRC, SequenceNumber: 1}}})
	wait("a FIR", 3)
	c.stop()
}
