package whip

import (
	"net/http"
	"strings"
	"testing"

	"github.com/pion/webrtc/v4"

	"mediagate.dev/mediagate/gateway/signal/jsep"
)

const sendonly = webrtc.RTPTransceiverDirectionSendonly

// TestPublishAnswers checks a 201 (RFC 9725 §4.2): the answer, its media
// type, the session URL under /whip/, a strong ETag, the ice-server links,
// and an answer that is recvonly with REMB feedback, abs-send-time, no
// TWCC and every server candidate.
func TestPublishAnswers(t *testing.T) {
	r := newRig(t, defaultREMB(), nil)
	_, offer := newPub(t, sendonly, pubH264, pubOpus)
	resp, answer := r.request(t, http.MethodPost, "/whip/cam", tokenCam, "application/sdp", offer)
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("POST: %d %s", resp.StatusCode, answer)
	}
	hdr := resp.Header
	checks := []struct {
		what string
		ok   bool
	}{
		{"Content-Type application/sdp", hdr.Get("Content-Type") == "application/sdp"},
		{"Location under /whip/cam/", strings.HasPrefix(hdr.Get("Location"), "/whip/cam/")},
		{"quoted ETag", strings.HasPrefix(hdr.Get("ETag"), `"`) && len(hdr.Get("ETag")) > 2},
		{"ice-server Link", hdr.Get("Link") == turnLink},
		{"recvonly answer", strings.Count(answer, "a=recvonly") == 2},
		{"goog-remb", strings.Contains(answer, "goog-remb")},
		{"abs-send-time", strings.Contains(answer, "abs-send-time")},
		{"no transport-cc", !strings.Contains(answer, "transport-cc") && !strings.Contains(answer, "transport-wide-cc")},
		{"candidates", strings.Contains(answer, "a=candidate:")},
		{"H.264 42e01f", strings.Contains(answer, "profile-level-id=42e01f")},
	}
	for _, c := range checks {
		if !c.ok {
			t.Errorf("%s: missing\nheaders %v\n%s", c.what, hdr, answer)
		}
	}
}

// TestPublishRefusals is RFC 9725's refusals: authentication (§4.7),
// unknown or non-WHIP streams, media types, malformed and unacceptable
// offers (§4.4.2, §4.4.3).
func TestPublishRefusals(t *testing.T) {
	r := newRig(t, defaultREMB(), nil)
	_, h264 := newPub(t, sendonly, pubH264, pubOpus)
	_, vp8 := newPub(t, sendonly, pubVP8)
	_, recvonly := newPub(t, webrtc.RTPTransceiverDirectionRecvonly, pubH264)
	cases := []struct {
		name, stream, token, ctype, body string
		want                             int
	}{
		{"no token", "cam", "", "application/sdp", h264, http.StatusUnauthorized},
		{"wrong token", "cam", "not-the-token", "application/sdp", h264, http.StatusUnauthorized},
		{"another stream's token", "cam", tokenVP8, "application/sdp", h264, http.StatusForbidden},
		{"unknown stream", "nope", tokenCam, "application/sdp", h264, http.StatusNotFound},
		{"stream not published by WHIP", "rtpcam", tokenCam, "application/sdp", h264, http.StatusNotFound},
		{"text/plain", "cam", tokenCam, "text/plain", h264, http.StatusUnsupportedMediaType},
		{"garbage", "cam", tokenCam, "application/sdp", "v=0\r\nthis is not sdp\r\n", http.StatusBadRequest},
		{"recvonly offer", "cam", tokenCam, "application/sdp", recvonly, http.StatusUnprocessableEntity},
		{"VP8 to an H.264 stream", "cam", tokenCam, "application/sdp", vp8, http.StatusUnprocessableEntity},
		{"video to an audio stream", "mic", tokenAudio, "application/sdp", h264, http.StatusUnprocessableEntity},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			resp, body := r.request(t, http.MethodPost, Prefix+c.stream, c.token, c.ctype, c.body)
			if resp.StatusCode != c.want {
				t.Fatalf("status %d, want %d: %s", resp.StatusCode, c.want, body)
			}
			if ct := resp.Header.Get("Content-Type"); ct != "application/problem+json" {
				t.Errorf("Content-Type %q, want problem details", ct)
			}
			if c.want == http.StatusUnauthorized && !strings.HasPrefix(resp.Header.Get("WWW-Authenticate"), "Bearer") {
				t.Errorf("401 without a Bearer challenge")
			}
		})
	}
	if n := r.m.Publisher("cam"); n != nil {
		t.Errorf("a refused offer left a publisher")
	}
}

// TestOnePublisherPerStream: a second publisher is 409 until the first
// leaves with DELETE (200, then 404), after which the stream takes a new one.
func TestOnePublisherPerStream(t *testing.T) {
	r := newRig(t, defaultREMB(), nil)
	first, offer := newPub(t, sendonly, pubVP8)
	r.publish(t, "vp8", tokenVP8, first, offer)

	_, offer2 := newPub(t, sendonly, pubVP8)
	resp, body := r.request(t, http.MethodPost, "/whip/vp8", tokenVP8, "application/sdp", offer2)
	if resp.StatusCode != http.StatusConflict {
		t.Fatalf("second publisher: %d %s, want 409", resp.StatusCode, body)
	}
	for _, want := range []int{http.StatusOK, http.StatusNotFound} {
		if resp, body := r.request(t, http.MethodDelete, first.location, "", "", ""); resp.StatusCode != want {
			t.Fatalf("DELETE %s: %d %s, want %d", first.location, resp.StatusCode, body, want)
		}
	}
	third, offer3 := newPub(t, sendonly, pubVP8)
	r.publish(t, "vp8", tokenVP8, third, offer3)
}

// TestOptions: a CORS preflight needs no token and carries no Link (RFC
// 9725 §4.6, §4.7.1); a plain OPTIONS with the token carries the links.
func TestOptions(t *testing.T) {
	r := newRig(t, defaultREMB(), nil)
	resp, _ := r.request(t, http.MethodOptions, "/whip/cam", "", "", "",
		"Origin", "https://example.test", "Access-Control-Request-Method", "POST")
	if resp.StatusCode != http.StatusNoContent || resp.Header.Get("Link") != "" ||
		resp.Header.Get("Access-Control-Allow-Origin") != "*" {
		t.Errorf("preflight: %d %v", resp.StatusCode, resp.Header)
	}
	resp, _ = r.request(t, http.MethodOptions, "/whip/cam", tokenCam, "", "")
	if resp.StatusCode != http.StatusNoContent || resp.Header.Get("Link") != turnLink ||
		resp.Header.Get("Accept-Post") != "application/sdp" {
		t.Errorf("plain OPTIONS: %d %v", resp.StatusCode, resp.Header)
	}
	if resp, _ := r.request(t, http.MethodOptions, "/whip/cam", "", "", ""); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("plain OPTIONS without a token: %d, want 401", resp.StatusCode)
	}
}

// TestPatch: a trickled candidate is 204; an ICE restart (RFC 9725 §4.3.3)
// is 200 with new credentials, candidates and a new ETag; the old ETag is
// then stale (412).
func TestPatch(t *testing.T) {
	r := newRig(t, defaultREMB(), nil)
	p, offer := newPub(t, sendonly, pubVP8)
	r.publish(t, "vp8", tokenVP8, p, offer)
	const frag = "application/trickle-ice-sdpfrag"
	ufrag, pwd, _, _ := jsep.LocalICE(offer)
	trickle := "a=ice-ufrag:" + ufrag + "\r\na=ice-pwd:" + pwd + "\r\nm=video 9 UDP/TLS/RTP/SAVPF 0\r\na=mid:0\r\n" +
		"a=candidate:1 1 udp 2130706431 127.0.0.1 40000 typ host\r\n"
	if resp, body := r.request(t, http.MethodPatch, p.location, "", frag, trickle, "If-Match", p.etag); resp.StatusCode != http.StatusNoContent {
		t.Fatalf("trickle: %d %s", resp.StatusCode, body)
	}
	restart := "a=ice-ufrag:newufrag1\r\na=ice-pwd:newpassword0123456789ab\r\nm=video 9 UDP/TLS/RTP/SAVPF 0\r\na=mid:0\r\n" +
		"a=candidate:1 1 udp 2130706431 127.0.0.1 40001 typ host\r\n"
	resp, body := r.request(t, http.MethodPatch, p.location, "", frag, restart, "If-Match", `"*"`)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("restart: %d %s", resp.StatusCode, body)
	}
	if et := resp.Header.Get("ETag"); et == "" || et == p.etag {
		t.Errorf("restart ETag %q, want a new one (old %q)", et, p.etag)
	}
	if !strings.Contains(body, "a=ice-ufrag:") || !strings.Contains(body, "a=candidate:") {
		t.Errorf("restart reply lacks credentials or candidates:\n%s", body)
	}
	if resp, _ := r.request(t, http.MethodPatch, p.location, "", frag, trickle, "If-Match", p.etag); resp.StatusCode != http.StatusPreconditionFailed {
		t.Errorf("trickle with the old ETag: %d, want 412", resp.StatusCode)
	}
}
