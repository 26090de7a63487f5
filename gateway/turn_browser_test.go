package gateway

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// relayJS reads the selected candidate pair of the player's connection:
// the local candidate's type and, for a relayed one, the transport between
// the browser and the TURN server.
const relayJS = `(async () => {
  const p = window.mediagatePlayer;
  if (!p || !p.pc) return {type: "", relayProtocol: ""};
  const r = await p.pc.getStats();
  let pair = null;
  r.forEach(s => { if (s.type === "transport" && s.selectedCandidatePairId) pair = r.get(s.selectedCandidatePairId); });
  if (!pair) return {type: "", relayProtocol: ""};
  const local = r.get(pair.localCandidateId);
  return {type: local.candidateType || "", relayProtocol: local.relayProtocol || ""};
})()`

// selectedCandidate is what relayJS returns.
type selectedCandidate struct {
	Type          string `json:"type"`
	RelayProtocol string `json:"relayProtocol"`
}

// TestBrowserPlaysThroughTURN plays a stream in headless chromium with
// iceTransportPolicy "relay" (the player's ?relay=1) through the built-in
// TURN server over UDP, then TCP, then TLS (a certificate the test makes),
// each time with a gateway offering only that transport: the player takes
// the ICE servers and credentials from the WHEP Link headers alone.
func TestBrowserPlaysThroughTURN(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test: run without -short")
	}
	for _, transport := range []string{"udp", "tcp", "tls"} {
		t.Run(transport, func(t *testing.T) {
			port := freePort(t, "udp")
			cfg := testConfig(t, turnTOML(t, transport)+fmt.Sprintf(`
[[stream]]
name = "cam"
listen = "127.0.0.1:%d"
  [stream.video]
  codec = "vp8"
  payload_type = 97
`, port))
			gw := startGateway(t, cfg)
			startPeer(t, "ffmpeg", ffmpegVP8(port, 320, 240)...)

			// The TURN server's certificate is one the test made: without
			// this flag chromium refuses it and never relays over TLS.
			ctx := newBrowser(t, chromedp.Flag("ignore-certificate-errors", true))
			ctx, cancel := context.WithTimeout(ctx, 60*time.Second)
			defer cancel()
			if err := chromedp.Do(ctx, chromedp.Navigate(gw.URL+"/view/cam?relay=1")); err != nil {
				t.Fatalf("navigate: %v", err)
			}
			waitFrames(ctx, t, 30, 40*time.Second)
			got, err := chromedp.Run(ctx, chromedp.Evaluate[selectedCandidate](relayJS, chromedp.EvalAwaitPromise))
			if err != nil {
				t.Fatal(err)
			}
			if got.Type != "relay" || got.RelayProtocol != transport {
				t.Errorf("selected local candidate %+v, want relay over %s", got, transport)
			}
			if n := metricValue(t, gw.Gateway, "mediagate_turn_relayed_packets_total", map[string]string{"direction": "to_client"}); n < 30 {
				t.Errorf("%v packets relayed to the browser, want at least 30", n)
			}
			if n := metricValue(t, gw.Gateway, "mediagate_turn_allocations_total", map[string]string{"transport": transport}); n < 1 {
				t.Errorf("no allocation over %s", transport)
			}
			// The gateway sends from its own UDP port to the relay: the
			// viewer is on the fast path (docs/fanout.md).
			if n := metricValue(t, gw.Gateway, "mediagate_egress_fast_path_total", map[string]string{"stream": "cam", "result": "fast"}); n != 1 {
				t.Errorf("fast_path_total{result=fast} = %v for the relayed viewer, want 1", n)
			}
		})
	}
}
