package egress

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/pion/sdp/v3"
	"github.com/pion/webrtc/v4"
)

const chromeFingerprint = "5D:5F:2E:CB:61:0E:8C:52:1B:4F:E2:9E:6B:EF:B7:A5:7A:2C:84:0A:E3:0C:B8:2D:69:4D:54:E5:3F:12:E4:A7"

// videoOnly is the video part of chromeOffer with its own BUNDLE group.
func videoOnly() string {
	i := strings.Index(chromeOffer, "m=video")
	head := strings.Replace(chromeOffer[:strings.Index(chromeOffer, "m=audio")], "BUNDLE 0 1", "BUNDLE 1", 1)
	return head + chromeOffer[i:]
}

// audioOnly is the audio part of chromeOffer with its own BUNDLE group.
func audioOnly() string {
	return strings.Replace(chromeOffer[:strings.Index(chromeOffer, "m=video")], "BUNDLE 0 1", "BUNDLE 0", 1)
}

// twoVideo has two video m-sections.
func twoVideo() string {
	v := videoOnly()
	second := strings.Replace(v[strings.Index(v, "m=video"):], "a=mid:1", "a=mid:2", 1)
	return strings.Replace(v, "BUNDLE 1", "BUNDLE 1 2", 1) + second
}

// manyCandidates adds n loopback host candidates to the video section.
func manyCandidates(n int) string {
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, "a=candidate:%d 1 udp 2122260223 127.0.0.1 %d typ host\r\n", i, 10000+i)
	}
	return strings.Replace(videoOnly(), "a=mid:1\r\n", "a=mid:1\r\n"+b.String(), 1)
}

// withMsids is the chrome offer with a=msid:audio on its audio m-line
// and a=msid:video on its video m-line (RFC 8830).
func withMsids(audio, video string) string {
	o := strings.Replace(chromeOffer, "a=mid:0\r\n", "a=mid:0\r\na=msid:"+audio+"\r\n", 1)
	return strings.Replace(o, "a=mid:1\r\n", "a=mid:1\r\na=msid:"+video+"\r\n", 1)
}

var offerCases = []struct {
	name       string
	sdp        string
	err        error
	candidates int
}{
	{name: "chrome", sdp: chromeOffer, candidates: 1},
	{name: "firefox", sdp: firefoxOffer},
	{name: "video only", sdp: videoOnly()},
	{name: "sendrecv", sdp: strings.ReplaceAll(chromeOffer, "a=recvonly", "a=sendrecv"), candidates: 1},
	{name: "setup active", sdp: strings.ReplaceAll(chromeOffer, "setup:actpass", "setup:active"), candidates: 1},
	{name: "candidates capped", sdp: manyCandidates(100), candidates: maxRemoteCandidates},
	{name: "garbage", sdp: "hello", err: ErrBadOffer},
	{name: "empty", sdp: "", err: ErrBadOffer},
	{name: "truncated", sdp: chromeOffer[:40], err: ErrBadOffer},
	{name: "no media", sdp: "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\n", err: ErrBadOffer},
	{name: "audio only", sdp: audioOnly(), candidates: 1},
	{name: "two video m-lines", sdp: twoVideo(), err: ErrUnacceptable},
	{name: "inactive", sdp: strings.Replace(chromeOffer, "a=recvonly", "a=inactive", 1), err: ErrUnacceptable},
	{name: "sendonly", sdp: strings.ReplaceAll(chromeOffer, "a=recvonly", "a=sendonly"), err: ErrUnacceptable},
	{name: "no bundle", sdp: strings.Replace(chromeOffer, "a=group:BUNDLE 0 1\r\n", "", 1), err: ErrUnacceptable},
	{name: "not all bundled", sdp: strings.Replace(chromeOffer, "BUNDLE 0 1", "BUNDLE 0", 1), err: ErrUnacceptable},
	{name: "no rtcp-mux", sdp: strings.ReplaceAll(chromeOffer, "a=rtcp-mux\r\n", ""), err: ErrUnacceptable},
	{name: "plain rtp", sdp: strings.ReplaceAll(chromeOffer, "UDP/TLS/RTP/SAVPF", "RTP/AVP"), err: ErrUnacceptable},
	{name: "data channel", sdp: chromeOffer + "m=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\na=mid:2\r\n", err: ErrUnacceptable},
	{name: "no fingerprint", sdp: strings.ReplaceAll(chromeOffer, "a=fingerprint:sha-256 "+chromeFingerprint+"\r\n", ""), err: ErrBadOffer},
	{name: "sha-1 fingerprint", sdp: strings.ReplaceAll(chromeOffer, "sha-256 "+chromeFingerprint, "sha-1 5D:5F:2E:CB:61:0E:8C:52:1B:4F:E2:9E:6B:EF:B7:A5:7A:2C:84:0A"), err: ErrBadOffer},
	{name: "short fingerprint", sdp: strings.ReplaceAll(chromeOffer, chromeFingerprint, "5D:5F"), err: ErrBadOffer},
	{name: "unknown hash", sdp: strings.ReplaceAll(chromeOffer, "sha-256 ", "whirlpool "), err: ErrBadOffer},
	{name: "short ufrag", sdp: strings.ReplaceAll(chromeOffer, "ice-ufrag:Bq6k", "ice-ufrag:Bq6"), err: ErrBadOffer},
	{name: "short pwd", sdp: strings.ReplaceAll(chromeOffer, "1o9B8Qqf3y0LkVYd4nUG1sKz", "1o9B8Qqf3y0LkVYd4nUG1"), err: ErrBadOffer},
	{name: "bad ufrag chars", sdp: strings.ReplaceAll(chromeOffer, "ice-ufrag:Bq6k", "ice-ufrag:Bq6k\x1b[31m"), err: ErrBadOffer},
	{name: "setup passive", sdp: strings.ReplaceAll(chromeOffer, "setup:actpass", "setup:passive"), err: ErrBadOffer},
	{name: "no mid", sdp: strings.Replace(chromeOffer, "a=mid:0\r\n", "", 1), err: ErrBadOffer},
	{name: "bad payload type", sdp: strings.Replace(chromeOffer, "SAVPF 111 63", "SAVPF 300 63", 1), err: ErrBadOffer},
	{name: "duplicate payload type", sdp: strings.Replace(chromeOffer, "SAVPF 111 63", "SAVPF 111 111", 1), err: ErrUnacceptable},
	{name: "bad rtpmap", sdp: strings.Replace(chromeOffer, "a=rtpmap:111 opus/48000/2", "a=rtpmap:111 opus", 1), err: ErrBadOffer},
	{name: "one msid", sdp: withMsids("ms1 a", "ms1 v"), candidates: 1},
	{name: "msid without a stream", sdp: withMsids("- a", "ms1 v"), candidates: 1},
	{name: "differing msids", sdp: withMsids("ms1 a", "ms2 v"), err: ErrUnacceptable},
	{name: "malformed candidate", sdp: strings.Replace(chromeOffer, "typ host generation 0 network-id 1", "", 1), err: ErrBadOffer},
}

func TestParseOffer(t *testing.T) {
	policy := candidatePolicy{loopback: true}
	for _, c := range offerCases {
		t.Run(c.name, func(t *testing.T) {
			o, err := parseOffer(c.sdp, policy)
			if c.err != nil {
				if !errors.Is(err, c.err) {
					t.Fatalf("err = %v, want %v", err, c.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if o.candidates != c.candidates {
				t.Fatalf("kept %d candidates, want %d", o.candidates, c.candidates)
			}
			var sd sdp.SessionDescription
			if err := sd.UnmarshalString(o.sdp); err != nil {
				t.Fatalf("sanitized offer does not parse: %v", err)
			}
			if strings.Contains(o.sdp, ".local") {
				t.Fatal("mDNS candidate kept")
			}
			if o.video == nil && o.audio == nil || o.bundleMid == "" || o.ufrag == "" {
				t.Fatalf("offer %+v", o)
			}
		})
	}
}

func TestOfferCodecs(t *testing.T) {
	o, err := parseOffer(chromeOffer, candidatePolicy{})
	if err != nil {
		t.Fatal(err)
	}
	var h264 []string
	for _, c := range o.video.codecs {
		if c.mime == "video/H264" {
			h264 = append(h264, fmt.Sprint(c.pt))
		}
	}
	if got := strings.Join(h264, " "); got != "102 104 106 108 127 39 112 119" {
		t.Fatalf("H.264 payload types %s", got)
	}
	pcmu := o.audio.codecs[3]
	if pcmu.mime != "audio/PCMU" || pcmu.pt != 0 || pcmu.clock != 8000 {
		t.Fatalf("PCMU parsed as %+v", pcmu)
	}
}

func FuzzOffer(f *testing.F) {
	for _, c := range offerCases {
		f.Add(c.sdp)
	}
	policy := candidatePolicy{loopback: true, tcp: true}
	f.Fuzz(func(t *testing.T, s string) {
		o, err := parseOffer(s, policy)
		if err != nil {
			if !errors.Is(err, ErrBadOffer) && !errors.Is(err, ErrUnacceptable) {
				t.Fatalf("unclassified error %v", err)
			}
			return
		}
		if o.candidates > maxRemoteCandidates || o.video == nil && o.audio == nil {
			t.Fatalf("accepted offer %+v", o)
		}
	})
}

// TestRequestOfferParsedOnce: an offer handed on parsed (by gateway/signal)
// is checked without a second parse, with the same result as the text.
func TestRequestOfferParsedOnce(t *testing.T) {
	m := &Manager{policy: candidatePolicy{loopback: true}}
	for _, c := range offerCases {
		var sd sdp.SessionDescription
		if sd.UnmarshalString(c.sdp) != nil {
			continue
		}
		want, wantErr := parseOffer(c.sdp, m.policy)
		got, err := m.checkRequestOffer(ViewerRequest{Offer: c.sdp, Description: &sd})
		if !reflect.DeepEqual(got, want) || fmt.Sprint(err) != fmt.Sprint(wantErr) {
			t.Errorf("%s: %+v %v, want %+v %v", c.name, got, err, want, wantErr)
		}
	}
}

// TestSendrecvAnsweredSendonly: a viewer whose offer is sendrecv (or has no
// direction at all, which means sendrecv) gets an answer whose every
// m-section is sendonly, and still plays.
func TestSendrecvAnsweredSendonly(t *testing.T) {
	for _, tc := range []struct{ name, from, to string }{
		{"sendrecv", "a=recvonly", "a=sendrecv"},
		{"no direction", "a=recvonly\r\n", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, _ := newTestManager(t, nil)
			s, k := newTestStream(&vp8Codec, &opusCodec, nil)
			c := newClient(t, webrtc.RTPCodecTypeVideo, webrtc.RTPCodecTypeAudio)
			offer := strings.ReplaceAll(c.offer(t), tc.from, tc.to)
			v, answer, err := m.NewViewer(context.Background(), ViewerRequest{ID: "x", Stream: s, Offer: offer})
			if err != nil {
				t.Fatal(err)
			}
			defer v.Close()
			if n := strings.Count(answer, "a=sendonly"); n != 2 || strings.Contains(answer, "a=sendrecv") {
				t.Fatalf("answer has %d a=sendonly:\n%s", n, answer)
			}
			c.accept(t, answer)
			c.waitConnected(t)
			k.wait(t)
		})
	}
}
