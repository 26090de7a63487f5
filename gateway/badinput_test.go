package gateway

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/pion/webrtc/v4"
)

// These tests feed the bad inputs of ../shared/reference/bad-inputs.md to a
// running gateway, one at a time, while a camera streams to each of two
// streams and a viewer watches each. Every case checks its documented outcome
// and then that both viewers are still receiving.

const (
	plainToken  = "plain-viewer-token-0123456789"
	secureToken = "secure-viewer-token-0123456789"
)

type badInputRig struct {
	gw                    *runningGateway
	plainPort, securePort int
	key                   []byte
	plainCam, secureCam   *camera
	plainView, secureView *whepClient
}

func newBadInputRig(t *testing.T) *badInputRig {
	r := &badInputRig{plainPort: freePort(t, "udp"), securePort: freePort(t, "udp"), key: bytes.Repeat([]byte{0x5a}, 30)}
	r.gw = startGateway(t, testConfig(t, fmt.Sprintf(`
[[stream]]
name = "plain"
listen = "127.0.0.1:%d"
allow_from = ["127.0.0.1/32"]
viewer_token = %q
relatch_after = "1s"
  [stream.video]
  codec = "vp8"
  payload_type = 97

[[stream]]
name = "secure"
listen = "127.0.0.1:%d"
viewer_token = %q
  [stream.video]
  codec = "vp8"
  payload_type = 97
  [stream.srtp]
  suite = "AES_CM_128_HMAC_SHA1_80"
  key = %q
`, r.plainPort, plainToken, r.securePort, secureToken, base64.StdEncoding.EncodeToString(r.key))))
	r.plainCam = startCamera(t, "127.0.0.1:0", r.plainPort, nil)
	r.secureCam = startCamera(t, "127.0.0.1:0", r.securePort, r.key)
	r.plainView = dialWHEP(t, r.gw.URL, "plain", plainToken, webrtc.RTPCodecTypeVideo)
	r.secureView = dialWHEP(t, r.gw.URL, "secure", secureToken, webrtc.RTPCodecTypeVideo)
	r.assertFlowing(t)
	return r
}

// assertFlowing checks that both viewers receive at least 20 more packets.
func (r *badInputRig) assertFlowing(t *testing.T) {
	t.Helper()
	for _, v := range []*whepClient{r.plainView, r.secureView} {
		v.waitPayloads(t, "video", v.count("video")+20, 5*time.Second)
	}
}

// dropped reads mediagate_ingest_dropped_total for a stream and reason.
func (r *badInputRig) dropped(t *testing.T, stream, reason string) float64 {
	t.Helper()
	return metricValue(t, r.gw.Gateway, "mediagate_ingest_dropped_total", map[string]string{"stream": stream, "reason": reason})
}

// metricValue returns the value of the counter or gauge name whose labels
// include want, or 0 when there is none.
func metricValue(t testing.TB, g *Gateway, name string, want map[string]string) float64 {
	t.Helper()
	mfs, err := g.reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
	metrics:
		for _, m := range mf.GetMetric() {
			labels := map[string]string{}
			for _, l := range m.GetLabel() {
				labels[l.GetName()] = l.GetValue()
			}
			for k, v := range want {
				if labels[k] != v {
					continue metrics
				}
			}
			if c := m.GetCounter(); c != nil {
				return c.GetValue()
			}
			return m.GetGauge().GetValue()
		}
	}
	return 0
}

// waitMetricAbove waits until the metric exceeds floor.
func waitMetricAbove(t *testing.T, read func() float64, floor float64, what string) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for read() <= floor {
		if time.Now().After(deadline) {
			t.Fatalf("%s: still %v after 5s", what, read())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestBadInputsHTTP(t *testing.T) {
	r := newBadInputRig(t)
	offer := pionOffer(t, webrtc.RTPCodecTypeVideo)
	twoVideo := pionOffer(t, webrtc.RTPCodecTypeVideo, webrtc.RTPCodecTypeVideo)
	cases := []struct {
		name, stream, token, ctype, body string
		want                             int
		header, headerHas                string
	}{
		{"missing token", "plain", "", "application/sdp", offer, 401, "WWW-Authenticate", "Bearer"},
		{"wrong token", "plain", "not-the-token-at-all-000", "application/sdp", offer, 401, "WWW-Authenticate", "invalid_token"},
		{"other stream's token", "plain", secureToken, "application/sdp", offer, 403, "", ""},
		{"wrong content type", "plain", plainToken, "text/plain", offer, 415, "Content-Type", "problem+json"},
		{"garbage sdp", "plain", plainToken, "application/sdp", "v=0\r\nthis is not sdp\x00\r\n", 400, "Content-Type", "problem+json"},
		{"two video m-lines", "plain", plainToken, "application/sdp", twoVideo, 422, "Content-Type", "problem+json"},
		{"unknown stream", "nope", plainToken, "application/sdp", offer, 404, "", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			resp := doRequest(t, http.MethodPost, r.gw.URL+"/whep/"+c.stream, c.token, c.ctype, "", c.body)
			if resp.StatusCode != c.want {
				t.Fatalf("status %d, want %d", resp.StatusCode, c.want)
			}
			if c.header != "" && !strings.Contains(resp.Header.Get(c.header), c.headerHas) {
				t.Errorf("%s: %q, want it to contain %q", c.header, resp.Header.Get(c.header), c.headerHas)
			}
			r.assertFlowing(t)
		})
	}
	t.Run("patch without and with a stale If-Match", func(t *testing.T) {
		v := dialWHEP(t, r.gw.URL, "plain", plainToken, webrtc.RTPCodecTypeVideo)
		frag := "a=ice-ufrag:abcd\r\na=ice-pwd:abcdefghijklmnopqrstuvwx\r\na=mid:0\r\na=candidate:1 1 udp 2130706431 127.0.0.1 9 typ host\r\n"
		url := r.gw.URL + v.Location
		if resp := doRequest(t, http.MethodPatch, url, "", "application/trickle-ice-sdpfrag", "", frag); resp.StatusCode != 428 {
			t.Errorf("no If-Match: %d, want 428", resp.StatusCode)
		}
		if resp := doRequest(t, http.MethodPatch, url, "", "application/trickle-ice-sdpfrag", `"stale"`, frag); resp.StatusCode != 412 {
			t.Errorf("stale If-Match: %d, want 412", resp.StatusCode)
		}
		r.assertFlowing(t)
	})
}

func TestBadInputsIngest(t *testing.T) {
	r := newBadInputRig(t)
	t.Run("sender outside allow_from", func(t *testing.T) {
		before := r.dropped(t, "plain", "not_allowed")
		stranger := startCamera(t, "127.0.0.2:0", r.plainPort, nil)
		waitMetricAbove(t, func() float64 { return r.dropped(t, "plain", "not_allowed") }, before, "not_allowed drops")
		stranger.Stop()
		r.assertFlowing(t)
	})
	t.Run("second sender racing the latched one", func(t *testing.T) {
		before := r.dropped(t, "plain", "not_latched")
		latched := r.gw.Source("plain").Latched()
		racer := startCamera(t, "127.0.0.1:0", r.plainPort, nil)
		waitMetricAbove(t, func() float64 { return r.dropped(t, "plain", "not_latched") }, before, "not_latched drops")
		racer.Stop()
		if got := r.gw.Source("plain").Latched(); got != latched {
			t.Errorf("re-latched to %v, want %v kept", got, latched)
		}
		r.assertFlowing(t)
	})
	t.Run("srtp with a wrong key", func(t *testing.T) {
		before := r.dropped(t, "secure", "srtp_auth")
		wrong := startCamera(t, "127.0.0.1:0", r.securePort, bytes.Repeat([]byte{0x11}, 30))
		waitMetricAbove(t, func() float64 { return r.dropped(t, "secure", "srtp_auth") }, before, "srtp_auth drops")
		wrong.Stop()
		r.assertFlowing(t)
	})
	t.Run("replayed srtp packet", func(t *testing.T) {
		before := r.dropped(t, "secure", "srtp_replay")
		if err := r.secureCam.replayLast(); err != nil {
			t.Fatal(err)
		}
		waitMetricAbove(t, func() float64 { return r.dropped(t, "secure", "srtp_replay") }, before, "srtp_replay drops")
		r.assertFlowing(t)
	})
	malformed := []struct {
		name, reason string
		datagram     []byte
	}{
		{"truncated rtp", "malformed", []byte{0x80, 0x61, 0x00}},
		{"rtp version 1", "malformed", append([]byte{0x40, 0x61, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1}, make([]byte, 20)...)},
		{"csrc count past the end", "malformed", []byte{0x8f, 0x61, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0xde, 0xad}},
		{"padding longer than the payload", "malformed", []byte{0xa0, 0x61, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0x10, 0x50, 0xff}},
		{"oversize datagram", "oversize", bytes.Repeat([]byte{0x80}, 9000)},
		{"rtcp length overflow", "rtcp_malformed", []byte{0x80, 0xc9, 0x00, 0x20, 0, 0, 0, 1}},
	}
	for _, m := range malformed {
		t.Run(m.name, func(t *testing.T) {
			before := r.dropped(t, "plain", m.reason)
			if err := r.plainCam.writeRaw(m.datagram); err != nil {
				t.Fatal(err)
			}
			waitMetricAbove(t, func() float64 { return r.dropped(t, "plain", m.reason) }, before, m.reason+" drops")
			r.assertFlowing(t)
		})
	}
	t.Run("srtp camera restarts with the same key", func(t *testing.T) {
		old := r.gw.Source("secure").Latched()
		r.secureCam.Stop()
		r.secureCam = startCamera(t, "127.0.0.1:0", r.securePort, r.key)
		want := r.secureCam.LocalAddr().AddrPort()
		deadline := time.Now().Add(5 * time.Second)
		for r.gw.Source("secure").Latched().Port() != want.Port() {
			if time.Now().After(deadline) {
				t.Fatalf("still latched to %v (was %v), want %v", r.gw.Source("secure").Latched(), old, want)
			}
			time.Sleep(20 * time.Millisecond)
		}
		r.assertFlowing(t)
	})
}

// pionOffer returns a complete recvonly offer for kinds from a pion peer.
func pionOffer(t testing.TB, kinds ...webrtc.RTPCodecType) string {
	t.Helper()
	_, offer := newOfferingPC(t, newPionAPI(t), kinds...)
	return offer
}

func doRequest(t testing.TB, method, url, token, ctype, ifMatch, body string) *http.Response {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if ifMatch != "" {
		req.Header.Set("If-Match", ifMatch)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp
}
