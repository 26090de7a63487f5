package egress

import (
	"encoding/binary"
	"log/slog"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pion/interceptor"
	"github.com/pion/rtcp"
	"github.com/pion/rtp"
	"github.com/pion/webrtc/v4"
	"github.com/prometheus/client_golang/prometheus"

	"mediagate.dev/mediagate/gateway/event"
	"mediagate.dev/mediagate/gateway/stream"
	"mediagate.dev/mediagate/internal/looptest"
)

// waitFor bounds every wait of these tests.
const waitFor = 10 * time.Second

func testLogger() *slog.Logger {
	if os.Getenv("EGRESS_TEST_LOG") != "" {
		return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	return slog.New(slog.DiscardHandler)
}

// newTestManager starts a manager on loopback only, with a random UDP port.
func newTestManager(t *testing.T, mod func(*Config)) (*Manager, *prometheus.Registry) {
	t.Helper()
	reg := prometheus.NewRegistry()
	metrics := NewMetrics(reg)
	cfg := Config{
		Log: testLogger(), Metrics: metrics, Interfaces: []string{"lo"}, IncludeLoopback: true,
		SetupTimeout: waitFor, QueueDepth: 256,
	}
	if mod != nil {
		mod(&cfg)
	}
	m, err := NewManager(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := m.Close(); err != nil {
			t.Errorf("manager close: %v", err)
		}
	})
	return m, reg
}

// keyframes counts the keyframe requests a stream's source receives.
type keyframes struct {
	n  atomic.Int64
	ch chan struct{}
}

func (k *keyframes) RequestKeyframe() {
	k.n.Add(1)
	select {
	case k.ch <- struct{}{}:
	default:
	}
}

// wait blocks until the next keyframe request.
func (k *keyframes) wait(t *testing.T) {
	t.Helper()
	select {
	case <-k.ch:
	case <-time.After(waitFor):
		t.Fatal("no keyframe request")
	}
}

// newTestStream makes a stream with the given tracks (nil to omit one).
func newTestStream(video, audio *stream.Codec, bus *event.Bus) (*stream.Stream, *keyframes) {
	var vt, at *stream.Track
	if video != nil {
		vt = stream.NewTrack(stream.Video, *video)
	}
	if audio != nil {
		at = stream.NewTrack(stream.Audio, *audio)
	}
	s := stream.New("cam", vt, at, bus)
	k := &keyframes{ch: make(chan struct{}, 16)}
	s.SetKeyframeRequester(k)
	return s, k
}

var (
	h264Codec = stream.Codec{MimeType: webrtc.MimeTypeH264, ClockRate: 90000, PayloadType: 96,
		Fmtp: "packetization-mode=1;profile-level-id=42e01f"}
	vp8Codec  = stream.Codec{MimeType: webrtc.MimeTypeVP8, ClockRate: 90000, PayloadType: 97}
	opusCodec = stream.Codec{MimeType: webrtc.MimeTypeOpus, ClockRate: 48000, Channels: 2, PayloadType: 111}
)

// client is a pion WHEP player: receive-only transceivers, loopback ICE.
type client struct {
	pc        *webrtc.PeerConnection
	tracks    chan *webrtc.TrackRemote
	connected chan struct{}
}

func clientAPI(t *testing.T) *webrtc.API {
	t.Helper()
	se := looptest.SettingEngine(webrtc.NetworkTypeUDP4, webrtc.NetworkTypeUDP6)
	// A retransmission of a packet the client did receive would fail SRTP
	// replay protection (RFC 3711 §3.3.2); the NACK test asks for one.
	se.DisableSRTPReplayProtection(true)
	me := &webrtc.MediaEngine{}
	if err := me.RegisterDefaultCodecs(); err != nil {
		t.Fatal(err)
	}
	ir := &interceptor.Registry{}
	if err := webrtc.RegisterDefaultInterceptors(me, ir); err != nil {
		t.Fatal(err)
	}
	return webrtc.NewAPI(webrtc.WithSettingEngine(se), webrtc.WithMediaEngine(me), webrtc.WithInterceptorRegistry(ir))
}

func newClient(t *testing.T, kinds ...webrtc.RTPCodecType) *client {
	t.Helper()
	return newClientWithAPI(t, clientAPI(t), kinds...)
}

func newClientWithAPI(t *testing.T, api *webrtc.API, kinds ...webrtc.RTPCodecType) *client {
	t.Helper()
	pc, err := api.NewPeerConnection(webrtc.Configuration{})
	if err != nil {
		t.Fatal(err)
	}
	c := &client{pc: pc, tracks: make(chan *webrtc.TrackRemote, 2), connected: make(chan struct{})}
	var once sync.Once
	pc.OnConnectionStateChange(func(s webrtc.PeerConnectionState) {
		if s == webrtc.PeerConnectionStateConnected {
			once.Do(func() { close(c.connected) })
		}
	})
	t.Cleanup(func() { _ = pc.Close() })
	for _, k := range kinds {
		if _, err := pc.AddTransceiverFromKind(k, webrtc.RTPTransceiverInit{Direction: webrtc.RTPTransceiverDirectionRecvonly}); err != nil {
			t.Fatal(err)
		}
	}
	pc.OnTrack(func(tr *webrtc.TrackRemote, _ *webrtc.RTPReceiver) { c.tracks <- tr })
	return c
}

// offer returns the client's offer with all its candidates.
func (c *client) offer(t *testing.T) string {
	t.Helper()
	o, err := c.pc.CreateOffer(nil)
	if err != nil {
		t.Fatal(err)
	}
	gathered := webrtc.GatheringCompletePromise(c.pc)
	if err := c.pc.SetLocalDescription(o); err != nil {
		t.Fatal(err)
	}
	<-gathered
	return c.pc.LocalDescription().SDP
}

func (c *client) accept(t *testing.T, answer string) {
	t.Helper()
	if err := c.pc.SetRemoteDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeAnswer, SDP: answer}); err != nil {
		t.Fatal(err)
	}
}

func (c *client) nextTrack(t *testing.T) *webrtc.TrackRemote {
	t.Helper()
	select {
	case tr := <-c.tracks:
		return tr
	case <-time.After(waitFor):
		t.Fatal("no track")
		return nil
	}
}

// waitConnected waits until the client's DTLS is up, so that packets sent
// from now on can be decrypted.
func (c *client) waitConnected(t *testing.T) {
	t.Helper()
	select {
	case <-c.connected:
	case <-time.After(waitFor):
		t.Fatal("client not connected")
	}
}

// connect runs the offer/answer with m and returns the viewer once the
// client is connected and the source has been asked for the joining
// keyframe (the track is bound) — or, for a stream without video, which
// asks for none, once the viewer's track is live.
func connect(t *testing.T, m *Manager, s *stream.Stream, k *keyframes, c *client) *Viewer {
	t.Helper()
	v, answer, err := m.NewViewer(t.Context(), ViewerRequest{ID: "v1", Stream: s, Offer: c.offer(t), Remote: "127.0.0.1:1"})
	if err != nil {
		t.Fatal(err)
	}
	c.accept(t, answer)
	c.waitConnected(t)
	if s.Video != nil {
		k.wait(t)
	} else {
		waitUntil(t, func() bool { return v.liveAt.Load() != nil }, "the viewer's track to go live")
	}
	return v
}

// readPackets reads a remote track until its PeerConnection closes.
func readPackets(tr *webrtc.TrackRemote) <-chan *rtp.Packet {
	out := make(chan *rtp.Packet, 1024)
	go func() {
		defer close(out)
		for {
			p, _, err := tr.ReadRTP()
			if err != nil {
				return
			}
			out <- p
		}
	}()
	return out
}

func nextPacket(t *testing.T, ch <-chan *rtp.Packet) *rtp.Packet {
	t.Helper()
	select {
	case p, ok := <-ch:
		if !ok {
			t.Fatal("track ended")
		}
		return p
	case <-time.After(waitFor):
		t.Fatal("no packet")
		return nil
	}
}

// readSR waits for a Sender Report of ssrc on the client's receivers.
func readSR(t *testing.T, r *webrtc.RTPReceiver, ssrc uint32) *rtcp.SenderReport {
	t.Helper()
	deadline := time.Now().Add(waitFor)
	_ = r.SetReadDeadline(deadline)
	for time.Now().Before(deadline) {
		pkts, _, err := r.ReadRTCP()
		if err != nil {
			t.Fatalf("read rtcp: %v", err)
		}
		for _, p := range pkts {
			if sr, ok := p.(*rtcp.SenderReport); ok && sr.SSRC == ssrc {
				return sr
			}
		}
	}
	t.Fatal("no sender report")
	return nil
}

// source writes packets into a stream track like ingest does.
type source struct {
	track *stream.Track
	ssrc  uint32
	seq   uint16
	ts    uint32
	step  uint32
}

// write sends one packet whose payload is first, a 4-byte index and filler.
func (s *source) write(first byte, index uint32, keyframe bool) []byte {
	payload := make([]byte, 5, 40)
	payload[0] = first
	binary.BigEndian.PutUint32(payload[1:], index)
	payload = append(payload, make([]byte, 16+index%16)...)
	s.writePayload(payload, keyframe)
	return payload
}

func (s *source) writePayload(payload []byte, keyframe bool) {
	s.track.Write(&stream.Packet{
		Header: rtp.Header{Version: 2, PayloadType: s.track.Codec.PayloadType, SequenceNumber: s.seq,
			Timestamp: s.ts, SSRC: s.ssrc, Marker: true},
		Payload: payload, Arrival: time.Now(), Keyframe: keyframe,
	})
	s.seq++
	s.ts += s.step
}

// metricValue reads one counter or gauge of reg by name and label values
// (stream first, then type), or 0 when it does not exist.
func metricValue(t *testing.T, reg *prometheus.Registry, name string, labels ...string) float64 {
	t.Helper()
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range families {
		if f.GetName() != name {
			continue
		}
		for _, m := range f.GetMetric() {
			match := true
			for i, l := range m.GetLabel() {
				if i < len(labels) && l.GetValue() != labels[i] {
					match = false
				}
			}
			if !match {
				continue
			}
			if m.GetGauge() != nil {
				return m.GetGauge().GetValue()
			}
			return m.GetCounter().GetValue()
		}
	}
	return 0
}
