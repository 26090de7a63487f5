package forward

import (
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pion/webrtc/v4"

	"mediagate.dev/mediagate/gateway/stream"
	"mediagate.dev/mediagate/internal/codec"
	"mediagate.dev/mediagate/internal/looptest"
)

// vp8Answerer is a WHIP endpoint in a RoundTripper: a pion
// PeerConnection on loopback that takes VP8 video and Opus audio, and
// closes connected when its connection is up.
type vp8Answerer struct {
	connected chan struct{}
	once      sync.Once
	mu        sync.Mutex
	pcs       []*webrtc.PeerConnection
}

func (a *vp8Answerer) RoundTrip(r *http.Request) (*http.Response, error) {
	reply := func(code int, body string) (*http.Response, error) {
		h := http.Header{"Content-Type": {"application/sdp"}, "Location": {"/whip/session"}}
		return &http.Response{StatusCode: code, Header: h, Body: io.NopCloser(strings.NewReader(body)), Request: r}, nil
	}
	if r.Method != http.MethodPost {
		return reply(http.StatusOK, "")
	}
	offer, _ := io.ReadAll(r.Body)
	if !strings.Contains(string(offer), "VP8/90000") {
		return reply(http.StatusUnprocessableEntity, "")
	}
	me := &webrtc.MediaEngine{}
	if err := me.RegisterCodec(webrtc.RTPCodecParameters{RTPCodecCapability: webrtc.RTPCodecCapability{
		MimeType: webrtc.MimeTypeVP8, ClockRate: 90000}, PayloadType: 97}, webrtc.RTPCodecTypeVideo); err != nil {
		return nil, err
	}
	if err := me.RegisterCodec(webrtc.RTPCodecParameters{RTPCodecCapability: webrtc.RTPCodecCapability{
		MimeType: webrtc.MimeTypeOpus, ClockRate: 48000, Channels: 2}, PayloadType: 111}, webrtc.RTPCodecTypeAudio); err != nil {
		return nil, err
	}
	pc, err := webrtc.NewAPI(webrtc.WithMediaEngine(me), webrtc.WithSettingEngine(looptest.SettingEngine())).
		NewPeerConnection(webrtc.Configuration{})
	if err != nil {
		return nil, err
	}
	a.mu.Lock()
	a.pcs = append(a.pcs, pc)
	a.mu.Unlock()
	pc.OnConnectionStateChange(func(s webrtc.PeerConnectionState) {
		if s == webrtc.PeerConnectionStateConnected {
			a.once.Do(func() { close(a.connected) })
		}
	})
	if err := pc.SetRemoteDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeOffer, SDP: string(offer)}); err != nil {
		return nil, err
	}
	answer, err := pc.CreateAnswer(nil)
	if err != nil {
		return nil, err
	}
	gathered := webrtc.GatheringCompletePromise(pc)
	if err := pc.SetLocalDescription(answer); err != nil {
		return nil, err
	}
	<-gathered
	return reply(http.StatusCreated, pc.LocalDescription().SDP)
}

func (a *vp8Answerer) close() {
	a.mu.Lock()
	defer a.mu.Unlock()
	for _, pc := range a.pcs {
		_ = pc.Close()
	}
}

// slowRenditions transcodes video to VP8, and its Acquire returns only
// once the endpoint's connection is up: the answer's rendition starts
// while ICE and DTLS complete, as a transcoder opening its encoders does.
type slowRenditions struct{ connected <-chan struct{} }

func (slowRenditions) Targets(_ *stream.Stream, src *stream.Track) []string {
	if src.Kind == stream.Video {
		return []string{codec.MimeVP8}
	}
	return nil
}

func (r slowRenditions) Acquire(_ *stream.Stream, src *stream.Track, mime, reason string) (*stream.Rendition, func(), error) {
	<-r.connected
	time.Sleep(100 * time.Millisecond) // the forward's side is connected too by now
	track := stream.NewTrack(stream.Video, stream.Codec{MimeType: mime, ClockRate: 90000, PayloadType: 97})
	return stream.NewRendition(src, track, reason, encoderStub{}), func() {}, nil
}

// encoderStub is a rendition's control that does nothing.
type encoderStub struct{}

func (encoderStub) RequestKeyframe()       {}
func (encoderStub) SetBitrate(bps int) int { return bps }
func (encoderStub) Bitrate() int           { return 0 }

// TestUpWhenConnectedBeforeBinding: the session is up when its
// PeerConnection connected while the answer's rendition was still
// starting. (It once listened for the connection only after binding the
// renditions, missed it, and failed after ConnectTimeout.)
func TestUpWhenConnectedBeforeBinding(t *testing.T) {
	a := &vp8Answerer{connected: make(chan struct{})}
	defer a.close()
	st := stream.New("cam", stream.NewTrack(stream.Video, stream.Codec{MimeType: codec.MimeH264, ClockRate: 90000, PayloadType: 96}),
		stream.NewTrack(stream.Audio, stream.Codec{MimeType: codec.MimeOpus, ClockRate: 48000, Channels: 2, PayloadType: 111}), nil)
	st.SetUp(true, nil)
	defer st.SetUp(false, nil)
	f, err := Start(Config{Stream: st, URL: "http://whip.test/whip", Client: Client{HTTP: &http.Client{Transport: a}},
		RetryMin: 10 * time.Second, ConnectTimeout: 10 * time.Second, SettingEngine: looptest.SettingEngine(),
		Renditions: slowRenditions{connected: a.connected}})
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	deadline := time.Now().Add(5 * time.Second)
	for f.State() != StateUp {
		if time.Now().After(deadline) {
			t.Fatalf("state %s 5 s after the start, want up (connected while the rendition started)", f.State())
		}
		time.Sleep(20 * time.Millisecond)
	}
}
