package gateway

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/pion/webrtc/v4"
)

// TestHalfOpenFlooderRefused: one address POSTs offers to a stream of ten
// viewer slots and never connects (what one client needed to deny a stream
// to everyone); it is answered 429 once it holds its share of the stream's
// half-open slots, and a viewer from another address still gets in and
// connects. /metrics counts the half-open sessions apart from the rest.
func TestHalfOpenFlooderRefused(t *testing.T) {
	cfg := testConfig(t, fmt.Sprintf(`
[[stream]]
name = "cam"
listen = "127.0.0.1:%d"
max_viewers = 10
  [stream.video]
  codec = "vp8"
  payload_type = 97
`, freePort(t, "udp")))
	gw := startGateway(t, cfg)
	url := gw.URL + "/whep/cam"
	_, offer := newOfferingPC(t, newPionAPI(t), webrtc.RTPCodecTypeVideo)

	flooder, viewer := clientFrom(t, "127.0.0.1"), clientFrom(t, "127.0.0.2")
	var codes []int
	for range 12 {
		code, _ := postFrom(t, flooder, url, offer)
		codes = append(codes, code)
	}
	created := strings.Count(fmt.Sprint(codes), "201")
	if created == 0 || created > 2 || codes[len(codes)-1] != http.StatusTooManyRequests {
		t.Fatalf("the flooder's answers %v: want at most 2 sessions (half of the stream's 4 half-open slots), then 429", codes)
	}

	pc, offer2 := newOfferingPC(t, newPionAPI(t), webrtc.RTPCodecTypeVideo)
	code, answer := postFrom(t, viewer, url, offer2)
	if code != http.StatusCreated {
		t.Fatalf("the other address's viewer: %d %s", code, answer)
	}
	if err := pc.SetRemoteDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeAnswer, SDP: answer}); err != nil {
		t.Fatal(err)
	}
	waitICEConnected(t, pc)
	labels := map[string]string{"stream": "cam"}
	deadline := time.Now().Add(5 * time.Second)
	for metricValue(t, gw.Gateway, "mediagate_whep_sessions_half_open", labels) != float64(created) ||
		metricValue(t, gw.Gateway, "mediagate_whep_sessions", labels) != float64(created+1) {
		if time.Now().After(deadline) {
			t.Fatalf("half-open %v of %v sessions, want %d of %d",
				metricValue(t, gw.Gateway, "mediagate_whep_sessions_half_open", labels),
				metricValue(t, gw.Gateway, "mediagate_whep_sessions", labels), created, created+1)
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Logf("flooder answers %v; the other viewer connected", codes)
}

// clientFrom returns an HTTP client whose connections come from the
// loopback address ip.
func clientFrom(t *testing.T, ip string) *http.Client {
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}, Timeout: 5 * time.Second}
	tr := &http.Transport{DialContext: d.DialContext}
	t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr, Timeout: 15 * time.Second}
}

// postFrom POSTs an offer with c and returns the status and body.
func postFrom(t *testing.T, c *http.Client, url, offer string) (int, string) {
	t.Helper()
	req, err := http.NewRequestWithContext(context.Background(), http.MethodPost, url, strings.NewReader(offer))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/sdp")
	resp, err := c.Do(req)
	if err != nil {
		t.Fatalf("POST %s: %v", url, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	return resp.StatusCode, string(b)
}
