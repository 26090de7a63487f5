package egress

import (
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/pion/interceptor"
	"github.com/pion/rtcp"
	"github.com/pion/webrtc/v4"

	"mediagate.dev/mediagate/gateway/stream"
	"mediagate.dev/mediagate/internal/looptest"
)

// fakeRenditions hands out one rendition per codec, as the gateway's
// transcoding manager would, and records what egress asks of it.
type fakeRenditions struct {
	policy RenditionPolicy
	fail   bool

	mu       sync.Mutex
	acquired []string // "mime: reason"
	released int
	running  map[string]*stream.Rendition
	keys     keyframes
}

func (f *fakeRenditions) Policy(*stream.Stream, *stream.Track) RenditionPolicy { return f.policy }

func (f *fakeRenditions) Acquire(st *stream.Stream, src *stream.Track, mime, reason string) (*stream.Rendition, func(), error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.fail {
		return nil, nil, errors.New("no codecs")
	}
	f.acquired = append(f.acquired, mime+": "+reason)
	r := f.running[mime]
	if r == nil {
		c := stream.Codec{MimeType: mime, ClockRate: 90000, PayloadType: 100}
		if strings.EqualFold(mime, webrtc.MimeTypeH264) {
			c.Fmtp = "level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f"
		}
		r = stream.NewRendition(src, stream.NewTrack(src.Kind, c), reason, renditionControl{&f.keys})
		f.running[mime] = r
	}
	var once sync.Once
	return r, func() {
		once.Do(func() {
			f.mu.Lock()
			f.released++
			f.mu.Unlock()
		})
	}, nil
}

func (f *fakeRenditions) counts() (acquired []string, released int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.acquired...), f.released
}

type renditionControl struct{ k *keyframes }

func (c renditionControl) RequestKeyframe()   { c.k.RequestKeyframe() }
func (renditionControl) SetBitrate(b int) int { return b }
func (renditionControl) Bitrate() int         { return 0 }

func newFakeRenditions(p RenditionPolicy) *fakeRenditions {
	return &fakeRenditions{policy: p, running: map[string]*stream.Rendition{}, keys: keyframes{ch: make(chan struct{}, 16)}}
}

// onlyCodecClient is a player whose browser decodes one video codec (as
// setCodecPreferences leaves it).
func onlyCodecClient(t *testing.T, mime, fmtp string) *client {
	t.Helper()
	se := looptest.SettingEngine(webrtc.NetworkTypeUDP4, webrtc.NetworkTypeUDP6)
	me := &webrtc.MediaEngine{}
	fb := []webrtc.RTCPFeedback{{Type: "nack", Parameter: "pli"}}
	if err := me.RegisterCodec(webrtc.RTPCodecParameters{
		RTPCodecCapability: webrtc.RTPCodecCapability{MimeType: mime, ClockRate: 90000, SDPFmtpLine: fmtp, RTCPFeedback: fb},
		PayloadType:        100,
	}, webrtc.RTPCodecTypeVideo); err != nil {
		t.Fatal(err)
	}
	ir := &interceptor.Registry{}
	if err := webrtc.RegisterDefaultInterceptors(me, ir); err != nil {
		t.Fatal(err)
	}
	api := webrtc.NewAPI(webrtc.WithSettingEngine(se), webrtc.WithMediaEngine(me), webrtc.WithInterceptorRegistry(ir))
	return newClientWithAPI(t, api, webrtc.RTPCodecTypeVideo)
}

const h264Fmtp = "level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f"

// TestRenditionForViewerCodec plays an H.264 stream to a VP8-only viewer
// through a rendition: the packets come from the rendition's track, PLI
// reaches the rendition's encoder, and leaving gives the rendition back.
func TestRenditionForViewerCodec(t *testing.T) {
	fr := newFakeRenditions(RenditionPolicy{Targets: []string{webrtc.MimeTypeVP8, webrtc.MimeTypeH264}})
	m, _ := newTestManager(t, func(c *Config) { c.Renditions = fr })
	s, camera := newTestStream(&h264Codec, nil, nil)
	c := onlyCodecClient(t, webrtc.MimeTypeVP8, "")
	v := connect(t, m, s, &fr.keys, c) // the joining keyframe goes to the encoder
	r := fr.running[webrtc.MimeTypeVP8]
	if len(v.Renditions()) != 1 || v.Renditions()[0] != r {
		t.Fatalf("Viewer.Renditions = %v", v.Renditions())
	}
	src := &source{track: r.Track, ssrc: 9, step: 3000}
	want := src.write(0x10, 1, true)
	tr := c.nextTrack(t)
	if got := tr.Codec().MimeType; !strings.EqualFold(got, webrtc.MimeTypeVP8) {
		t.Fatalf("viewer receives %s, want VP8", got)
	}
	pkts := readPackets(tr)
	if got := nextPacket(t, pkts); string(got.Payload) != string(want) {
		t.Fatalf("payload %x, want %x", got.Payload, want)
	}
	before := fr.keys.n.Load()
	if err := c.pc.WriteRTCP([]rtcp.Packet{&rtcp.PictureLossIndication{MediaSSRC: uint32(tr.SSRC())}}); err != nil {
		t.Fatal(err)
	}
	fr.keys.wait(t)
	if fr.keys.n.Load() <= before || camera.n.Load() != 0 {
		t.Fatalf("PLI: encoder asked %d times, camera %d times", fr.keys.n.Load()-before, camera.n.Load())
	}
	v.Close()
	acquired, released := fr.counts()
	if len(acquired) != 1 || acquired[0] != webrtc.MimeTypeVP8+": "+ReasonCodec || released != 1 {
		t.Fatalf("acquired %v, released %d", acquired, released)
	}
}

// TestRenditionChoice covers who gets what: passthrough for a viewer that
// takes the source, the constrained-baseline rendition when the source
// sends B-frames or the viewer lacks its profile under strict profiles, a
// refusal when no rendition can be had.
func TestRenditionChoice(t *testing.T) {
	high := h264Codec
	high.Fmtp = "packetization-mode=1;profile-level-id=640028"
	cases := []struct {
		name       string
		src        stream.Codec
		policy     RenditionPolicy
		fail       bool
		clientMime string
		clientFmtp string
		wantMime   string // "" means refused
		wantReason string // "" means passthrough
	}{
		{"passthrough", h264Codec, RenditionPolicy{Targets: []string{webrtc.MimeTypeVP8}}, false, webrtc.MimeTypeH264, h264Fmtp, webrtc.MimeTypeH264, ""},
		{"vp8 source, h264 viewer", vp8Codec, RenditionPolicy{Targets: []string{webrtc.MimeTypeH264}}, false, webrtc.MimeTypeH264, h264Fmtp, webrtc.MimeTypeH264, ReasonCodec},
		{"b-frames", high, RenditionPolicy{Targets: []string{webrtc.MimeTypeVP8, webrtc.MimeTypeH264}, BFrames: true}, false, webrtc.MimeTypeH264, h264Fmtp, webrtc.MimeTypeH264, ReasonBFrames},
		{"strict profile", high, RenditionPolicy{Targets: []string{webrtc.MimeTypeH264}, StrictProfiles: true}, false, webrtc.MimeTypeH264, h264Fmtp, webrtc.MimeTypeH264, ReasonProfile},
		{"lenient profile", high, RenditionPolicy{Targets: []string{webrtc.MimeTypeH264}}, false, webrtc.MimeTypeH264, h264Fmtp, webrtc.MimeTypeH264, ""},
		{"transcoding off", h264Codec, RenditionPolicy{}, false, webrtc.MimeTypeVP8, "", "", ""},
		{"no codecs", h264Codec, RenditionPolicy{Targets: []string{webrtc.MimeTypeVP8}}, true, webrtc.MimeTypeVP8, "", "", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			fr := newFakeRenditions(tc.policy)
			fr.fail = tc.fail
			m, _ := newTestManager(t, func(c *Config) { c.Renditions = fr })
			s, _ := newTestStream(&tc.src, nil, nil)
			c := onlyCodecClient(t, tc.clientMime, tc.clientFmtp)
			v, answer, err := m.NewViewer(t.Context(), ViewerRequest{ID: "v", Stream: s, Offer: c.offer(t)})
			if tc.wantMime == "" {
				if !errors.Is(err, ErrUnacceptable) {
					t.Fatalf("NewViewer: %v, want ErrUnacceptable", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			defer v.Close()
			if !strings.Contains(strings.ToLower(answer), strings.ToLower(strings.TrimPrefix(tc.wantMime, "video/"))+"/90000") {
				t.Errorf("answer does not carry %s:\n%s", tc.wantMime, answer)
			}
			acquired, _ := fr.counts()
			switch {
			case tc.wantReason == "" && len(acquired) != 0:
				t.Errorf("acquired %v for a passthrough viewer", acquired)
			case tc.wantReason != "" && (len(acquired) != 1 || acquired[0] != tc.wantMime+": "+tc.wantReason):
				t.Errorf("acquired %v, want %s: %s", acquired, tc.wantMime, tc.wantReason)
			}
		})
	}
}
