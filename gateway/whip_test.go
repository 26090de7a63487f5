package gateway

import (
	"bytes"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pion/rtcp"
	"github.com/pion/rtp"
	"github.com/pion/webrtc/v4"
)

const testPublishToken = "test-publish-token-0123456789"

// whipStream is a [[stream]] table for a WHIP stream with H.264 and Opus.
func whipStream(name, extra string) string {
	return fmt.Sprintf(`
[[stream]]
name = %q
source = "whip"
publish_token = %q
  [stream.video]
  codec = "h264"
  payload_type = 96
  [stream.audio]
  codec = "opus"
  payload_type = 111
%s`, name, testPublishToken, extra)
}

// whipPublisher is a pion peer publishing through WHIP, as a browser does.
type whipPublisher struct {
	pc       *webrtc.PeerConnection
	tracks   map[string]*webrtc.TrackLocalStaticRTP // by kind
	Location string

	mu   sync.Mutex
	remb []float32
}

// publishWHIP publishes H.264 and Opus to base/whip/stream and returns once
// the peer connection is up.
func publishWHIP(t testing.TB, base, stream, token string) *whipPublisher {
	t.Helper()
	return publishWHIPWith(t, base, stream, token, offerH264)
}

// publishWHIPWith publishes video in the given format, and Opus.
func publishWHIPWith(t testing.TB, base, stream, token string, video webrtc.RTPCodecParameters) *whipPublisher {
	t.Helper()
	me := &webrtc.MediaEngine{}
	for _, c := range []struct {
		codec webrtc.RTPCodecParameters
		kind  webrtc.RTPCodecType
	}{{video, webrtc.RTPCodecTypeVideo}, {offerOpus, webrtc.RTPCodecTypeAudio}} {
		c.codec.RTCPFeedback = append(c.codec.RTCPFeedback, webrtc.RTCPFeedback{Type: webrtc.TypeRTCPFBGoogREMB})
		if err := me.RegisterCodec(c.codec, c.kind); err != nil {
			t.Fatal(err)
		}
	}
	pc, err := loopbackAPI(t, me).NewPeerConnection(webrtc.Configuration{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = pc.Close() })
	p := &whipPublisher{pc: pc, tracks: map[string]*webrtc.TrackLocalStaticRTP{}}
	for _, c := range []webrtc.RTPCodecParameters{video, offerOpus} {
		kind := strings.SplitN(c.MimeType, "/", 2)[0]
		tr, err := webrtc.NewTrackLocalStaticRTP(c.RTPCodecCapability, kind, "whip")
		if err != nil {
			t.Fatal(err)
		}
		x, err := pc.AddTransceiverFromTrack(tr, webrtc.RTPTransceiverInit{Direction: webrtc.RTPTransceiverDirectionSendonly})
		if err != nil {
			t.Fatal(err)
		}
		p.tracks[kind] = tr
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
	<-gathered
	status, body, loc := postSDP(t, base+"/whip/"+stream, token, pc.LocalDescription().SDP)
	if status != http.StatusCreated || !strings.HasPrefix(loc, "/whip/"+stream+"/") {
		t.Fatalf("WHIP POST: %d %q %s", status, loc, body)
	}
	p.Location = loc
	if err := pc.SetRemoteDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeAnswer, SDP: body}); err != nil {
		t.Fatal(err)
	}
	waitConnected(t, pc)
	return p
}

func (p *whipPublisher) readRTCP(s *webrtc.RTPSender) {
	for {
		pkts, _, err := s.ReadRTCP()
		if err != nil {
			return
		}
		for _, pk := range pkts {
			if r, ok := pk.(*rtcp.ReceiverEstimatedMaximumBitrate); ok {
				p.mu.Lock()
				p.remb = append(p.remb, r.Bitrate)
				p.mu.Unlock()
			}
		}
	}
}

// send writes payloads on the kind's track, 2 ms apart, timestamps
// advancing by step per marker.
func (p *whipPublisher) send(t testing.TB, kind string, payloads [][]byte, markers []bool, step uint32) {
	t.Helper()
	var ts uint32
	for i, pl := range payloads {
		pkt := &rtp.Packet{Header: rtp.Header{Version: 2, SequenceNumber: uint16(i + 1), Timestamp: ts, Marker: markers[i]},
			Payload: pl}
		if err := p.tracks[kind].WriteRTP(pkt); err != nil {
			t.Fatalf("write %s: %v", kind, err)
		}
		if markers[i] {
			ts += step
		}
		time.Sleep(2 * time.Millisecond)
	}
}

func (p *whipPublisher) rembs() []float32 {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]float32(nil), p.remb...)
}

// TestWHIPToWHEPIsByteIdentical: a pion WHEP viewer receives exactly the
// payloads a pion WHIP publisher sends, video and audio, the publisher gets
// REMB within the stream's bounds, and the stream goes up and down with
// the publisher.
func TestWHIPToWHEPIsByteIdentical(t *testing.T) {
	gw := startGateway(t, testConfig(t, whipStream("live", `  [stream.remb]
  max_bitrate = 700
`)))
	events := sseEvents(t, gw.URL)
	viewer := dialWHEP(t, gw.URL, "live", "", webrtc.RTPCodecTypeVideo, webrtc.RTPCodecTypeAudio)
	waitConnected(t, viewer.pc)
	pub := publishWHIP(t, gw.URL, "live", testPublishToken)

	video, vmarkers := payloadsFor("h264", 120)
	audio, amarkers := payloadsFor("opus", 60)
	var wg sync.WaitGroup
	wg.Go(func() { pub.send(t, "video", video, vmarkers, 3000) })
	wg.Go(func() { pub.send(t, "audio", audio, amarkers, 960) })
	wg.Wait()
	waitEvent(t, events, "stream.up", "live", 5*time.Second, nil)
	for _, c := range []struct {
		kind     string
		payloads [][]byte
	}{{"video", video}, {"audio", audio}} {
		got := viewer.waitPayloads(t, c.kind, len(c.payloads), 10*time.Second)
		for i := range c.payloads {
			if !bytes.Equal(got[i], c.payloads[i]) {
				t.Fatalf("%s payload %d differs: got % x…, want % x…", c.kind, i, head(got[i]), head(c.payloads[i]))
			}
		}
	}
	waitUntil(t, 5*time.Second, "a REMB at the publisher", func() bool { return len(pub.rembs()) > 0 })
	for _, b := range pub.rembs() {
		if b > 700_000 {
			t.Errorf("REMB %.0f bit/s above max_bitrate 700 kbit/s", b)
		}
	}
	if v := metricValue(t, gw.Gateway, "mediagate_whip_publishers", map[string]string{"stream": "live"}); v != 1 {
		t.Errorf("mediagate_whip_publishers %v, want 1", v)
	}
	resp := doRequest(t, http.MethodDelete, gw.URL+pub.Location, "", "", "", "")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("DELETE: %d", resp.StatusCode)
	}
	waitEvent(t, events, "stream.down", "live", 5*time.Second, nil)
}

// TestWHIPRefusals: the gateway's WHIP endpoint answers 404 for a stream
// that is not a WHIP stream, 401 without the publish token, 409 for a
// second publisher.
func TestWHIPRefusals(t *testing.T) {
	port := freePort(t, "udp")
	gw := startGateway(t, testConfig(t, whipStream("live", "")+fmt.Sprintf(`
[[stream]]
name = "cam"
listen = "127.0.0.1:%d"
  [stream.video]
  codec = "h264"
  payload_type = 96
`, port)))
	offer := pionOffer(t, webrtc.RTPCodecTypeVideo)
	for _, c := range []struct {
		stream, token string
		want          int
	}{
		{"cam", testPublishToken, http.StatusNotFound},
		{"live", "", http.StatusUnauthorized},
	} {
		if status, body, _ := postSDP(t, gw.URL+"/whip/"+c.stream, c.token, offer); status != c.want {
			t.Errorf("POST /whip/%s: %d %s, want %d", c.stream, status, body, c.want)
		}
	}
	publishWHIP(t, gw.URL, "live", testPublishToken)
	me := &webrtc.MediaEngine{}
	if err := me.RegisterCodec(offerH264, webrtc.RTPCodecTypeVideo); err != nil {
		t.Fatal(err)
	}
	pc, err := loopbackAPI(t, me).NewPeerConnection(webrtc.Configuration{})
	if err != nil {
		t.Fatal(err)
	}
	defer pc.Close()
	if _, err := pc.AddTransceiverFromKind(webrtc.RTPCodecTypeVideo,
		webrtc.RTPTransceiverInit{Direction: webrtc.RTPTransceiverDirectionSendonly}); err != nil {
		t.Fatal(err)
	}
	second, err := pc.CreateOffer(nil)
	if err != nil {
		t.Fatal(err)
	}
	if status, body, _ := postSDP(t, gw.URL+"/whip/live", testPublishToken, second.SDP); status != http.StatusConflict {
		t.Errorf("second publisher: %d %s, want 409", status, body)
	}
}
