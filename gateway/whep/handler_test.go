package whep

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"mediagate.dev/mediagate/gateway/egress"
	"mediagate.dev/mediagate/gateway/signal"
	"mediagate.dev/mediagate/gateway/stream"
)

// testOffer follows the example offer of draft-ietf-wish-whep.
const testOffer = "v=0\r\no=- 5228595038118931041 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n" +
	"a=group:BUNDLE 0\r\na=ice-options:trickle ice2\r\n" +
	"m=audio 9 UDP/TLS/RTP/SAVPF 111\r\nc=IN IP4 0.0.0.0\r\n" +
	"a=ice-ufrag:zjkk\r\na=ice-pwd:bP+XJMM09aR8AiX1jdukzR6Y\r\n" +
	"a=setup:actpass\r\na=mid:0\r\na=recvonly\r\na=rtcp-mux\r\na=rtpmap:111 opus/48000/2\r\n"

// fakeViewers refuses every viewer with err and records the request.
type fakeViewers struct {
	err error
	got []egress.ViewerRequest
}

func (f *fakeViewers) NewViewer(_ context.Context, req egress.ViewerRequest) (*egress.Viewer, string, error) {
	f.got = append(f.got, req)
	return nil, "", f.err
}

// streamsOf is a hub of fixed streams.
type streamsOf map[string]*stream.Stream

func (s streamsOf) Get(name string) *stream.Stream { return s[name] }

// post sends one offer to h and returns the answer and its problem detail.
func post(t *testing.T, h http.Handler, target string) (*httptest.ResponseRecorder, signal.Problem) {
	t.Helper()
	req := httptest.NewRequest("POST", target, strings.NewReader(testOffer))
	req.Header.Set("Content-Type", signal.SDPContentType)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	var p signal.Problem
	if err := json.Unmarshal(rec.Body.Bytes(), &p); err != nil {
		t.Fatalf("problem body %q: %v", rec.Body, err)
	}
	return rec, p
}

// TestOpenRefusals: egress's refusals answer as the root's table once
// mapped them (400, 422, 503, 404), an unknown stream is 404 with its
// name, and egress is handed the offer parsed.
func TestOpenRefusals(t *testing.T) {
	cam := stream.New("cam", nil, stream.NewTrack(stream.Audio, stream.Codec{MimeType: "audio/opus", ClockRate: 48000, Channels: 2}), nil)
	tests := []struct {
		name, target string
		err          error
		want         int
		detail       string
	}{
		{"bad offer", "/whep/cam", fmt.Errorf("%w: no mid", egress.ErrBadOffer), 400, "malformed SDP offer: no mid"},
		{"unacceptable", "/whep/cam", fmt.Errorf("%w: no common codec", egress.ErrUnacceptable), 422, "offer not acceptable: no common codec"},
		{"capacity", "/whep/cam", fmt.Errorf("%w: 10 sessions", egress.ErrCapacity), 503, "viewer capacity reached"},
		{"closed", "/whep/cam", egress.ErrClosed, 404, "session closed"},
		{"internal", "/whep/cam", errors.New("egress: new peer connection"), 500, "open failed"},
		{"stream gone", "/whep/gone", nil, 404, `"gone": unknown stream`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v := &fakeViewers{err: tc.err}
			h := &Handler{Viewers: v, Streams: streamsOf{"cam": cam}}
			defer h.Close()
			rec, p := post(t, h, tc.target)
			if rec.Code != tc.want || p.Detail != tc.detail {
				t.Fatalf("%d %q, want %d %q", rec.Code, p.Detail, tc.want, tc.detail)
			}
			if tc.want == 503 && rec.Header().Get("Retry-After") == "" {
				t.Errorf("503 without Retry-After")
			}
			if tc.err != nil && (len(v.got) != 1 || v.got[0].Description == nil || v.got[0].Stream != cam || v.got[0].Offer != testOffer) {
				t.Errorf("ViewerRequest = %+v", v.got)
			}
		})
	}
}

// TestTokensAndMetrics: the viewer token guards the endpoint and the
// requests are counted as mediagate_whep_requests_total.
func TestTokensAndMetrics(t *testing.T) {
	reg := prometheus.NewRegistry()
	h := &Handler{
		StreamToken: func(s string) (string, bool) { return "token-cam", s == "cam" },
		Metrics:     NewMetrics(reg),
	}
	defer h.Close()
	if rec, _ := post(t, h, "/whep/cam"); rec.Code != 401 {
		t.Fatalf("no token: %d", rec.Code)
	}
	if rec, _ := post(t, h, "/whep/other"); rec.Code != 404 {
		t.Fatalf("unknown stream: %d", rec.Code)
	}
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]bool{}
	for _, f := range families {
		names[f.GetName()] = true
	}
	if !names["mediagate_whep_requests_total"] || h.Sessions() != 0 {
		t.Fatalf("metrics %v, sessions %d", names, h.Sessions())
	}
}
