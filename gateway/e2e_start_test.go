package gateway

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/pion/rtp"
	"github.com/pion/webrtc/v4"

	"mediagate.dev/mediagate/gateway/stream"
	"mediagate.dev/mediagate/internal/codec"
)

// longGOPCamera is a stream fed by GStreamer with H.264 at a keyframe every
// 5 s (key-int-max=150 at 30 fps), SPS and PPS before each IDR, and no
// RTCP: like an IP camera pushing plain RTP, it ignores keyframe requests.
func longGOPCamera(t *testing.T, extra string) *runningGateway {
	t.Helper()
	port := freePort(t, "udp")
	g := startGateway(t, testConfig(t, fmt.Sprintf(`
[[stream]]
name = "cam"
listen = "127.0.0.1:%d"
  [stream.video]
  codec = "h264"
  payload_type = 96
%s`, port, extra)))
	startPeer(t, "gst-launch-1.0", longGOP(gstH264(port, 320, 240, ""), 150)...)
	waitUntil(t, 10*time.Second, "camera up", func() bool { return g.Hub().Get("cam").Up() })
	return g
}

// waitMidGOP waits until the camera's current GOP is from lo to hi old, so
// that a viewer joining now is well between two keyframes.
func waitMidGOP(t *testing.T, g *runningGateway, lo, hi time.Duration) {
	t.Helper()
	waitUntil(t, 12*time.Second, "the camera mid-GOP", func() bool {
		gop := g.Hub().Get("cam").Video.GOP()
		age := gop.Age(time.Now())
		return len(gop.Packets) > 0 && age >= lo && age < hi
	})
}

// sourceTap records the packets the camera's track carries.
type sourceTap struct {
	mu   sync.Mutex
	pkts []*stream.Packet
}

func tapSource(t *testing.T, tr *stream.Track) *sourceTap {
	tap := &sourceTap{}
	sub := tr.Subscribe(4096)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			select {
			case p := <-sub.Packets():
				tap.mu.Lock()
				tap.pkts = append(tap.pkts, p)
				tap.mu.Unlock()
			case <-sub.Done():
				return
			}
		}
	}()
	t.Cleanup(func() { sub.Close(); <-done })
	return tap
}

// firstKeyframeAfter returns the index of the first keyframe packet the tap
// saw after at, or -1.
func (s *sourceTap) firstKeyframeAfter(at time.Time) (int, []*stream.Packet) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, p := range s.pkts {
		if p.Keyframe && p.Arrival.After(at) {
			return i, append([]*stream.Packet(nil), s.pkts...)
		}
	}
	return -1, nil
}

// rtpViewer is a pion WHEP viewer that keeps every video packet it reads,
// with when it arrived, and when ICE connected.
type rtpViewer struct {
	*whepClient
	mu        sync.Mutex
	connected time.Time
	pkts      []viewerPacket
}

type viewerPacket struct {
	h       rtp.Header
	payload []byte
	at      time.Time
}

func dialRTPViewer(t *testing.T, base string) *rtpViewer {
	t.Helper()
	return dialRTPViewerWith(t, base, newPionAPI(t))
}

// dialRTPViewerWith is dialRTPViewer for a peer built on api.
func dialRTPViewerWith(t *testing.T, base string, api *webrtc.API) *rtpViewer {
	t.Helper()
	v := &rtpViewer{}
	pc, offer := newOfferingPC(t, api, webrtc.RTPCodecTypeVideo)
	pc.OnICEConnectionStateChange(func(s webrtc.ICEConnectionState) {
		if s == webrtc.ICEConnectionStateConnected {
			v.mu.Lock()
			v.connected = time.Now()
			v.mu.Unlock()
		}
	})
	pc.OnTrack(func(tr *webrtc.TrackRemote, _ *webrtc.RTPReceiver) {
		for {
			p, _, err := tr.ReadRTP()
			if err != nil {
				return
			}
			v.mu.Lock()
			v.pkts = append(v.pkts, viewerPacket{h: p.Header, payload: append([]byte(nil), p.Payload...), at: time.Now()})
			v.mu.Unlock()
		}
	})
	status, body, _ := postSDP(t, base+"/whep/cam", "", offer)
	if status != 201 {
		t.Fatalf("WHEP POST: %d %s", status, body)
	}
	if err := pc.SetRemoteDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeAnswer, SDP: body}); err != nil {
		t.Fatal(err)
	}
	v.whepClient = &whepClient{pc: pc}
	return v
}

func (v *rtpViewer) snapshot() (time.Time, []viewerPacket) {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.connected, append([]viewerPacket(nil), v.pkts...)
}

// TestBridgedStartPion: a pion viewer joins a long-GOP camera mid-GOP. Its
// first video packet is a key frame (of the bridge) sent within 100 ms of
// the connection; at the camera's next keyframe it switches to the
// camera's packets, byte for byte, and its sequence numbers run on without
// a gap across the switch.
func TestBridgedStartPion(t *testing.T) {
	if testing.Short() {
		t.Skip("peer test: run without -short")
	}
	g := longGOPCamera(t, "")
	tap := tapSource(t, g.Hub().Get("cam").Video)
	waitMidGOP(t, g, time.Second, 3*time.Second)
	joined := time.Now()
	v := dialRTPViewer(t, g.URL)
	checkBridgedStart(t, g, tap, v, joined, 0)
}

// TestBridgedStartH265Pion: a viewer that decodes H.265 and H.264 joins an
// H.265 camera (GStreamer x265, a keyframe every 5 s, over SRTP) mid-GOP:
// the bridge, which encodes H.264, reaches it under the H.264 payload type
// it negotiated beside H.265, at once; from the camera's next keyframe on
// it gets the camera's H.265 packets, byte for byte, under the H.265 one.
func TestBridgedStartH265Pion(t *testing.T) {
	if testing.Short() {
		t.Skip("peer test: run without -short")
	}
	needTranscoding(t)
	key := make([]byte, 30)
	for i := range key {
		key[i] = byte(i*3 + 7)
	}
	port := freePort(t, "udp")
	g := startGateway(t, testConfig(t, fmt.Sprintf("[[stream]]\nname = \"cam\"\nlisten = \"127.0.0.1:%d\"\n%s  [stream.srtp]\n  key = %q\n",
		port, h265Table, base64.StdEncoding.EncodeToString(key))))
	startPeer(t, "gst-launch-1.0", longGOP(gstH265(port, 640, 360, 0, hex.EncodeToString(key)), 150)...)
	waitUntil(t, 10*time.Second, "camera up", func() bool { return g.Hub().Get("cam").Up() })
	tap := tapSource(t, g.Hub().Get("cam").Video)
	waitMidGOP(t, g, time.Second, 3*time.Second)
	me := &webrtc.MediaEngine{}
	for _, c := range []webrtc.RTPCodecParameters{offerH265, offerH264} {
		if err := me.RegisterCodec(c, webrtc.RTPCodecTypeVideo); err != nil {
			t.Fatal(err)
		}
	}
	joined := time.Now()
	v := dialRTPViewerWith(t, g.URL, loopbackAPI(t, me))
	checkBridgedStart(t, g, tap, v, joined, uint8(offerH264.PayloadType))
}

// checkBridgedStart checks what a viewer that joined at joined got: a key
// frame first, within 100 ms of its connection (under bridgePT when it is
// not 0), the camera's packets byte for byte from the camera's next
// keyframe on, and no gap in its sequence numbers.
func checkBridgedStart(t *testing.T, g *runningGateway, tap *sourceTap, v *rtpViewer, joined time.Time, bridgePT uint8) {
	t.Helper()
	var idx int
	var src []*stream.Packet
	waitUntil(t, 8*time.Second, "the camera's next keyframe", func() bool {
		idx, src = tap.firstKeyframeAfter(joined)
		return idx >= 0
	})
	time.Sleep(time.Second)
	idx, src = tap.firstKeyframeAfter(joined)
	connected, got := v.snapshot()
	if connected.IsZero() || len(got) == 0 {
		t.Fatalf("connected %v, %d packets", connected, len(got))
	}
	if d := got[0].at.Sub(connected); d > 100*time.Millisecond {
		t.Errorf("first video packet %v after the connection, want at most 100ms", d)
	}
	if !codec.H264IsKeyframe(got[0].payload) && !codec.VP8IsKeyframe(got[0].payload) {
		t.Errorf("first video packet is not a key frame: % x", head(got[0].payload))
	}
	if bridgePT != 0 && got[0].h.PayloadType != bridgePT {
		t.Errorf("the bridge's packets come under payload type %d, want %d", got[0].h.PayloadType, bridgePT)
	}
	for i := 1; i < len(got); i++ {
		if got[i].h.SequenceNumber != got[i-1].h.SequenceNumber+1 {
			t.Fatalf("sequence gap at packet %d: %d after %d", i, got[i].h.SequenceNumber, got[i-1].h.SequenceNumber)
		}
	}
	sw := -1
	for i, p := range got {
		if bytes.Equal(p.payload, src[idx].Payload) {
			sw = i
			break
		}
	}
	if sw <= 0 {
		t.Fatalf("the camera's keyframe never reached the viewer after %d bridge packets (switch at %d)", len(got), sw)
	}
	n := 0
	for i := sw; i < len(got) && idx+n < len(src); i, n = i+1, n+1 {
		if !bytes.Equal(got[i].payload, src[idx+n].Payload) {
			t.Fatalf("after the switch, packet %d differs from the camera's %d", i, idx+n)
		}
		if bridgePT != 0 && got[i].h.PayloadType == bridgePT {
			t.Fatalf("after the switch, packet %d still under the bridge's payload type", i)
		}
	}
	if n < 20 {
		t.Fatalf("only %d packets compared after the switch", n)
	}
	t.Logf("first packet %v after connection; %d bridge packets, then %d of the camera's, identical",
		got[0].at.Sub(connected), sw, n)
	if got := metricValue(t, g.Gateway, "mediagate_start_joins_total", map[string]string{"stream": "cam", "mode": "bridge"}); got != 1 {
		t.Errorf("joins by bridge = %v, want 1", got)
	}
}

// TestBridgeShared: ten viewers joining within one GOP share one bridge
// (one decoder and encoder); it stops after the grace period once they
// all switched to the camera.
func TestBridgeShared(t *testing.T) {
	if testing.Short() {
		t.Skip("peer test: run without -short")
	}
	g := longGOPCamera(t, "  [stream.start]\n  grace_period = \"1s\"\n")
	waitMidGOP(t, g, 300*time.Millisecond, time.Second)
	joined := time.Now()
	var viewers []*rtpViewer
	for range 10 {
		viewers = append(viewers, dialRTPViewer(t, g.URL))
	}
	for _, v := range viewers {
		waitUntil(t, 5*time.Second, "a bridged picture", func() bool { _, p := v.snapshot(); return len(p) > 0 })
	}
	bridges := metricValue(t, g.Gateway, "mediagate_start_bridges_running", nil)
	on := metricValue(t, g.Gateway, "mediagate_start_bridge_viewers", nil)
	joins := metricValue(t, g.Gateway, "mediagate_start_joins_total", map[string]string{"stream": "cam", "mode": "bridge"})
	if time.Since(joined) < 3500*time.Millisecond && (bridges != 1 || on < 1 || joins != 10) {
		t.Errorf("while joining: %v bridges running, %v viewers on them, %v bridged joins; want 1, ≥1, 10", bridges, on, joins)
	}
	waitUntil(t, 10*time.Second, "the viewers off the bridge and the bridge stopped", func() bool {
		return metricValue(t, g.Gateway, "mediagate_start_bridge_viewers", nil) == 0 &&
			metricValue(t, g.Gateway, "mediagate_start_bridges_running", nil) == 0
	})
}
