package gateway

import (
	"context"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pion/interceptor"
	"github.com/pion/webrtc/v4"

	"mediagate.dev/mediagate/internal/looptest"
)

// whepClient is a pion viewer that plays a stream through WHEP, as a browser
// would, and records every RTP payload it receives per media kind.
type whepClient struct {
	pc       *webrtc.PeerConnection
	Location string

	mu       sync.Mutex
	payloads map[string][][]byte // kind → payloads in arrival order
	codecs   map[string]string   // kind → negotiated MIME type
	got      chan struct{}
}

// newPionAPI returns a pion API with pion's default codecs whose ICE stays
// on loopback.
func newPionAPI(t testing.TB) *webrtc.API {
	t.Helper()
	me := &webrtc.MediaEngine{}
	if err := me.RegisterDefaultCodecs(); err != nil {
		t.Fatal(err)
	}
	return loopbackAPI(t, me)
}

// loopbackAPI returns a pion API for the codecs in me whose ICE stays on
// loopback (interface lo, no mDNS, UDP over IPv4).
func loopbackAPI(t testing.TB, me *webrtc.MediaEngine) *webrtc.API {
	t.Helper()
	ir := &interceptor.Registry{}
	if err := webrtc.RegisterDefaultInterceptors(me, ir); err != nil {
		t.Fatal(err)
	}
	return webrtc.NewAPI(webrtc.WithMediaEngine(me), webrtc.WithInterceptorRegistry(ir), webrtc.WithSettingEngine(looptest.SettingEngine()))
}

// dialWHEP offers to base/whep/stream with recvonly transceivers for kinds,
// and returns once the answer is set. It fails the test on any non-201.
func dialWHEP(t testing.TB, base, stream, token string, kinds ...webrtc.RTPCodecType) *whepClient {
	t.Helper()
	c, status, body := tryWHEP(t, base, stream, token, kinds...)
	if status != http.StatusCreated {
		t.Fatalf("WHEP POST: %d %s", status, body)
	}
	return c
}

// tryWHEP is dialWHEP that returns the status and body instead of failing.
func tryWHEP(t testing.TB, base, stream, token string, kinds ...webrtc.RTPCodecType) (*whepClient, int, string) {
	t.Helper()
	return tryWHEPWith(t, newPionAPI(t), base, stream, token, kinds...)
}

// tryWHEPWith is tryWHEP for a peer built on api.
func tryWHEPWith(t testing.TB, api *webrtc.API, base, stream, token string, kinds ...webrtc.RTPCodecType) (*whepClient, int, string) {
	t.Helper()
	pc, offer := newOfferingPC(t, api, kinds...)
	c := &whepClient{pc: pc, payloads: map[string][][]byte{}, codecs: map[string]string{}, got: make(chan struct{}, 1)}
	pc.OnTrack(c.onTrack)
	status, body, loc := postSDP(t, base+"/whep/"+stream, token, offer)
	if status != http.StatusCreated {
		return c, status, body
	}
	c.Location = loc
	if err := pc.SetRemoteDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeAnswer, SDP: body}); err != nil {
		t.Fatalf("set answer: %v\n%s", err, body)
	}
	return c, status, body
}

// newOfferingPC returns a loopback pion peer with a recvonly transceiver per
// kind and its complete offer (every candidate gathered), closed when the
// test ends.
func newOfferingPC(t testing.TB, api *webrtc.API, kinds ...webrtc.RTPCodecType) (*webrtc.PeerConnection, string) {
	t.Helper()
	pc, err := api.NewPeerConnection(webrtc.Configuration{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = pc.Close() })
	for _, k := range kinds {
		if _, err := pc.AddTransceiverFromKind(k, webrtc.RTPTransceiverInit{Direction: webrtc.RTPTransceiverDirectionRecvonly}); err != nil {
			t.Fatal(err)
		}
	}
	offer, err := pc.CreateOffer(nil)
	if err != nil {
		t.Fatal(err)
	}
	gathered := webrtc.GatheringCompletePromise(pc)
	if err := pc.SetLocalDescription(offer); err != nil {
		t.Fatal(err)
	}
	<-gathered
	return pc, pc.LocalDescription().SDP
}

func postSDP(t testing.TB, url, token, sdp string) (status int, body, location string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url, strings.NewReader(sdp))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/sdp")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	resp, err := http.DefaultClient.Do(req.WithContext(ctx))
	if err != nil {
		t.Fatalf("POST %s: %v", url, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	return resp.StatusCode, string(b), resp.Header.Get("Location")
}

func (c *whepClient) onTrack(tr *webrtc.TrackRemote, _ *webrtc.RTPReceiver) {
	kind := tr.Kind().String()
	c.mu.Lock()
	c.codecs[kind] = tr.Codec().MimeType
	c.mu.Unlock()
	for {
		p, _, err := tr.ReadRTP()
		if err != nil {
			return
		}
		c.mu.Lock()
		c.payloads[kind] = append(c.payloads[kind], append([]byte(nil), p.Payload...))
		c.mu.Unlock()
		select {
		case c.got <- struct{}{}:
		default:
		}
	}
}

// waitPayloads waits until at least n payloads of kind have arrived.
func (c *whepClient) waitPayloads(t testing.TB, kind string, n int, timeout time.Duration) [][]byte {
	t.Helper()
	deadline := time.After(timeout)
	for {
		c.mu.Lock()
		got := c.payloads[kind]
		c.mu.Unlock()
		if len(got) >= n {
			return got
		}
		select {
		case <-c.got:
		case <-deadline:
			t.Fatalf("%s: %d payloads after %v, want %d", kind, len(got), timeout, n)
		}
	}
}

// count reports how many payloads of kind have arrived.
func (c *whepClient) count(kind string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.payloads[kind])
}

func (c *whepClient) codec(kind string) string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.codecs[kind]
}
