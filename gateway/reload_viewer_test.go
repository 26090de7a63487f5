package gateway

import (
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/pion/webrtc/v4"
)

// steadyViewer is a pion WHEP viewer that watches one video track and
// records how steadily it arrives: the longest silence between two packets
// and the RTP sequence numbers that never came.
type steadyViewer struct {
	pc *webrtc.PeerConnection

	mu      sync.Mutex
	packets int
	last    time.Time
	maxGap  time.Duration
	lost    int
	seq     uint16
	ended   bool
}

// dialSteady opens a steady viewer of stream on base, failing the test on
// anything but 201.
func dialSteady(t testing.TB, base, stream string) *steadyViewer {
	t.Helper()
	pc, err := newPionAPI(t).NewPeerConnection(webrtc.Configuration{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = pc.Close() })
	v := &steadyViewer{pc: pc}
	if _, err := pc.AddTransceiverFromKind(webrtc.RTPCodecTypeVideo,
		webrtc.RTPTransceiverInit{Direction: webrtc.RTPTransceiverDirectionRecvonly}); err != nil {
		t.Fatal(err)
	}
	pc.OnTrack(func(tr *webrtc.TrackRemote, _ *webrtc.RTPReceiver) { v.read(tr) })
	offer, err := pc.CreateOffer(nil)
	if err != nil {
		t.Fatal(err)
	}
	gathered := webrtc.GatheringCompletePromise(pc)
	if err := pc.SetLocalDescription(offer); err != nil {
		t.Fatal(err)
	}
	<-gathered
	status, body, _ := postSDP(t, base+"/whep/"+stream, "", pc.LocalDescription().SDP)
	if status != http.StatusCreated {
		t.Fatalf("WHEP POST %s: %d %s", stream, status, body)
	}
	if err := pc.SetRemoteDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeAnswer, SDP: body}); err != nil {
		t.Fatal(err)
	}
	return v
}

func (v *steadyViewer) read(tr *webrtc.TrackRemote) {
	defer func() {
		v.mu.Lock()
		v.ended = true
		v.mu.Unlock()
	}()
	for {
		p, _, err := tr.ReadRTP()
		if err != nil {
			return
		}
		v.record(p.SequenceNumber, time.Now())
	}
}

// record accounts for one packet (the egress side numbers each viewer's
// packets without holes, across source restarts, so a hole is a loss).
func (v *steadyViewer) record(seq uint16, now time.Time) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.packets > 0 {
		v.maxGap = max(v.maxGap, now.Sub(v.last))
		if d := int(seq - v.seq); d > 1 && d < 1<<15 {
			v.lost += d - 1
		}
	}
	v.packets++
	v.seq, v.last = seq, now
}

// resetStats starts a new measurement, keeping the packet count.
func (v *steadyViewer) resetStats() {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.maxGap, v.lost = 0, 0
	v.last = time.Now()
}

// stats returns the packets so far, the longest silence (up to now) since
// resetStats, the packets lost and whether the track ended.
func (v *steadyViewer) stats() (packets int, maxGap time.Duration, lost int, ended bool) {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.packets, max(v.maxGap, time.Since(v.last)), v.lost, v.ended
}

// waitPackets waits until the viewer has n packets in all.
func (v *steadyViewer) waitPackets(t testing.TB, n int) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		got, _, _, ended := v.stats()
		switch {
		case got >= n:
			return
		case ended, time.Now().After(deadline):
			t.Fatalf("viewer has %d packets (ended: %v), want %d", got, ended, n)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// waitEnded waits until the viewer's session ends.
func (v *steadyViewer) waitEnded(t testing.TB) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		_, _, _, ended := v.stats()
		switch v.pc.ConnectionState() {
		case webrtc.PeerConnectionStateClosed, webrtc.PeerConnectionStateFailed,
			webrtc.PeerConnectionStateDisconnected:
			ended = true
		}
		if ended {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("viewer still %v after its stream was removed", v.pc.ConnectionState())
		}
		time.Sleep(50 * time.Millisecond)
	}
}
