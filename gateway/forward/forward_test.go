package forward

import (
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/pion/ice/v4"
	"github.com/pion/webrtc/v4"

	"mediagate.dev/mediagate/gateway/stream"
	"mediagate.dev/mediagate/internal/codec"
)

// TestRefusedKinds: the answers that refuse a kind's codecs — no
// m-section, port 0, inactive, or none of the offered codecs — and those
// that take one.
func TestRefusedKinds(t *testing.T) {
	const head = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n"
	video := func(port, rtpmap string, extra ...string) string {
		return "m=video " + port + " UDP/TLS/RTP/SAVPF 96\r\n" + "a=rtpmap:96 " + rtpmap + "\r\n" + strings.Join(extra, "")
	}
	audio := "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=rtpmap:111 opus/48000/2\r\n"
	h264Opus := map[stream.Kind][]string{stream.Video: {codec.MimeH264}, stream.Audio: {codec.MimeOpus}}
	withVP8 := map[stream.Kind][]string{stream.Video: {codec.MimeH264, codec.MimeVP8}, stream.Audio: {codec.MimeOpus}}
	aac := map[stream.Kind][]string{stream.Audio: {codec.MimeAAC}}
	for _, c := range []struct {
		name    string
		answer  string
		offered map[stream.Kind][]string
		want    []stream.Kind
	}{
		{"both taken", head + video("9", "H264/90000") + audio, h264Opus, nil},
		{"video port 0", head + video("0", "H264/90000") + audio, h264Opus, []stream.Kind{stream.Video}},
		{"video inactive", head + video("9", "H264/90000", "a=inactive\r\n") + audio, h264Opus, []stream.Kind{stream.Video}},
		{"video names another codec", head + video("9", "VP9/90000") + audio, h264Opus, []stream.Kind{stream.Video}},
		{"the rendition's codec taken", head + video("9", "VP8/90000") + audio, withVP8, nil},
		{"no audio section", head + video("9", "h264/90000"), h264Opus, []stream.Kind{stream.Audio}},
		{"aac taken", head + "m=audio 9 RTP/AVP 97\r\na=rtpmap:97 mpeg4-generic/48000/2\r\n", aac, nil},
		{"aac refused", head + audio, aac, []stream.Kind{stream.Audio}},
		{"no SDP", "<html>", h264Opus, nil},
	} {
		if got := refusedKinds(c.answer, c.offered); !slices.Equal(got, c.want) {
			t.Errorf("%s: refused %v, want %v", c.name, got, c.want)
		}
	}
	for code, want := range map[int]bool{415: true, 422: true, 400: false, 500: false} {
		if got := codecStatus(&StatusError{Code: code}); got != want {
			t.Errorf("codecStatus(%d) = %v, want %v", code, got, want)
		}
	}
}

// endpoint is an in-memory WHIP endpoint: answer decides each POST's
// status from the offer; it records when each POST came and what it
// offered.
type endpoint struct {
	answer func(offer string) int
	mu     sync.Mutex
	times  []time.Time
	offers []string
}

func (e *endpoint) RoundTrip(r *http.Request) (*http.Response, error) {
	body, _ := io.ReadAll(r.Body)
	code := http.StatusOK
	if r.Method == http.MethodPost {
		e.mu.Lock()
		e.times, e.offers = append(e.times, time.Now()), append(e.offers, string(body))
		e.mu.Unlock()
		code = e.answer(string(body))
	}
	return &http.Response{StatusCode: code, Header: http.Header{}, Body: io.NopCloser(strings.NewReader("")), Request: r}, nil
}

func (e *endpoint) posts() ([]time.Time, []string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	return slices.Clone(e.times), slices.Clone(e.offers)
}

// renditionsFunc is a Renditions of funcs.
type renditionsFunc struct {
	targets func(*stream.Stream, *stream.Track) []string
}

func (r renditionsFunc) Targets(st *stream.Stream, src *stream.Track) []string {
	return r.targets(st, src)
}

func (renditionsFunc) Acquire(*stream.Stream, *stream.Track, string, string) (*stream.Rendition, func(), error) {
	return nil, nil, ErrConfig // the endpoints here never answer 201
}

// startTest starts a Forward of a H.264 + Opus stream, up, against e,
// with no network: no interface gathers a candidate.
func startTest(t *testing.T, e *endpoint, r Renditions) (*Forward, *stream.Stream) {
	st := stream.New("cam", stream.NewTrack(stream.Video, stream.Codec{MimeType: codec.MimeH264, ClockRate: 90000, PayloadType: 96}),
		stream.NewTrack(stream.Audio, stream.Codec{MimeType: codec.MimeOpus, ClockRate: 48000, Channels: 2, PayloadType: 111}), nil)
	st.SetUp(true, nil)
	var se webrtc.SettingEngine
	se.SetInterfaceFilter(func(string) bool { return false })
	se.SetICEMulticastDNSMode(ice.MulticastDNSModeDisabled)
	se.SetNetworkTypes([]webrtc.NetworkType{webrtc.NetworkTypeUDP4})
	f, err := Start(Config{Stream: st, URL: "http://whip.test/whip", Client: Client{HTTP: &http.Client{Transport: e}},
		RetryMin: time.Second, RetryMax: 4 * time.Second, SettingEngine: se, Renditions: r})
	if err != nil {
		t.Fatal(err)
	}
	return f, st
}

// TestRetryBackoff (synctest): a 500 is retried after 1, 2, 4, 4 s (each
// jittered down to half at most); a 401 then stops the retries until the
// source restarts, when the forward tries again at once.
func TestRetryBackoff(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var refuse sync.Mutex
		status := http.StatusInternalServerError
		e := &endpoint{answer: func(string) int { refuse.Lock(); defer refuse.Unlock(); return status }}
		f, st := startTest(t, e, nil)
		defer f.Close()
		time.Sleep(12 * time.Second)
		synctest.Wait()
		times, _ := e.posts()
		if len(times) < 5 {
			t.Fatalf("%d POSTs in 12 s, want ≥5", len(times))
		}
		for i, whole := range []time.Duration{1, 2, 4, 4} {
			whole *= time.Second
			if gap := times[i+1].Sub(times[i]); gap < whole/2 || gap > whole+gatherWait {
				t.Errorf("retry %d after %v, want within [%v, %v] (+ the gathering)", i+1, gap, whole/2, whole)
			}
		}
		if f.State() != StateRetrying && f.State() != StateConnecting {
			t.Errorf("state %s after a 500, want retrying", f.State())
		}

		refuse.Lock()
		status = http.StatusUnauthorized
		refuse.Unlock()
		time.Sleep(5 * time.Second)
		synctest.Wait()
		n := len(first(e.posts()))
		time.Sleep(time.Minute)
		synctest.Wait()
		if got := len(first(e.posts())); got != n || f.State() != StateFailed {
			t.Fatalf("after a 401: %d more POSTs, state %s; want none and failed", got-n, f.State())
		}
		st.SetUp(false, nil)
		time.Sleep(time.Second)
		st.SetUp(true, nil)
		time.Sleep(time.Second)
		synctest.Wait()
		if got := len(first(e.posts())); got != n+1 {
			t.Errorf("source restarted: %d POSTs, want 1", got-n)
		}
	})
}

func first[A, B any](a A, _ B) A { return a }

// TestRefusalOffersRenditions (synctest): an endpoint that answers 422 to
// an offer without VP8 gets, at once, an offer of H.264 then VP8 video
// (the audio stays Opus alone: no rendition for it); a 422 to that too
// fails the forward. When the source restarts, the source's codec is
// offered alone again.
func TestRefusalOffersRenditions(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e := &endpoint{answer: func(string) int { return http.StatusUnprocessableEntity }}
		targets := func(_ *stream.Stream, src *stream.Track) []string {
			if src.Kind == stream.Video {
				return []string{codec.MimeVP8, codec.MimeH264} // as rendition.Manager's Policy for H.264
			}
			return nil
		}
		f, st := startTest(t, e, renditionsFunc{targets: targets})
		defer f.Close()
		time.Sleep(10 * time.Second)
		synctest.Wait()
		times, offers := e.posts()
		if len(offers) != 2 || f.State() != StateFailed {
			t.Fatalf("%d POSTs, state %s; want 2 (the source's codec, then with VP8) and failed", len(offers), f.State())
		}
		if gap := times[1].Sub(times[0]); gap > gatherWait {
			t.Errorf("the retry with VP8 came %v after the refusal, want at once", gap)
		}
		if strings.Contains(offers[0], "VP8") || !strings.Contains(offers[0], "H264") {
			t.Errorf("first offer does not carry H.264 alone:\n%s", offers[0])
		}
		h, v := strings.Index(offers[1], "H264/90000"), strings.Index(offers[1], "VP8/90000")
		if h < 0 || v < h || strings.Count(offers[1], "opus/48000") != 1 {
			t.Errorf("second offer, want H.264 then VP8, and Opus once:\n%s", offers[1])
		}
		st.SetUp(false, nil)
		time.Sleep(time.Second)
		st.SetUp(true, nil)
		time.Sleep(5 * time.Second)
		synctest.Wait()
		if _, offers = e.posts(); len(offers) != 4 || strings.Contains(offers[2], "VP8") {
			t.Errorf("after the source restarted: %d POSTs (want 4), the first with VP8: %v",
				len(offers), len(offers) > 2 && strings.Contains(offers[2], "VP8"))
		}
	})
}
