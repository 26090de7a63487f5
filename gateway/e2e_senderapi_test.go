package gateway

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/pion/webrtc/v4"

	"mediagate.dev/mediagate/gateway/config"
)

// offerWith is a plain-RTP-or-SDES H.264 offer with the given crypto lines.
func offerWith(cryptos ...string) string {
	proto := "RTP/AVP"
	if len(cryptos) > 0 {
		proto = "RTP/SAVP"
	}
	s := "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n" +
		"m=video 5000 " + proto + " 96\r\na=rtpmap:96 H264/90000\r\na=fmtp:96 packetization-mode=1\r\n"
	for _, c := range cryptos {
		s += "a=crypto:" + c + "\r\n"
	}
	return s
}

// TestSenderAnswers checks the answers of a running gateway to offers of
// every suite, without media: the chosen tag, a fresh key of the suite's
// length (46 bytes for AES-256), no crypto for a plain offer, and 422 with
// the suites named when none is supported.
func TestSenderAnswers(t *testing.T) {
	gw := startGateway(t, senderConfig(t, ""))
	key := func(n int) string { return b64(newSRTPKey(t, n)) }
	cases := []struct {
		name    string
		offer   string
		status  int
		tag     int
		suite   string
		keyLen  int
		problem string
	}{
		{"plain", offerWith(), 201, 0, "", 0, ""},
		{"aes 128", offerWith("5 AES_CM_128_HMAC_SHA1_80 inline:" + key(30)), 201, 5, "AES_CM_128_HMAC_SHA1_80", 30, ""},
		{"aes 128 tag 32", offerWith("1 AES_CM_128_HMAC_SHA1_32 inline:" + key(30)), 201, 1, "AES_CM_128_HMAC_SHA1_32", 30, ""},
		{"aes 256", offerWith("3 AES_256_CM_HMAC_SHA1_80 inline:" + key(46)), 201, 3, "AES_256_CM_HMAC_SHA1_80", 46, ""},
		{"gcm 256 preferred", offerWith("1 AES_CM_128_HMAC_SHA1_80 inline:"+key(30), "2 AEAD_AES_256_GCM inline:"+key(44)),
			201, 2, "AEAD_AES_256_GCM", 44, ""},
		{"all unsupported", offerWith("1 F8_128_HMAC_SHA1_80 inline:"+key(30), "2 NULL_HMAC_SHA1_32 inline:"+key(30)),
			422, 0, "", 0, "F8_128_HMAC_SHA1_80 (tag 1: not accepted), NULL_HMAC_SHA1_32 (tag 2: not accepted)"},
		{"wrong key length", offerWith("1 AEAD_AES_128_GCM inline:" + key(30)), 400, 0, "", 0, "must decode to 28 bytes"},
		{"webrtc offer", strings.Replace(offerWith(), "RTP/AVP", "UDP/TLS/RTP/SAVPF", 1), 422, 0, "", 0, "WHIP"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := callAPI(t, http.MethodPost, gw.URL+"/api/v1/streams", "application/sdp", c.offer)
			if r.status != c.status || !strings.Contains(r.body, c.problem) {
				t.Fatalf("POST = %d %s; want %d containing %q", r.status, r.body, c.status, c.problem)
			}
			if c.status != 201 {
				return
			}
			m := r.video(t)
			if _, has := m.Attribute("crypto"); has != (c.suite != "") {
				t.Fatalf("crypto in answer: %v, want %v\n%s", has, c.suite != "", r.body)
			}
			if c.suite != "" {
				cr := r.crypto(t)
				if cr.Tag != c.tag || cr.Suite != c.suite || len(cr.Key) != c.keyLen || strings.Contains(c.offer, b64(cr.Key)) {
					t.Errorf("crypto %v with %d bytes; want tag %d %s with a fresh %d-byte key", cr, len(cr.Key), c.tag, c.suite, c.keyLen)
				}
			}
			if r.session.ConnectionInformation.Address.Address != "127.0.0.1" || m.MediaName.Port.Value == 0 {
				t.Errorf("answer advertises %s:%d", r.session.ConnectionInformation.Address.Address, m.MediaName.Port.Value)
			}
			if c.name == "all unsupported" {
				var p struct {
					Offered []string `json:"offered_suites"`
				}
				if err := json.Unmarshal([]byte(r.body), &p); err != nil || len(p.Offered) != 2 {
					t.Errorf("problem %s: %v", r.body, err)
				}
			}
		})
	}
}

// TestSenderStreamLifecycle: names, tokens, DELETE, GET …/sdp of a
// configured stream, reloads that leave API-created streams alone, and a
// config that never holds them.
func TestSenderStreamLifecycle(t *testing.T) {
	cfgKey := b64(newSRTPKey(t, 30))
	camPort := freePort(t, "udp")
	cam := fmt.Sprintf("[[stream]]\nname = \"cam1\"\nlisten = \"127.0.0.1:%d\"\n  [stream.video]\n  codec = \"h264\"\n"+
		"  [stream.srtp]\n  key = %q\n", camPort, cfgKey)
	cfg := senderConfig(t, cam)
	gw := startGateway(t, cfg)
	api := gw.URL + "/api/v1/streams"

	r := callAPI(t, http.MethodGet, api+"/cam1/sdp", "", "")
	if r.status != 200 || r.crypto(t).Suite != "AES_CM_128_HMAC_SHA1_80" || b64(r.crypto(t).Key) != cfgKey ||
		r.video(t).MediaName.Port.Value != camPort || !strings.Contains(r.body, "c=IN IP4 127.0.0.1") ||
		!strings.Contains(r.body, "a=fmtp:96 packetization-mode=1;profile-level-id=42e01f") {
		t.Fatalf("GET cam1/sdp = %d\n%s", r.status, r.body)
	}
	if r := callAPI(t, http.MethodPost, api+"?name=cam1", "application/sdp", offerWith()); r.status != 409 {
		t.Errorf("POST with a configured name = %d %s, want 409", r.status, r.body)
	}
	if r := callAPI(t, http.MethodPost, api+"?name=bad/name", "", ""); r.status != 400 {
		t.Errorf("POST with a bad name = %d %s, want 400", r.status, r.body)
	}
	token := "viewer-token-0123456789"
	r = callAPI(t, http.MethodPost, api+"?name=live&viewer_token="+token+"&allow_from=127.0.0.1", "application/sdp", offerWith())
	if r.status != 201 || r.token() != token {
		t.Fatalf("POST live = %d %v %s", r.status, r.header, r.body)
	}
	if again := callAPI(t, http.MethodGet, api+"/live/sdp", "", ""); again.body != r.body {
		t.Errorf("GET live/sdp differs from the answer:\n%s\n%s", again.body, r.body)
	}
	if _, status, _ := tryWHEP(t, gw.URL, "live", "", webrtc.RTPCodecTypeVideo); status != http.StatusUnauthorized {
		t.Errorf("WHEP without the viewer token = %d, want 401", status)
	}
	dialWHEP(t, gw.URL, "live", token, webrtc.RTPCodecTypeVideo)

	next := *cfg
	renamed := cfg.Streams[0]
	renamed.Name = "cam2"
	next.Streams = []config.Stream{renamed}
	if err := gw.Reload(&next); err != nil {
		t.Fatalf("Reload: %v", err)
	}
	if gw.Hub().Get("live") == nil || gw.Hub().Get("cam1") != nil || gw.Hub().Get("cam2") == nil {
		t.Fatal("reload touched the API-created stream, or did not apply")
	}
	if streamNamed(gw.config(), "live") != nil {
		t.Error("the API-created stream is in the running config")
	}

	if r := callAPI(t, http.MethodDelete, api+"/cam2", "", ""); r.status != 409 {
		t.Errorf("DELETE configured = %d %s, want 409", r.status, r.body)
	}
	if r := callAPI(t, http.MethodDelete, api+"/live", "", ""); r.status != 204 || gw.Hub().Get("live") != nil {
		t.Errorf("DELETE live = %d %s, stream left: %v", r.status, r.body, gw.Hub().Get("live") != nil)
	}
	if r := callAPI(t, http.MethodDelete, api+"/live", "", ""); r.status != 404 {
		t.Errorf("DELETE again = %d, want 404", r.status)
	}
}

// TestSilentSenderStreamRemoved: a stream whose sender stops, or never
// starts, is removed with its viewers after senders.idle_timeout.
func TestSilentSenderStreamRemoved(t *testing.T) {
	gw := startGateway(t, senderConfigFull(t, "source_timeout = \"1s\"\n", "idle_timeout = \"2s\"\n", ""))
	start := time.Now() // before the POST, where the stream's idle clock starts
	never := callAPI(t, http.MethodPost, gw.URL+"/api/v1/streams?name=never", "application/sdp", offerWith())
	vp8 := strings.NewReplacer("96", "97", "H264", "VP8", "a=fmtp:97 packetization-mode=1\r\n", "").Replace(offerWith())
	stops := callAPI(t, http.MethodPost, gw.URL+"/api/v1/streams?name=stops", "application/sdp", vp8) // the test camera's VP8, PT 97
	if never.status != 201 || stops.status != 201 {
		t.Fatalf("POST: %d %s / %d %s", never.status, never.body, stops.status, stops.body)
	}
	cam := startCamera(t, "127.0.0.1:0", stops.video(t).MediaName.Port.Value, nil)
	waitUntil(t, 10*time.Second, "stream stops goes up", func() bool { st := gw.Hub().Get("stops"); return st != nil && st.Up() })
	waitUntil(t, 10*time.Second, "stream never removed", func() bool { return gw.Hub().Get("never") == nil })
	if took := time.Since(start); took < 2*time.Second {
		t.Errorf("never removed after %v, before idle_timeout", took)
	}
	if gw.Hub().Get("stops") == nil {
		t.Fatal("a stream whose sender sends was removed")
	}
	cam.Stop()
	stopped := time.Now()
	waitUntil(t, 10*time.Second, "stream stops removed", func() bool { return gw.Hub().Get("stops") == nil })
	if took := time.Since(stopped); took < 1500*time.Millisecond {
		t.Errorf("stops removed %v after its sender stopped, before idle_timeout", took)
	}
}

// waitUntil polls cond until it holds, failing the test after timeout.
func waitUntil(t testing.TB, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within %v", what, timeout)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
