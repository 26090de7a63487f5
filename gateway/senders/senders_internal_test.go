package senders

import (
	"errors"
	"net/netip"
	"strings"
	"testing"
	"time"

	"mediagate.dev/mediagate/gateway/api"
	"mediagate.dev/mediagate/gateway/config"
)

func TestSilenceClock(t *testing.T) {
	t0 := time.Unix(1000, 0)
	const sourceTimeout = 5 * time.Second
	steps := []struct {
		at   time.Duration
		up   bool
		want time.Duration
	}{
		{0, false, 10 * time.Second}, // created 10s before t0, never sent
		{time.Second, true, 0},
		{20 * time.Second, true, 0},
		{21 * time.Second, false, 5 * time.Second}, // first seen down: silent since source_timeout before
		{30 * time.Second, false, 14 * time.Second},
		{31 * time.Second, true, 0},
	}
	a := &apiStream{silentSince: t0.Add(-10 * time.Second)}
	for _, s := range steps {
		if got := a.silence(s.up, t0.Add(s.at), sourceTimeout); got != s.want {
			t.Errorf("at %v (up %v): silent %v, want %v", s.at, s.up, got, s.want)
		}
	}
}

func TestAdvertise(t *testing.T) {
	local := netip.MustParseAddr("192.0.2.1")
	cases := []struct {
		host   string
		public []string
		want   string
	}{
		{"127.0.0.1", []string{"203.0.113.7"}, "127.0.0.1"},
		{"0.0.0.0", []string{"203.0.113.7"}, "203.0.113.7"},
		{"::", nil, "192.0.2.1"},
		{"", nil, "192.0.2.1"},
		{"::ffff:198.51.100.2", nil, "198.51.100.2"},
	}
	for _, c := range cases {
		if got := advertise(c.host, c.public, local); got.String() != c.want {
			t.Errorf("advertise(%q, %v) = %v, want %s", c.host, c.public, got, c.want)
		}
	}
}

// TestPlanAllowFrom: the offer's c= becomes the allowed source, unless the
// request sets one, or c= is the gateway's own address (ffmpeg writes its
// destination there) and the HTTP client's address stands in.
func TestPlanAllowFrom(t *testing.T) {
	offer := func(c string) []byte {
		return []byte("v=0\r\no=- 1 1 IN IP4 " + c + "\r\ns=-\r\nc=IN IP4 " + c + "\r\nt=0 0\r\n" +
			"m=video 5000 RTP/AVP 97\r\na=rtpmap:97 VP8/90000\r\n")
	}
	gatewayAddr := netip.MustParseAddr("192.0.2.1")
	isLocal := func(a netip.Addr) bool { return a == gatewayAddr }
	client := netip.MustParseAddr("198.51.100.9")
	cases := []struct {
		name  string
		req   api.SenderRequest
		allow string
	}{
		{"camera's own address", api.SenderRequest{Offer: offer("198.51.100.20"), Remote: client}, "198.51.100.20/32"},
		{"ffmpeg's destination", api.SenderRequest{Offer: offer("192.0.2.1"), Remote: client}, "198.51.100.9/32"},
		{"request says", api.SenderRequest{Offer: offer("198.51.100.20"), AllowFrom: []string{"0.0.0.0/0"}}, "0.0.0.0/0"},
		{"no address", api.SenderRequest{Offer: offer("0.0.0.0"), Remote: client}, ""},
	}
	for _, c := range cases {
		var p plan
		p.sc.AllowFrom = c.req.AllowFrom
		if err := p.fromOffer(c.req, nil, isLocal); err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if got := strings.Join(p.sc.AllowFrom, ","); got != c.allow {
			t.Errorf("%s: allow_from %q, want %q", c.name, got, c.allow)
		}
	}
}

// TestCheckStream: problems with what the request gave are its fault
// (400), problems with the offer's media are 422, and keys lose their
// stream[0] prefix.
func TestCheckStream(t *testing.T) {
	cfg := config.Default()
	cases := []struct {
		name  string
		sc    config.Stream
		class error
		msg   string
	}{
		{"ok", config.Stream{Name: "ok", Video: &config.Video{Codec: "vp8"}}, nil, ""},
		{"bad name", config.Stream{Name: "a b", Video: &config.Video{Codec: "vp8"}}, errBadStreamRequest, "name: may hold only"},
		{"short token", config.Stream{Name: "t", ViewerToken: "short", Video: &config.Video{Codec: "vp8"}}, errBadStreamRequest, "viewer_token: "},
		{"static video pt", config.Stream{Name: "pt", Video: &config.Video{Codec: "vp8", PayloadType: 34}}, errBadStreamMedia, "video.payload_type: must be a dynamic"},
	}
	if err := checkStream(cfg, &config.Stream{Name: "a", Audio: &config.Audio{Codec: "speex"}}, true); !errors.Is(err, errBadStreamRequest) {
		t.Errorf("?audio=speex for the gateway's offer: %v, want errBadStreamRequest", err)
	}
	for _, c := range cases {
		sc := c.sc
		err := checkStream(cfg, &sc, false)
		if !errors.Is(err, c.class) || (c.class == nil && err != nil) || (err != nil && !strings.Contains(err.Error(), c.msg)) {
			t.Errorf("%s: %v, want %v containing %q", c.name, err, c.class, c.msg)
		}
	}
}
