package sendersdp

import (
	"errors"
	"net/netip"
	"strings"
	"testing"

	"github.com/pion/sdp/v3"

	"mediagate.dev/mediagate/gateway/config"
)

func TestDescription(t *testing.T) {
	k, err := NewKey("AES_256_CM_HMAC_SHA1_80")
	if err != nil {
		t.Fatal(err)
	}
	h264 := &config.Video{Codec: "h264", PayloadType: 96, ClockRate: 90000, ProfileLevelID: "42e01f",
		SpropParameterSets: "Z0LAH9kAUAW7ARAAAAMAEAAAAwPI8YMkgA==,aMuDyyA="}
	opus := &config.Audio{Codec: "opus", PayloadType: 111, ClockRate: 48000, Channels: 2}
	cases := []struct {
		name  string
		d     Description
		err   error
		lines []string
	}{
		{"h264 srtp", Description{Name: "cam1", Addr: netip.MustParseAddr("192.0.2.1"), Port: 5004, Video: h264,
			Crypto: &Crypto{Tag: 1, Suite: "AES_256_CM_HMAC_SHA1_80", Key: k}}, nil, []string{
			"c=IN IP4 192.0.2.1", "s=cam1", "m=video 5004 RTP/SAVP 96", "a=rtpmap:96 H264/90000",
			"a=fmtp:96 packetization-mode=1;profile-level-id=42e01f;sprop-parameter-sets=Z0LAH9kAUAW7ARAAAAMAEAAAAwPI8YMkgA==,aMuDyyA=",
			"a=rtcp:5004", "a=rtcp-mux", "a=recvonly", "a=crypto:1 AES_256_CM_HMAC_SHA1_80 inline:"}},
		{"audio, own rtcp port, ipv6", Description{Name: "door", Addr: netip.MustParseAddr("2001:db8::1"), Port: 5006, RTCPPort: 5007,
			Audio: opus}, nil, []string{"c=IN IP6 2001:db8::1", "m=audio 5006 RTP/AVP 111", "a=rtpmap:111 opus/48000/2", "a=rtcp:5007"}},
		{"pcmu", Description{Name: "p", Addr: netip.MustParseAddr("::ffff:192.0.2.1"), Port: 5006,
			Audio: &config.Audio{Codec: "pcmu", PayloadType: 0, ClockRate: 8000, Channels: 1}}, nil,
			[]string{"c=IN IP4 192.0.2.1", "a=rtpmap:0 PCMU/8000\r\n"}},
		{"vp8", Description{Name: "v", Addr: netip.MustParseAddr("127.0.0.1"), Port: 5008,
			Video: &config.Video{Codec: "vp8", PayloadType: 97, ClockRate: 90000}}, nil, []string{"a=rtpmap:97 VP8/90000\r\na=rtcp:5008"}},
		{"wildcard", Description{Name: "x", Addr: netip.MustParseAddr("0.0.0.0"), Port: 5004, Video: h264}, ErrNoAddress, nil},
		{"no address", Description{Name: "x", Port: 5004, Video: h264}, ErrNoAddress, nil},
		{"no track", Description{Name: "x", Addr: netip.MustParseAddr("127.0.0.1"), Port: 5004}, ErrUnacceptable, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			text, err := c.d.Marshal()
			if c.err != nil {
				if !errors.Is(err, c.err) {
					t.Fatalf("Marshal = %v, want %v", err, c.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var sd sdp.SessionDescription
			if err := sd.UnmarshalString(text); err != nil {
				t.Fatalf("description does not parse: %v\n%s", err, text)
			}
			for _, l := range c.lines {
				if !strings.Contains(text, l) {
					t.Errorf("lacks %q:\n%s", l, text)
				}
			}
		})
	}
}

func TestAnswerRefusesBadKeys(t *testing.T) {
	n, err := Negotiate([]byte(ffmpegSRTP), allSuites)
	if err != nil {
		t.Fatal(err)
	}
	ep := Endpoint{Addr: netip.MustParseAddr("127.0.0.1"), Port: 40000}
	if _, err := n.Answer(ep, make([]byte, 29)); !errors.Is(err, ErrSuite) {
		t.Errorf("Answer with a 29-byte key = %v, want ErrSuite", err)
	}
	if _, err := n.Answer(Endpoint{Addr: netip.IPv4Unspecified(), Port: 1}, make([]byte, 30)); !errors.Is(err, ErrNoAddress) {
		t.Errorf("Answer at 0.0.0.0 = %v, want ErrNoAddress", err)
	}
	plain, err := Negotiate([]byte(ffmpegPlain), allSuites)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := plain.Answer(ep, make([]byte, 30)); !errors.Is(err, ErrSuite) {
		t.Errorf("Answer to a plain offer with a key = %v, want ErrSuite", err)
	}
}
