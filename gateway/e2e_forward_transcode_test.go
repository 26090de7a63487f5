package gateway

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pion/webrtc/v4"

	"mediagate.dev/mediagate/gateway/config"
	"mediagate.dev/mediagate/gateway/event"
	"mediagate.dev/mediagate/gateway/forward"
	"mediagate.dev/mediagate/internal/codec"
)

// vp8Endpoint is a WHIP endpoint that takes VP8 video only (and Opus): it
// answers 422 to an offer without VP8 (or rejects its m-line), and counts the VP8 frames and key
// frames it receives.
type vp8Endpoint struct {
	t testing.TB
	// answerAll answers every offer (pion rejects the m-line of a codec it
	// lacks) instead of a 422 to one without VP8.
	answerAll        bool
	srv              *httptest.Server
	refused          atomic.Int64
	frames, keyframe atomic.Int64
	codec            atomic.Value // the video track's MIME type

	mu  sync.Mutex
	pcs []*webrtc.PeerConnection
}

func newVP8Endpoint(t *testing.T, answerAll bool) *vp8Endpoint {
	e := &vp8Endpoint{t: t, answerAll: answerAll}
	e.srv = httptest.NewServer(http.HandlerFunc(e.serve))
	t.Cleanup(func() {
		e.srv.Close()
		e.mu.Lock()
		defer e.mu.Unlock()
		for _, pc := range e.pcs {
			_ = pc.Close()
		}
	})
	return e
}

func (e *vp8Endpoint) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(io.LimitReader(r.Body, 64<<10))
	switch {
	case r.Method == http.MethodDelete:
		return
	case r.Method != http.MethodPost:
		w.WriteHeader(http.StatusMethodNotAllowed)
		return
	case !strings.Contains(string(body), "VP8/90000") && !e.answerAll:
		e.refused.Add(1)
		http.Error(w, "video codec not supported", http.StatusUnprocessableEntity)
		return
	}
	me := &webrtc.MediaEngine{}
	for _, c := range []webrtc.RTPCodecParameters{offerVP8, offerOpus} {
		kind := webrtc.RTPCodecTypeVideo
		if c.MimeType == webrtc.MimeTypeOpus {
			kind = webrtc.RTPCodecTypeAudio
		}
		if err := me.RegisterCodec(c, kind); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
	}
	pc, err := loopbackAPI(e.t, me).NewPeerConnection(webrtc.Configuration{})
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	e.mu.Lock()
	e.pcs = append(e.pcs, pc)
	e.mu.Unlock()
	pc.OnTrack(func(tr *webrtc.TrackRemote, _ *webrtc.RTPReceiver) {
		if tr.Kind() == webrtc.RTPCodecTypeVideo {
			e.codec.Store(tr.Codec().MimeType)
			go e.read(tr)
		}
	})
	answer, err := e.answer(pc, string(body))
	if !strings.Contains(string(body), "VP8/90000") {
		e.refused.Add(1)
	}
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	w.Header().Set("Content-Type", "application/sdp")
	w.Header().Set("Location", "/whip/session")
	w.WriteHeader(http.StatusCreated)
	_, _ = io.WriteString(w, answer)
}

func (e *vp8Endpoint) answer(pc *webrtc.PeerConnection, offer string) (string, error) {
	if err := pc.SetRemoteDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeOffer, SDP: offer}); err != nil {
		return "", err
	}
	ans, err := pc.CreateAnswer(nil)
	if err != nil {
		return "", err
	}
	done := webrtc.GatheringCompletePromise(pc)
	if err := pc.SetLocalDescription(ans); err != nil {
		return "", err
	}
	<-done
	return pc.LocalDescription().SDP, nil
}

// read counts the VP8 frames (marker bits) and key frames of tr.
func (e *vp8Endpoint) read(tr *webrtc.TrackRemote) {
	for {
		p, _, err := tr.ReadRTP()
		if err != nil {
			return
		}
		if codec.VP8IsKeyframe(p.Payload) {
			e.keyframe.Add(1)
		}
		if p.Marker {
			e.frames.Add(1)
		}
	}
}

// TestForwardTranscodesRefusedCodec: the test pattern (H.264 + Opus) is
// forwarded to a WHIP endpoint that takes VP8 only and answers 422 to the
// H.264 offer; the forward offers the VP8 rendition next, the endpoint
// receives VP8 frames, transcoding.active says H.264 → VP8 and why, and
// forward.up says it is transcoded. Removing the forward by reload gives
// the rendition back (transcoding.inactive after the grace period).
func TestForwardTranscodesRefusedCodec(t *testing.T) {
	needTranscoding(t)
	for _, c := range []struct {
		name      string
		answerAll bool
	}{{"422", false}, {"m-line rejected", true}} {
		t.Run(c.name, func(t *testing.T) { testForwardTranscodes(t, c.answerAll) })
	}
}

func testForwardTranscodes(t *testing.T, answerAll bool) {
	e := newVP8Endpoint(t, answerAll)
	cfg := testConfig(t, `
[[stream]]
name = "demo"
source = "testpattern"
  [stream.video]
  codec = "h264"
  [stream.transcode]
  grace_period = "300ms"
  [[stream.forward]]
  url = "`+e.srv.URL+`/whip"
  retry_min = "200ms"
  retry_max = "1s"
`)
	// The forward is added once the test listens to the events: started
	// with the gateway, it could be up before the event stream is.
	withForward := cfg
	cfg = cloneConfig(withForward, func(sc *config.Stream) { sc.Forward = nil })
	gw := startGateway(t, cfg)
	events := sseEvents(t, gw.URL)
	if err := gw.Reload(withForward); err != nil {
		t.Fatalf("reload adding the forward: %v", err)
	}
	active := waitEvent(t, events, event.TranscodingActive, "demo", 10*time.Second, transcodesTo("video/VP8"))
	if active.Data["from"] != "video/H264" || active.Data["reason"] != forward.ReasonRefused {
		t.Errorf("transcoding.active %v, want from video/H264 with reason %q", active.Data, forward.ReasonRefused)
	}
	up := waitEvent(t, events, event.ForwardUp, "demo", 10*time.Second, nil)
	if up.Data["reason"] != forward.ReasonRefused || up.Data["transcoded"] != "video/H264→video/VP8" {
		t.Errorf("forward.up %v, want reason %q and video/H264→video/VP8", up.Data, forward.ReasonRefused)
	}
	waitUntil(t, 10*time.Second, "60 VP8 frames and a key frame at the endpoint", func() bool {
		return e.frames.Load() >= 60 && e.keyframe.Load() > 0
	})
	if c, _ := e.codec.Load().(string); c != webrtc.MimeTypeVP8 || e.refused.Load() != 1 {
		t.Errorf("endpoint got %q after %d refusals, want VP8 after 1", c, e.refused.Load())
	}
	labels := map[string]string{"stream": "demo", "url": e.srv.URL + "/whip"}
	if n := metricValue(t, gw.Gateway, "mediagate_forward_transcoded_tracks", labels); n != 1 {
		t.Errorf("mediagate_forward_transcoded_tracks = %v, want 1", n)
	}
	if err := gw.Reload(cloneConfig(cfg, func(sc *config.Stream) { sc.Forward = nil })); err != nil {
		t.Fatal(err)
	}
	waitEvent(t, events, event.TranscodingInactive, "demo", 5*time.Second, transcodesTo("video/VP8"))
}
