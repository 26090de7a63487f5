package signal

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

var offerTests = []struct {
	name string
	sdp  string
	want *offerInfo // nil: malformed; desc is not compared
}{
	{name: "draft example", sdp: testOffer, want: &offerInfo{ufrag: testUfrag, pwd: testPwd}},
	{name: "LF endings", sdp: strings.ReplaceAll(testOffer, "\r\n", "\n"), want: &offerInfo{ufrag: testUfrag, pwd: testPwd}},
	{name: "session-level credentials win", sdp: "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\na=ice-ufrag:sess\r\na=ice-pwd:" + newPwd + "\r\nm=audio 9 UDP/TLS/RTP/SAVPF 0\r\na=ice-ufrag:media\r\na=ice-pwd:" + testPwd + "\r\n",
		want: &offerInfo{ufrag: "sess", pwd: newPwd}},
	{name: "first media-level credentials", sdp: "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 0\r\na=ice-ufrag:abcd\r\na=ice-pwd:" + newPwd + "\r\nm=video 9 UDP/TLS/RTP/SAVPF 0\r\na=ice-ufrag:efgh\r\na=ice-pwd:" + testPwd + "\r\n",
		want: &offerInfo{ufrag: "abcd", pwd: newPwd}},
	{name: "candidates counted", sdp: testOffer + "a=" + testCandidate + "\r\na=" + testCandidate2 + "\r\n", want: &offerInfo{ufrag: testUfrag, pwd: testPwd, candidates: 2}},
	{name: "empty", sdp: ""},
	{name: "NUL", sdp: "v=0\r\n\x00"},
	{name: "not UTF-8", sdp: "v=0\r\ns=\xc3\x28\r\n"},
	{name: "no v=0", sdp: "s=-\r\n"},
	{name: "v=0 not on its own line", sdp: "v=0 x\r\n"},
	{name: "just v=0", sdp: "v=0\r\n"},
	{name: "ufrag only", sdp: "v=0\r\na=ice-ufrag:abcd\r\n"},
	{name: "ufrag too short", sdp: "v=0\r\na=ice-ufrag:abc\r\na=ice-pwd:" + newPwd + "\r\n"},
	{name: "pwd bad chars", sdp: "v=0\r\na=ice-ufrag:abcd\r\na=ice-pwd:" + strings.Repeat("-", 22) + "\r\n"},
	{name: "line too long", sdp: testOffer + "a=x:" + strings.Repeat("x", maxLineLength) + "\r\n"},
}

func TestParseOffer(t *testing.T) {
	for _, tc := range offerTests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := parseOffer(tc.sdp)
			if tc.want == nil {
				if !errors.Is(err, ErrMalformedOffer) {
					t.Fatalf("err = %v, want ErrMalformedOffer", err)
				}
				return
			}
			if err != nil || got.desc == nil {
				t.Fatalf("parseOffer = %+v, %v; want %+v", got, err, *tc.want)
			}
			if got.desc = nil; got != *tc.want {
				t.Fatalf("parseOffer = %+v, %v; want %+v", got, err, *tc.want)
			}
		})
	}
}

func TestAnswerTemplate(t *testing.T) {
	tests := []struct {
		name, answer string
		want         Frag
	}{
		{name: "draft example", answer: testAnswer, want: Frag{ICELite: true, ICEOptions: "trickle ice2", Group: "BUNDLE 0 1",
			Media: []FragMedia{{Line: "audio 9 UDP/TLS/RTP/SAVPF 111", Mid: "0"}}}},
		{name: "media-level ice-options", answer: "v=0\r\nm=video 9 UDP/TLS/RTP/SAVPF 96\r\na=ice-options:trickle\r\na=mid:v\r\n",
			want: Frag{ICEOptions: "trickle", Media: []FragMedia{{Line: "video 9 UDP/TLS/RTP/SAVPF 96", Mid: "v"}}}},
		{name: "no media", answer: "v=0\r\n", want: Frag{}},
		{name: "non-BUNDLE group ignored", answer: "v=0\r\na=group:LS 0 1\r\n", want: Frag{}},
	}
	for _, tc := range tests {
		if got := answerTemplate(tc.answer); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s: %#v, want %#v", tc.name, got, tc.want)
		}
	}
}

func FuzzParseOffer(f *testing.F) {
	for _, tc := range offerTests {
		f.Add(tc.sdp)
	}
	f.Fuzz(func(t *testing.T, sdp string) {
		info, err := parseOffer(sdp)
		if err != nil {
			if !errors.Is(err, ErrMalformedOffer) {
				t.Fatalf("error %v does not wrap ErrMalformedOffer", err)
			}
			return
		}
		if checkCredentials(info.ufrag, info.pwd) != nil || info.ufrag == "" || info.pwd == "" {
			t.Fatalf("accepted credentials %q %q", info.ufrag, info.pwd)
		}
		answerTemplate(sdp)
	})
}

// TestPostHandsOnParsedOffer: the Opener gets the offer parsed, once, with
// the offer's text beside it.
func TestPostHandsOnParsedOffer(t *testing.T) {
	e := newEnv(t)
	e.create()
	req := e.opened[0]
	if req.Description == nil || len(req.Description.MediaDescriptions) != 2 || req.Offer != testOffer {
		t.Fatalf("OpenRequest = %+v", req)
	}
	if mid, _ := req.Description.MediaDescriptions[1].Attribute("mid"); mid != "1" {
		t.Fatalf("second m-section mid %q", mid)
	}
}
