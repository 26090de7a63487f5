package sendersdp

import (
	"errors"
	"fmt"
	"net/netip"
	"strings"
	"testing"

	"github.com/pion/sdp/v3"
)

// ffmpegSRTP is what `ffmpeg … -f rtp -srtp_out_suite AES_CM_128_HMAC_SHA1_80
// -srtp_out_params … -sdp_file` writes (ffmpeg 5.1).
const ffmpegSRTP = "v=0\no=- 0 0 IN IP4 127.0.0.1\ns=No Name\nc=IN IP4 127.0.0.1\nt=0 0\n" +
	"a=tool:libavformat LIBAVFORMAT_VERSION\nm=video 45000 RTP/AVP 96\na=rtpmap:96 H264/90000\n" +
	"a=fmtp:96 packetization-mode=1\n" +
	"a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:SSAYZ+RohMzkIuNHSZfdp6nzpiRertNvEuWwV7Up\n"

// ffmpegPlain is ffmpeg's SDP for plain RTP.
const ffmpegPlain = "v=0\no=- 0 0 IN IP4 127.0.0.1\ns=No Name\nc=IN IP4 127.0.0.1\nt=0 0\n" +
	"a=tool:libavformat LIBAVFORMAT_VERSION\nm=video 45000 RTP/AVP 97\na=rtpmap:97 VP8/90000\n"

// gst is an offer as a GStreamer application writes it (GstSDPMessage),
// with the given m-lines.
func gst(media string) string {
	return "v=0\r\no=- 1188340656180883 1 IN IP4 192.0.2.10\r\ns=Session streamed with GStreamer\r\n" +
		"t=0 0\r\na=tool:GStreamer\r\n" + media
}

// gstVideo is an H.264 m-line with the given crypto lines.
func gstVideo(cryptos ...string) string {
	m := "m=video 5000 RTP/SAVP 96\r\nc=IN IP4 192.0.2.10\r\na=rtpmap:96 H264/90000\r\n" +
		"a=fmtp:96 packetization-mode=1;profile-level-id=42C01F;sprop-parameter-sets=Z0LAH9kAUAW7ARAAAAMAEAAAAwPI8YMkgA==,aMuDyyA=\r\n"
	for _, c := range cryptos {
		m += "a=crypto:" + c + "\r\n"
	}
	return m
}

// h265Sprop is the sprop-vps, sprop-sps and sprop-pps of a 720p Main
// stream (libx265).
const h265Sprop = "sprop-vps=QAEMAf//AWAAAAMAkAAAAwAAAwBdlZgJ;sprop-sps=QgEBAWAAAAMAkAAAAwAAAwBdoAKAgC0WWVmkkyvAWgIAAAMAAgAAAwA8EA==;sprop-pps=RAHBcrRiQA=="

var allSuites = Policy{Suites: []string{"AEAD_AES_256_GCM", "AEAD_AES_128_GCM", "AES_256_CM_HMAC_SHA1_80",
	"AES_CM_128_HMAC_SHA1_80", "AES_256_CM_HMAC_SHA1_32", "AES_CM_128_HMAC_SHA1_32"}}

// offerCases are offers and what Negotiate decides; they also seed
// FuzzNegotiate.
var offerCases = []struct {
	name   string
	offer  string
	policy Policy
	err    error  // nil: accepted
	detail string // a piece of the error, or of the answer
	video  string // accepted video codec
	audio  string // accepted audio codec
	suite  string // chosen suite ("" = plain)
	tag    int
	source string
}{
	{name: "ffmpeg srtp", offer: ffmpegSRTP, policy: allSuites, video: "h264", suite: "AES_CM_128_HMAC_SHA1_80", tag: 1,
		source: "127.0.0.1", detail: "m=video 40000 RTP/AVP 96"},
	{name: "ffmpeg plain", offer: ffmpegPlain, policy: allSuites, video: "vp8", source: "127.0.0.1", detail: "a=rtpmap:97 VP8/90000"},
	{name: "gstreamer gcm preferred", offer: gst(gstVideo("1 AES_CM_128_HMAC_SHA1_80 inline:"+key(30, 1),
		"2 AEAD_AES_128_GCM inline:"+key(28, 2))), policy: allSuites, video: "h264", suite: "AEAD_AES_128_GCM", tag: 2,
		source: "192.0.2.10", detail: "profile-level-id=42C01F"},
	{name: "preference decides", offer: gst(gstVideo("1 AEAD_AES_128_GCM inline:"+key(28, 2),
		"2 AES_256_CM_HMAC_SHA1_80 inline:"+key(46, 3))), policy: Policy{Suites: []string{"AES_256_CM_HMAC_SHA1_80", "AEAD_AES_128_GCM"}},
		video: "h264", suite: "AES_256_CM_HMAC_SHA1_80", tag: 2, source: "192.0.2.10"},
	{name: "all suites unsupported", offer: gst(gstVideo("1 F8_128_HMAC_SHA1_80 inline:"+key(30, 1),
		"2 NULL_HMAC_SHA1_80 inline:"+key(30, 1), "3 AES_CM_128_HMAC_SHA1_80 inline:"+key(30, 1)+"|2^20|1:4")),
		policy: allSuites, err: ErrUnsupportedSuites, detail: "F8_128_HMAC_SHA1_80 (tag 1: not accepted), NULL_HMAC_SHA1_80 (tag 2: not accepted), AES_CM_128_HMAC_SHA1_80 (tag 3: MKI not supported)"},
	{name: "suite not in policy", offer: ffmpegSRTP, policy: Policy{Suites: []string{"AEAD_AES_128_GCM"}},
		err: ErrUnsupportedSuites, detail: "AES_CM_128_HMAC_SHA1_80 (tag 1: not accepted)"},
	{name: "empty policy", offer: ffmpegSRTP, policy: Policy{}, err: ErrUnsupportedSuites, detail: "accepted: "},
	{name: "short key", offer: gst(gstVideo("1 AEAD_AES_128_GCM inline:" + key(30, 1))), policy: allSuites,
		err: ErrBadOffer, detail: "must decode to 28 bytes for AEAD_AES_128_GCM (got 30)"},
	{name: "broken crypto", offer: gst(gstVideo("1 AES_CM_128_HMAC_SHA1_80")), policy: allSuites, err: ErrBadOffer, detail: "inline"},
	{name: "savp without crypto", offer: gst(gstVideo()), policy: allSuites, err: ErrUnacceptable, detail: "RTP/SAVP without a=crypto"},
	{name: "webrtc offer", offer: gst("m=video 9 UDP/TLS/RTP/SAVPF 96\r\na=rtpmap:96 VP8/90000\r\n"), policy: allSuites,
		err: ErrUnacceptable, detail: "WHIP"},
	{name: "recvonly", offer: gst("m=video 5000 RTP/AVP 96\r\na=rtpmap:96 VP8/90000\r\na=recvonly\r\n"), policy: allSuites,
		err: ErrUnacceptable, detail: "(recvonly)"},
	{name: "no codec", offer: gst("m=video 5000 RTP/AVP 96 98\r\na=rtpmap:96 AV1/90000\r\na=rtpmap:98 H264/90000\r\na=fmtp:98 packetization-mode=2\r\n"),
		policy: allSuites, err: ErrUnacceptable, detail: "no supported codec among 96 98"},
	{name: "second codec taken", offer: gst("m=video 5000 RTP/AVP 96 98\r\na=rtpmap:96 AV1/90000\r\na=rtpmap:98 VP8/90000\r\n"),
		policy: allSuites, video: "vp8", detail: "m=video 40000 RTP/AVP 98"},
	{name: "ffmpeg h265", offer: strings.Replace(ffmpegPlain, "97\na=rtpmap:97 VP8/90000", "96\na=rtpmap:96 H265/90000", 1),
		policy: allSuites, video: "h265", source: "127.0.0.1", detail: "a=rtpmap:96 H265/90000"},
	{name: "h265 sprop", offer: gst("m=video 5000 RTP/AVP 96\r\na=rtpmap:96 H265/90000\r\na=fmtp:96 sprop-max-don-diff=0;" + h265Sprop + "\r\n"),
		policy: allSuites, video: "h265", detail: "sprop-vps=QAEMAf"},
	{name: "h265 donl refused", offer: gst("m=video 5000 RTP/AVP 96\r\na=rtpmap:96 H265/90000\r\na=fmtp:96 sprop-max-don-diff=2;" + h265Sprop + "\r\n"),
		policy: allSuites, err: ErrUnacceptable, detail: "sprop-max-don-diff=2 (DONL reordering) is not supported"},
	{name: "h265 donl then vp8", offer: gst("m=video 5000 RTP/AVP 96 97\r\na=rtpmap:96 H265/90000\r\na=fmtp:96 sprop-max-don-diff=1\r\na=rtpmap:97 VP8/90000\r\n"),
		policy: allSuites, video: "vp8", detail: "m=video 40000 RTP/AVP 97"},
	{name: "h265 multi-stream refused", offer: gst("m=video 5000 RTP/AVP 96\r\na=rtpmap:96 H265/90000\r\na=fmtp:96 tx-mode=MRST\r\n"),
		policy: allSuites, err: ErrUnacceptable, detail: "tx-mode"},
	{name: "video and audio", offer: gst("m=video 5000 RTP/AVP 96\r\na=rtpmap:96 VP8/90000\r\nm=audio 5002 RTP/AVP 111 0\r\na=rtpmap:111 opus/48000/2\r\n"),
		policy: allSuites, video: "vp8", audio: "opus", detail: "m=audio 40000 RTP/AVP 111"},
	{name: "static pcmu", offer: gst("m=audio 5002 RTP/AVP 0\r\n"), policy: allSuites, audio: "pcmu", detail: "m=audio 40000 RTP/AVP 0"},
	{name: "second video rejected", offer: gst("m=video 5000 RTP/AVP 96\r\na=rtpmap:96 VP8/90000\r\nm=video 5002 RTP/AVP 97\r\na=rtpmap:97 VP8/90000\r\nm=application 5004 RTP/AVP 100\r\n"),
		policy: allSuites, video: "vp8", detail: "m=video 0 RTP/AVP 97\r\nm=application 0 RTP/AVP 100"},
	{name: "mixed keying", offer: gst(gstVideo("1 AES_CM_128_HMAC_SHA1_80 inline:"+key(30, 1)) + "m=audio 5002 RTP/SAVP 0\r\na=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:" + key(30, 7) + "\r\n"),
		policy: allSuites, video: "h264", suite: "AES_CM_128_HMAC_SHA1_80", tag: 1, source: "192.0.2.10", detail: "m=audio 0 RTP/SAVP 0"},
	{name: "unspecified source", offer: strings.Replace(ffmpegPlain, "c=IN IP4 127.0.0.1", "c=IN IP4 0.0.0.0", 1), policy: allSuites, video: "vp8"},
	{name: "not sdp", offer: "hello", policy: allSuites, err: ErrBadOffer},
	{name: "no media", offer: gst(""), policy: allSuites, err: ErrBadOffer, detail: "no m= line"},
}

func TestNegotiate(t *testing.T) {
	ep := Endpoint{Addr: netip.MustParseAddr("127.0.0.1"), Port: 40000}
	for _, c := range offerCases {
		t.Run(c.name, func(t *testing.T) {
			n, err := Negotiate([]byte(c.offer), c.policy)
			if c.err != nil {
				if !errors.Is(err, c.err) || !strings.Contains(err.Error(), c.detail) {
					t.Fatalf("Negotiate = %v; want %v containing %q", err, c.err, c.detail)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			checkNegotiation(t, n, c.video, c.audio, c.suite, c.tag, c.source)
			var k []byte
			if n.Crypto != nil {
				if k, err = NewKey(n.Crypto.Suite); err != nil {
					t.Fatal(err)
				}
			}
			answer, err := n.Answer(ep, k)
			if err != nil {
				t.Fatal(err)
			}
			checkAnswer(t, answer, c.offer, k, n.Crypto)
			if want := fmt.Sprintf("a=crypto:%d %s inline:", c.tag, c.suite); c.suite != "" && !strings.Contains(answer, want) {
				t.Errorf("answer lacks %q (the chosen tag and suite):\n%s", want, answer)
			}
			if !strings.Contains(answer, c.detail) {
				t.Errorf("answer lacks %q:\n%s", c.detail, answer)
			}
		})
	}
}

func checkNegotiation(t *testing.T, n *Negotiation, video, audio, suite string, tag int, source string) {
	t.Helper()
	if got := codecOf(n.Video != nil, func() string { return n.Video.Codec }); got != video {
		t.Errorf("video %q, want %q", got, video)
	}
	if got := codecOf(n.Audio != nil, func() string { return n.Audio.Codec }); got != audio {
		t.Errorf("audio %q, want %q", got, audio)
	}
	if got := codecOf(n.Crypto != nil, func() string { return n.Crypto.Suite }); got != suite {
		t.Errorf("suite %q, want %q", got, suite)
	}
	if n.Crypto != nil && n.Crypto.Tag != tag {
		t.Errorf("tag %d, want %d", n.Crypto.Tag, tag)
	}
	if got := codecOf(n.Source.IsValid(), n.Source.String); got != source {
		t.Errorf("source %q, want %q", got, source)
	}
}

func codecOf(set bool, f func() string) string {
	if !set {
		return ""
	}
	return f()
}

// checkAnswer checks what RFC 3264 §6 and RFC 4568 ask of every answer: it
// parses, has the offer's m-lines in order, carries the gateway's key
// (never the offerer's) under the chosen tag, and no crypto for plain RTP.
func checkAnswer(t *testing.T, answer, offer string, key []byte, chosen *Crypto) {
	t.Helper()
	var a, o sdp.SessionDescription
	if err := a.UnmarshalString(answer); err != nil {
		t.Fatalf("answer does not parse: %v\n%s", err, answer)
	}
	if err := o.UnmarshalString(offer); err != nil {
		t.Fatal(err)
	}
	if len(a.MediaDescriptions) != len(o.MediaDescriptions) {
		t.Fatalf("answer has %d m-lines, offer %d", len(a.MediaDescriptions), len(o.MediaDescriptions))
	}
	for i, m := range a.MediaDescriptions {
		if m.MediaName.Media != o.MediaDescriptions[i].MediaName.Media {
			t.Errorf("m-line %d is %s, offer's is %s", i, m.MediaName.Media, o.MediaDescriptions[i].MediaName.Media)
		}
		v, has := m.Attribute("crypto")
		switch {
		case m.MediaName.Port.Value == 0 && has:
			t.Errorf("rejected m-line %d has crypto", i)
		case m.MediaName.Port.Value != 0 && has != (chosen != nil):
			t.Errorf("m-line %d: crypto %v, want %v", i, has, chosen != nil)
		case has:
			got, err := ParseCrypto(v)
			if err != nil || got.Suite != chosen.Suite || string(got.Key) != string(key) || string(got.Key) == string(chosen.Key) {
				t.Errorf("m-line %d crypto %v (%v): want the gateway's %s key", i, got, err, chosen.Suite)
			}
		}
	}
}
