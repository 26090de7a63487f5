package gateway

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"mediagate.dev/mediagate/gateway/stream"
)

// whipPage is a minimal WHIP publisher (RFC 9725 §4.2): it captures the
// fake camera, offers sendonly, POSTs the offer with the bearer token and
// applies the answer. window.whip.state says how far it got.
const whipPage = `<!doctype html><html><body><script>
window.whip = {state: "starting"};
(async () => {
  try {
    const media = await navigator.mediaDevices.getUserMedia(
      {video: {width: 1280, height: 720, frameRate: 30}, audio: true});
    const pc = new RTCPeerConnection();
    for (const t of media.getTracks()) pc.addTransceiver(t, {direction: "sendonly"});
    await pc.setLocalDescription(await pc.createOffer());
    await new Promise(done => {
      if (pc.iceGatheringState === "complete") return done();
      pc.onicegatheringstatechange = () => pc.iceGatheringState === "complete" && done();
    });
    const resp = await fetch(ENDPOINT, {method: "POST", body: pc.localDescription.sdp,
      headers: {"Content-Type": "application/sdp", "Authorization": "Bearer " + TOKEN}});
    const body = await resp.text();
    if (resp.status !== 201) throw new Error("POST " + resp.status + " " + body);
    window.whip.location = resp.headers.get("Location");
    await pc.setRemoteDescription({type: "answer", sdp: body});
    window.whip.pc = pc;
    window.whip.state = "published";
  } catch (e) {
    window.whip.state = "error: " + e;
  }
})();
</script></body></html>`

// outboundJS reads the publisher's outgoing video stats.
const outboundJS = `(async () => {
  const pc = window.whip && window.whip.pc;
  if (!pc) return {state: window.whip ? window.whip.state : "no page"};
  const r = await pc.getStats();
  const out = {state: window.whip.state + "/" + pc.connectionState};
  r.forEach(s => {
    if (s.type === "outbound-rtp" && s.kind === "video") {
      out.bytesSent = s.bytesSent; out.timestamp = s.timestamp; out.framesEncoded = s.framesEncoded;
      out.frameWidth = s.frameWidth || 0; out.limitation = s.qualityLimitationReason || "";
    }
    if (s.type === "candidate-pair" && s.nominated && s.availableOutgoingBitrate)
      out.available = s.availableOutgoingBitrate;
  });
  return out;
})()`

// outbound is one getStats sample of the publisher's video.
type outbound struct {
	State         string  `json:"state"`
	BytesSent     float64 `json:"bytesSent"`
	Timestamp     float64 `json:"timestamp"` // ms
	FramesEncoded int     `json:"framesEncoded"`
	FrameWidth    int     `json:"frameWidth"`
	Limitation    string  `json:"limitation"`
	Available     float64 `json:"available"`
}

// servePublisherPage serves whipPage for endpoint and token on a loopback
// server of the test's own (another origin than the gateway: CORS is
// exercised too).
func servePublisherPage(t *testing.T, endpoint, token string) string {
	t.Helper()
	ep, _ := json.Marshal(endpoint)
	tok, _ := json.Marshal(token)
	page := strings.NewReplacer("ENDPOINT", string(ep), "TOKEN", string(tok)).Replace(whipPage)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		_, _ = w.Write([]byte(page))
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

// publishFromBrowser opens the publisher page in headless chromium with a
// fake camera and waits until it has published.
func publishFromBrowser(t *testing.T, gw *runningGateway, name string) context.Context {
	t.Helper()
	ctx := newBrowser(t,
		chromedp.Flag("use-fake-device-for-media-stream", true),
		chromedp.Flag("use-fake-ui-for-media-stream", true))
	ctx, cancel := context.WithTimeout(ctx, 90*time.Second)
	t.Cleanup(cancel)
	page := servePublisherPage(t, gw.URL+"/whip/"+name, testPublishToken)
	if err := chromedp.Do(ctx, chromedp.Navigate(page)); err != nil {
		t.Fatalf("navigate: %v", err)
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		st, err := chromedp.Run(ctx, chromedp.Evaluate[outbound](outboundJS, chromedp.EvalAwaitPromise))
		if err == nil && strings.HasPrefix(st.State, "published/connected") {
			return ctx
		}
		if err == nil && strings.HasPrefix(st.State, "error") || time.Now().After(deadline) {
			t.Fatalf("publisher page: %+v %v", st, err)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// bitrateSeries samples the publisher's outgoing video every second for
// seconds and returns the bitrate of each second, in kbit/s.
func bitrateSeries(ctx context.Context, t *testing.T, seconds int) []float64 {
	t.Helper()
	var prev outbound
	var series []float64
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for i := 0; i <= seconds; i++ {
		st, err := chromedp.Run(ctx, chromedp.Evaluate[outbound](outboundJS, chromedp.EvalAwaitPromise))
		if err != nil {
			t.Fatalf("getStats: %v", err)
		}
		if i > 0 && st.Timestamp <= prev.Timestamp {
			t.Logf("t=%2ds no new stats: %+v", i, st)
		}
		if i > 0 && st.Timestamp > prev.Timestamp {
			kbps := (st.BytesSent - prev.BytesSent) * 8 / (st.Timestamp - prev.Timestamp)
			series = append(series, kbps)
			t.Logf("t=%2ds video %6.0f kbit/s  frames %5d  width %4d  available %6.0f kbit/s  limitation %q",
				i, kbps, st.FramesEncoded, st.FrameWidth, st.Available/1000, st.Limitation)
		}
		prev = st
		<-tick.C
	}
	return series
}

// TestBrowserPublishesThroughWHIP is issue 7's WHIP proof: chromium
// publishes its fake camera through WHIP; GStreamer receives the stream's
// [stream.output], plain RTP in one case and SRTP in the other, and
// decodes it; and the browser obeys mediagate's REMB: with [stream.remb]
// max_bitrate = 500 its outgoing video bitrate, from getStats, settles
// below 500 kbit/s, and with 200 (below what it sends when left alone on
// loopback) below 200, give or take 5% of encoder overshoot.
func TestBrowserPublishesThroughWHIP(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test: run without -short")
	}
	const settle, measure, frames = 8, 5, 60
	cases := []struct {
		name      string
		max       int     // kbit/s
		tolerance float64 // share of max the mean may exceed it by
		key       []byte  // [stream.output.srtp] key; nil = plain RTP
	}{
		{"max_bitrate_500_rtp", 500, 0.05, nil}, // libwebrtc's encoder overshoots its target by a few percent
		{"max_bitrate_200_srtp", 200, 0.05, outputTestKey},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			port := freePort(t, "udp")
			table := fmt.Sprintf(`
[[stream]]
name = "webcam"
source = "whip"
publish_token = %q
  [stream.video]
  codec = "vp8"
  payload_type = 96
  [stream.audio]
  codec = "opus"
  payload_type = 111
  [stream.remb]
  max_bitrate = %d
  [stream.output]
  address = "127.0.0.1:%d"
`, testPublishToken, c.max, port)
			if c.key != nil {
				table += fmt.Sprintf("    [stream.output.srtp]\n    key = %q\n", base64.StdEncoding.EncodeToString(c.key))
			}
			gw := startGateway(t, testConfig(t, table))
			out := gw.Output("webcam")
			if out == nil {
				t.Fatal("no output running for stream webcam")
			}
			rx := startPeer(t, "gst-launch-1.0", gstReceiveVP8(port, c.key, out.SSRC(stream.Video))...)
			// The browser sends one key frame when it starts and none after
			// unless asked, and GStreamer asks for none: it must be
			// listening (its udpsrc bound, PAUSED) before the publisher starts.
			waitUntil(t, 10*time.Second, "GStreamer listening", func() bool {
				return strings.Contains(rx.out.String(), "Pipeline is live")
			})
			ctx := publishFromBrowser(t, gw, "webcam")
			series := bitrateSeries(ctx, t, settle+measure)
			window := series[len(series)-measure:]
			mean := 0.0
			for _, v := range window {
				mean += v / float64(len(window))
			}
			remb := metricValue(t, gw.Gateway, "mediagate_whip_remb_bitrate_bps", map[string]string{"stream": "webcam"})
			t.Logf("max_bitrate %d kbit/s: mean of the last %d s %.0f kbit/s, last REMB sent %.0f kbit/s",
				c.max, measure, mean, remb/1000)
			if limit := float64(c.max) * (1 + c.tolerance); mean >= limit {
				t.Errorf("mean outgoing video bitrate %.0f kbit/s after %d s, want below %.0f", mean, settle, limit)
			}
			decoded := waitDecodedAny(t, rx, frames, 20*time.Second)
			t.Logf("GStreamer decoded %d pictures from the output (%s)", decoded, map[bool]string{true: "SRTP", false: "RTP"}[c.key != nil])
		})
	}
}

// waitDecodedAny waits until the GStreamer receiver reported want decoded
// pictures of any size (the browser adapts its resolution to the REMB).
func waitDecodedAny(t *testing.T, rx *peer, want int, timeout time.Duration) int {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		n := strings.Count(rx.out.String(), "last-message = chain")
		if n >= want {
			return n
		}
		if time.Now().After(deadline) {
			t.Fatalf("GStreamer decoded %d pictures in %v, want %d", n, timeout, want)
		}
		time.Sleep(250 * time.Millisecond)
	}
}
