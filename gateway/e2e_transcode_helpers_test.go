package gateway

import (
	"bufio"
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/pion/webrtc/v4"

	"mediagate.dev/mediagate/gateway/event"
)

// sseEvents follows the gateway's event stream (/api/v1/events) until the
// test ends and delivers every event.
func sseEvents(t testing.TB, base string) <-chan event.Event {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/api/v1/events", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+testAdminToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /api/v1/events: %v %v", resp, err)
	}
	out := make(chan event.Event, 256)
	done := make(chan struct{})
	t.Cleanup(func() { cancel(); <-done })
	go func() {
		defer close(done)
		defer resp.Body.Close()
		s := bufio.NewScanner(resp.Body)
		for s.Scan() {
			data, ok := strings.CutPrefix(s.Text(), "data: ")
			var e event.Event
			if ok && json.Unmarshal([]byte(data), &e) == nil {
				out <- e
			}
		}
	}()
	return out
}

// waitEvent waits for an event of type typ about stream that match accepts.
func waitEvent(t testing.TB, events <-chan event.Event, typ event.Type, stream string, timeout time.Duration, match func(event.Event) bool) event.Event {
	t.Helper()
	deadline := time.After(timeout)
	for {
		select {
		case e := <-events:
			if e.Type == typ && e.Stream == stream && (match == nil || match(e)) {
				return e
			}
		case <-deadline:
			t.Fatalf("no %s for %s within %v", typ, stream, timeout)
			return event.Event{}
		}
	}
}

// transcodesTo matches a transcoding event to the codec to.
func transcodesTo(to string) func(event.Event) bool {
	return func(e event.Event) bool { return strings.EqualFold(e.Data["to"], to) }
}

// dialWHEPOnly plays stream with a pion peer that decodes only the given
// codecs, as a browser restricted with setCodecPreferences does.
func dialWHEPOnly(t testing.TB, base, stream string, codecs ...webrtc.RTPCodecParameters) *whepClient {
	t.Helper()
	return dialWHEPTokenOnly(t, base, stream, "", codecs...)
}

// dialWHEPTokenOnly is dialWHEPOnly with a viewer token.
func dialWHEPTokenOnly(t testing.TB, base, stream, token string, codecs ...webrtc.RTPCodecParameters) *whepClient {
	t.Helper()
	me := &webrtc.MediaEngine{}
	kinds := map[webrtc.RTPCodecType]bool{}
	for _, c := range codecs {
		kind := webrtc.RTPCodecTypeVideo
		if strings.HasPrefix(strings.ToLower(c.MimeType), "audio/") {
			kind = webrtc.RTPCodecTypeAudio
		}
		if err := me.RegisterCodec(c, kind); err != nil {
			t.Fatal(err)
		}
		kinds[kind] = true
	}
	var order []webrtc.RTPCodecType
	for _, k := range []webrtc.RTPCodecType{webrtc.RTPCodecTypeVideo, webrtc.RTPCodecTypeAudio} {
		if kinds[k] {
			order = append(order, k)
		}
	}
	c, status, body := tryWHEPWith(t, loopbackAPI(t, me), base, stream, token, order...)
	if status != http.StatusCreated {
		t.Fatalf("WHEP POST: %d %s", status, body)
	}
	return c
}

// Codecs a restricted pion viewer may offer.
var (
	offerVP8 = webrtc.RTPCodecParameters{RTPCodecCapability: webrtc.RTPCodecCapability{
		MimeType: webrtc.MimeTypeVP8, ClockRate: 90000,
		RTCPFeedback: []webrtc.RTCPFeedback{{Type: "nack"}, {Type: "nack", Parameter: "pli"}}}, PayloadType: 96}
	offerH264 = webrtc.RTPCodecParameters{RTPCodecCapability: webrtc.RTPCodecCapability{
		MimeType: webrtc.MimeTypeH264, ClockRate: 90000,
		SDPFmtpLine:  "level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f",
		RTCPFeedback: []webrtc.RTCPFeedback{{Type: "nack"}, {Type: "nack", Parameter: "pli"}}}, PayloadType: 102}
	offerH265 = webrtc.RTPCodecParameters{RTPCodecCapability: webrtc.RTPCodecCapability{
		MimeType: webrtc.MimeTypeH265, ClockRate: 90000,
		SDPFmtpLine:  "level-id=180;profile-id=1;tier-flag=0;tx-mode=SRST",
		RTCPFeedback: []webrtc.RTCPFeedback{{Type: "nack"}, {Type: "nack", Parameter: "pli"}}}, PayloadType: 116}
	offerOpus = webrtc.RTPCodecParameters{RTPCodecCapability: webrtc.RTPCodecCapability{
		MimeType: webrtc.MimeTypeOpus, ClockRate: 48000, Channels: 2, SDPFmtpLine: "minptime=10;useinbandfec=1"}, PayloadType: 111}
)

// leave ends a viewer's WHEP session with DELETE, as the player does when
// its page goes away.
func (c *whepClient) leave(t testing.TB, base string) {
	t.Helper()
	resp := doRequest(t, http.MethodDelete, base+c.Location, "", "", "", "")
	if resp.StatusCode != http.StatusOK && resp.StatusCode != http.StatusNoContent {
		t.Fatalf("DELETE %s: %d", c.Location, resp.StatusCode)
	}
	_ = c.pc.Close()
}

// transcoders reads mediagate_transcoder_running for a stream and pair.
func transcoders(t testing.TB, g *Gateway, stream, from, to string) float64 {
	return metricValue(t, g, "mediagate_transcoder_running", map[string]string{"stream": stream, "from": from, "to": to})
}

// apiRendition is one entry of a stream's "renditions" in the API.
type apiRendition struct {
	Codec       string `json:"codec"`
	From        string `json:"from"`
	Reason      string `json:"reason"`
	Bitrate     int    `json:"bitrate"`
	Viewers     int    `json:"viewers"`
	Subscribers int    `json:"subscribers"`
}

// apiRenditions reads a stream's running renditions from the streams API.
func apiRenditions(t testing.TB, base, stream string) []apiRendition {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, base+"/api/v1/streams/"+stream, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+testAdminToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body struct {
		Renditions []apiRendition `json:"renditions"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		t.Fatalf("GET /api/v1/streams/%s: %d %v", stream, resp.StatusCode, err)
	}
	return body.Renditions
}
