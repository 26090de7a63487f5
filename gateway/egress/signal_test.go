package egress

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/pion/webrtc/v4"

	"mediagate.dev/mediagate/gateway/signal/jsep"
)

var candidateCases = []struct {
	name    string
	line    string
	keep    bool
	invalid bool
}{
	{"loopback host", "candidate:1 1 udp 2122260223 127.0.0.1 50000 typ host", true, false},
	{"without prefix", "1 1 udp 2122260223 127.0.0.1 50000 typ host generation 0", true, false},
	{"ipv6 loopback", "candidate:2 1 udp 2122260223 ::1 50000 typ host", true, false},
	{"srflx", "candidate:3 1 udp 1686052607 192.0.2.10 61000 typ srflx raddr 10.0.0.2 rport 50000", true, false},
	{"mdns", "candidate:4 1 udp 2122260223 3ad4b8f1-5e6c-4d2a.local 50000 typ host", false, false},
	{"unspecified", "candidate:5 1 udp 2122260223 0.0.0.0 50000 typ host", false, false},
	{"port 0", "candidate:6 1 udp 2122260223 127.0.0.1 0 typ host", false, false},
	{"multicast", "candidate:7 1 udp 2122260223 239.1.2.3 50000 typ host", false, false},
	{"zone", "candidate:8 1 udp 2122260223 fe80::1%eth0 50000 typ host", false, false},
	{"link-local", "candidate:9 1 udp 2122260223 fe80::1 50000 typ host", false, false},
	{"rtcp component", "candidate:10 2 udp 2122260223 127.0.0.1 50001 typ host", false, false},
	{"tcp while off", "candidate:11 1 tcp 1518280447 127.0.0.1 9 typ host tcptype active", false, false},
	{"unknown transport", "candidate:12 1 sctp 1 127.0.0.1 50000 typ host", false, false},
	{"truncated", "candidate:13 1 udp 2122260223 127.0.0.1", false, true},
	{"no typ", "candidate:14 1 udp 2122260223 127.0.0.1 50000 host x", false, true},
	{"bad port", "candidate:15 1 udp 2122260223 127.0.0.1 port typ host", false, true},
}

func TestCandidatePolicy(t *testing.T) {
	policy := candidatePolicy{loopback: true}
	for _, c := range candidateCases {
		t.Run(c.name, func(t *testing.T) {
			_, keep, err := policy.keep(c.line)
			if c.invalid != (err != nil) || keep != c.keep {
				t.Fatalf("keep = %v, err = %v", keep, err)
			}
			if err != nil && !errors.Is(err, ErrBadOffer) {
				t.Fatalf("err %v does not wrap ErrBadOffer", err)
			}
		})
	}
	if _, keep, _ := (candidatePolicy{}).keep(candidateCases[0].line); keep {
		t.Fatal("loopback kept with loopback off")
	}
}

func FuzzCandidate(f *testing.F) {
	for _, c := range candidateCases {
		f.Add(c.line)
	}
	policy := candidatePolicy{loopback: true, tcp: true}
	f.Fuzz(func(t *testing.T, line string) {
		value, keep, err := policy.keep(line)
		if err == nil && keep && strings.HasPrefix(value, "candidate:") {
			t.Fatalf("kept value %q keeps its prefix", value)
		}
	})
}

// TestAddCandidate trickles candidates into a live session up to the cap.
func TestAddCandidate(t *testing.T) {
	m, _ := newTestManager(t, nil)
	s, _ := newTestStream(&h264Codec, nil, nil)
	v, _, err := m.NewViewer(t.Context(), ViewerRequest{ID: "t", Stream: s, Offer: videoOnly()})
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	for _, c := range candidateCases {
		if err := v.AddCandidate(c.line, "1"); (err != nil) != c.invalid {
			t.Fatalf("%s: %v", c.name, err)
		}
	}
	if err := v.AddCandidate("", "1"); err != nil {
		t.Fatalf("end of candidates: %v", err)
	}
	for i := range 2 * maxRemoteCandidates {
		if err := v.AddCandidate(fmt.Sprintf("candidate:%d 1 udp 1 127.0.0.1 %d typ host", i, 20000+i), "1"); err != nil {
			t.Fatal(err)
		}
	}
	v.mu.Lock()
	n := v.candidates
	v.mu.Unlock()
	if n != maxRemoteCandidates {
		t.Fatalf("session holds %d candidates", n)
	}
}

// iceFragment returns the credentials and candidates of a description.
func iceFragment(t *testing.T, desc string) (ufrag, pwd string, candidates []string) {
	t.Helper()
	ufrag, pwd, candidates, err := jsep.LocalICE(desc)
	if err != nil {
		t.Fatal(err)
	}
	return ufrag, pwd, candidates
}

// withICE rewrites an answer with new credentials and candidates, as a
// WHEP client applies a restart's response.
func withICE(t *testing.T, answer, ufrag, pwd string, candidates []string) string {
	t.Helper()
	out, err := jsep.RestartOffer(answer, ufrag, pwd, candidates)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestICERestart restarts ICE from a connected pion client; a failed
// restart leaves the session intact, a good one keeps media flowing.
func TestICERestart(t *testing.T) {
	m, _ := newTestManager(t, nil)
	s, k := newTestStream(nil, &opusCodec, nil)
	cl := newClient(t, webrtc.RTPCodecTypeAudio)
	v := connect(t, m, s, k, cl)
	answer := cl.pc.RemoteDescription().SDP
	src := &source{track: s.Audio, ssrc: 11, step: 960}
	src.write(0xfc, 1, false)
	packets := readPackets(cl.nextTrack(t))
	nextPacket(t, packets)

	oldUfrag, oldPwd, _ := iceFragment(t, cl.pc.LocalDescription().SDP)
	if _, _, _, err := v.Restart(t.Context(), oldUfrag, oldPwd, nil); !errors.Is(err, ErrBadOffer) {
		t.Fatalf("restart with the same credentials: %v", err)
	}
	if _, _, _, err := v.Restart(t.Context(), "ab", oldPwd, nil); !errors.Is(err, ErrBadOffer) {
		t.Fatalf("restart with a short ufrag: %v", err)
	}
	if _, _, _, err := v.Restart(t.Context(), "abcd", strings.Repeat("p", 24), []string{"candidate:1 1 udp"}); !errors.Is(err, ErrBadOffer) {
		t.Fatalf("restart with a malformed candidate: %v", err)
	}
	src.write(0xfc, 2, false)
	nextPacket(t, packets) // the failed restarts left the session working

	offer, err := cl.pc.CreateOffer(&webrtc.OfferOptions{ICERestart: true})
	if err != nil {
		t.Fatal(err)
	}
	gathered := webrtc.GatheringCompletePromise(cl.pc)
	if err := cl.pc.SetLocalDescription(offer); err != nil {
		t.Fatal(err)
	}
	<-gathered
	ufrag, pwd, cands := iceFragment(t, cl.pc.LocalDescription().SDP)
	lufrag, lpwd, lcands, err := v.Restart(t.Context(), ufrag, pwd, cands)
	if err != nil {
		t.Fatal(err)
	}
	origUfrag, _, _ := iceFragment(t, answer)
	if lufrag == origUfrag || len(lpwd) < minPwd || len(lcands) == 0 {
		t.Fatalf("restart answered %q %q %v", lufrag, lpwd, lcands)
	}
	cl.accept(t, withICE(t, answer, lufrag, lpwd, lcands))
	deadline := time.Now().Add(waitFor)
	for i := uint32(3); ; i++ { // the new pair takes a few checks
		src.write(0xfc, i, false)
		select {
		case <-packets:
			checkFastDest(t, v)
			return
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatal("no media after the restart")
		}
	}
}

// checkFastDest checks that a fast viewer's packets go to its selected
// pair's remote address (the fan follows an ICE restart's new pair).
func checkFastDest(t *testing.T, v *Viewer) {
	t.Helper()
	pair, err := v.selectedPair()
	if err != nil || pair == nil {
		t.Fatalf("selected pair %v (%v)", pair, err)
	}
	remote, err := candidateAddr(pair.Remote)
	if err != nil {
		t.Fatal(err)
	}
	if d := v.dest.Load(); d == nil || d.ap != remote {
		t.Fatalf("fast path sends to %v, the selected pair's remote is %v", d, remote)
	}
}
