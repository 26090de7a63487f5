package whip

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pion/interceptor"
	"github.com/pion/rtcp"
	"github.com/pion/rtp"
	"github.com/pion/sdp/v3"
	"github.com/pion/webrtc/v4"
	"github.com/prometheus/client_golang/prometheus"

	"mediagate.dev/mediagate/gateway/config"
	"mediagate.dev/mediagate/gateway/event"
	"mediagate.dev/mediagate/gateway/signal"
	"mediagate.dev/mediagate/gateway/signal/jsep"
	"mediagate.dev/mediagate/gateway/stream"
	"mediagate.dev/mediagate/internal/codec"
	"mediagate.dev/mediagate/internal/looptest"
)

// Tokens and streams of the test rig.
const (
	tokenCam   = "publish-cam-0123456789"
	tokenVP8   = "publish-vp8-0123456789"
	tokenAudio = "publish-audio-0123456789"
	turnLink   = `<turn:127.0.0.1:3478?transport=udp>; rel="ice-server"; username="1:u"; credential="c"`
)

// rig is a WHIP handler on an httptest server with three WHIP streams:
// "cam" (H.264 + Opus), "vp8" (VP8 only) and "mic" (Opus only), and one
// stream, "rtpcam", whose source is not WHIP.
type rig struct {
	srv     *httptest.Server
	h       *Handler
	m       *Manager
	reg     *prometheus.Registry
	bus     *event.Bus
	targets map[string]Target
}

func newRig(t *testing.T, remb config.REMB, demand func(string) (int, bool)) *rig {
	t.Helper()
	r := &rig{reg: prometheus.NewRegistry(), bus: event.New(nil), targets: map[string]Target{}}
	h264 := stream.Codec{MimeType: "video/H264", ClockRate: 90000, PayloadType: 96,
		Fmtp: "packetization-mode=1;profile-level-id=42e01f"}
	vp8 := stream.Codec{MimeType: "video/VP8", ClockRate: 90000, PayloadType: 97}
	opus := stream.Codec{MimeType: "audio/opus", ClockRate: 48000, Channels: 2, PayloadType: 111}
	add := func(name, token string, video, audio *stream.Codec) {
		var v, a *stream.Track
		if video != nil {
			v = stream.NewTrack(stream.Video, *video)
		}
		if audio != nil {
			a = stream.NewTrack(stream.Audio, *audio)
		}
		r.targets[name] = Target{Stream: stream.New(name, v, a, r.bus), PublishToken: token, REMB: remb,
			KeyframeInterval: 200 * time.Millisecond}
	}
	add("cam", tokenCam, &h264, &opus)
	add("vp8", tokenVP8, &vp8, nil)
	add("mic", tokenAudio, nil, &opus)
	metrics := NewMetrics(r.reg)
	r.m = NewManager(Config{SettingEngine: looptest.SettingEngine(), SetupTimeout: 10 * time.Second, Demand: demand, Metrics: metrics})
	r.h = &Handler{
		Publishers: r.m,
		Lookup: func(name string) (Target, bool) {
			tg, ok := r.targets[name]
			return tg, ok
		},
		TokenValidFor: func(tok string) bool {
			for _, tg := range r.targets {
				if signal.TokenEqual(tok, tg.PublishToken) {
					return true
				}
			}
			return false
		},
		ICEServers: func(*http.Request, string) []string { return []string{turnLink} },
		Signal:     signal.Handler{CORSOrigins: []string{"*"}, OpenTimeout: 5 * time.Second},
		Metrics:    metrics,
	}
	r.srv = httptest.NewServer(r.h)
	t.Cleanup(func() {
		r.srv.Close()
		r.h.Close()
		r.m.Close()
	})
	return r
}

// defaultREMB is [stream.remb] with its documented defaults.
func defaultREMB() config.REMB {
	return config.REMB{MinBitrate: 100, MaxBitrate: 8000, StartBitrate: 2000}
}

// request sends one request to the rig and returns the response with its
// body read.
func (r *rig) request(t testing.TB, method, path, token, ctype, body string, hdr ...string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(method, r.srv.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	return resp, string(b)
}

// Codecs a pion publisher may send.
var (
	pubH264 = webrtc.RTPCodecParameters{PayloadType: 102, RTPCodecCapability: webrtc.RTPCodecCapability{
		MimeType: webrtc.MimeTypeH264, ClockRate: 90000, SDPFmtpLine: codec.H264Format.Fmtp, RTCPFeedback: jsep.VideoFeedback}}
	pubVP8 = webrtc.RTPCodecParameters{PayloadType: 96, RTPCodecCapability: webrtc.RTPCodecCapability{
		MimeType: webrtc.MimeTypeVP8, ClockRate: 90000, RTCPFeedback: jsep.VideoFeedback}}
	pubOpus = webrtc.RTPCodecParameters{PayloadType: 111, RTPCodecCapability: webrtc.RTPCodecCapability{
		MimeType: webrtc.MimeTypeOpus, ClockRate: 48000, Channels: 2}}
)

// pub is a pion publisher: one local track per codec, sendonly (or the
// direction given), and a record of the RTCP the gateway sends back.
type pub struct {
	pc       *webrtc.PeerConnection
	tracks   []*webrtc.TrackLocalStaticRTP
	senders  []*webrtc.RTPSender
	location string
	etag     string

	mu   sync.Mutex
	remb []float32 // REMB bitrates received
	plis int
}

// newPub builds a publisher for codecs and returns it with its complete offer.
func newPub(t testing.TB, dir webrtc.RTPTransceiverDirection, codecs ...webrtc.RTPCodecParameters) (*pub, string) {
	t.Helper()
	me := &webrtc.MediaEngine{}
	for _, c := range codecs {
		kind := webrtc.RTPCodecTypeVideo
		if strings.HasPrefix(c.MimeType, "audio/") {
			kind = webrtc.RTPCodecTypeAudio
		}
		if err := me.RegisterCodec(c, kind); err != nil {
			t.Fatal(err)
		}
	}
	if err := me.RegisterHeaderExtension(webrtc.RTPHeaderExtensionCapability{URI: sdp.ABSSendTimeURI},
		webrtc.RTPCodecTypeVideo); err != nil {
		t.Fatal(err)
	}
	api := webrtc.NewAPI(webrtc.WithMediaEngine(me), webrtc.WithSettingEngine(looptest.SettingEngine()),
		webrtc.WithInterceptorRegistry(&interceptor.Registry{}))
	pc, err := api.NewPeerConnection(webrtc.Configuration{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = pc.Close() })
	p := &pub{pc: pc}
	for _, c := range codecs {
		kind := strings.SplitN(c.MimeType, "/", 2)[0]
		if dir == webrtc.RTPTransceiverDirectionRecvonly {
			if _, err := pc.AddTransceiverFromKind(webrtc.NewRTPCodecType(kind),
				webrtc.RTPTransceiverInit{Direction: dir}); err != nil {
				t.Fatal(err)
			}
			continue
		}
		tr, err := webrtc.NewTrackLocalStaticRTP(c.RTPCodecCapability, kind, "pub")
		if err != nil {
			t.Fatal(err)
		}
		x, err := pc.AddTransceiverFromTrack(tr, webrtc.RTPTransceiverInit{Direction: dir})
		if err != nil {
			t.Fatal(err)
		}
		p.tracks, p.senders = append(p.tracks, tr), append(p.senders, x.Sender())
		go p.readRTCP(x.Sender())
	}
	offer, err := pc.CreateOffer(nil)
	if err != nil {
		t.Fatal(err)
	}
	gathered := webrtc.GatheringCompletePromise(pc)
	if err := pc.SetLocalDescription(offer); err != nil {
		t.Fatal(err)
	}
	select {
	case <-gathered:
	case <-time.After(5 * time.Second):
		t.Fatal("publisher gathering timed out")
	}
	return p, pc.LocalDescription().SDP
}

// readRTCP records the REMB and PLI the gateway sends.
func (p *pub) readRTCP(s *webrtc.RTPSender) {
	for {
		pkts, _, err := s.ReadRTCP()
		if err != nil {
			return
		}
		p.mu.Lock()
		for _, pk := range pkts {
			switch v := pk.(type) {
			case *rtcp.ReceiverEstimatedMaximumBitrate:
				p.remb = append(p.remb, v.Bitrate)
			case *rtcp.PictureLossIndication:
				p.plis++
			}
		}
		p.mu.Unlock()
	}
}

// publish posts the offer and applies the answer; it fails the test on
// anything but 201.
func (r *rig) publish(t testing.TB, streamName, token string, p *pub, offer string) {
	t.Helper()
	resp, body := r.request(t, http.MethodPost, Prefix+streamName, token, "application/sdp", offer)
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("POST %s: %d %s", streamName, resp.StatusCode, body)
	}
	p.location, p.etag = resp.Header.Get("Location"), resp.Header.Get("ETag")
	if err := p.pc.SetRemoteDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeAnswer, SDP: body}); err != nil {
		t.Fatal(err)
	}
}

// send writes RTP packets with the given payloads on track i every 5 ms
// until ctx ends, starting again from the first, with sequence numbers
// from 1 so that a payload is known by its sequence number.
func (p *pub) send(ctx context.Context, i int, payloads [][]byte) {
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	for n := 0; ; n++ {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		k := n % len(payloads)
		pkt := &rtp.Packet{Header: rtp.Header{Version: 2, SequenceNumber: uint16(n + 1),
			Timestamp: uint32(n * 3000), Marker: true}, Payload: payloads[k]}
		_ = p.tracks[i].WriteRTP(pkt)
	}
}

// rembs returns the REMB bitrates received so far.
func (p *pub) rembs() []float32 {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]float32(nil), p.remb...)
}

// pliCount returns the PLIs received so far.
func (p *pub) pliCount() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.plis
}

// waitFor polls cond every 20 ms until it holds or timeout passes.
func waitFor(t testing.TB, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", timeout, what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
