package whip

import (
	"errors"
	"strings"
	"testing"

	"mediagate.dev/mediagate/gateway/signal/jsep"
)

// offerSDP builds a minimal offer with the given media sections, each
// "kind direction".
func offerSDP(media ...string) string {
	var b strings.Builder
	b.WriteString("v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\na=ice-ufrag:abcd\r\na=ice-pwd:0123456789abcdefghijkl\r\n")
	for i, m := range media {
		kind, dir, _ := strings.Cut(m, " ")
		b.WriteString("m=" + kind + " 9 UDP/TLS/RTP/SAVPF 96\r\nc=IN IP4 0.0.0.0\r\na=mid:" + string(rune('0'+i)) + "\r\n")
		if dir != "" {
			b.WriteString("a=" + dir + "\r\n")
		}
		b.WriteString("a=candidate:1 1 udp 1 127.0.0.1 4000" + string(rune('0'+i)) + " typ host\r\n")
	}
	return b.String()
}

var offerCases = []struct {
	name     string
	offer    string
	hasVideo bool
	want     error
}{
	{"video and audio", offerSDP("video sendonly", "audio sendonly"), true, nil},
	{"sendrecv", offerSDP("video sendrecv"), true, nil},
	{"no direction means sendrecv", offerSDP("video"), true, nil},
	{"audio only to a video stream", offerSDP("audio sendonly"), true, nil},
	{"data channel ignored", offerSDP("video sendonly", "application"), true, nil},
	{"recvonly", offerSDP("video recvonly"), true, ErrUnacceptable},
	{"inactive audio", offerSDP("video sendonly", "audio inactive"), true, ErrUnacceptable},
	{"two videos", offerSDP("video sendonly", "video sendonly"), true, ErrUnacceptable},
	{"no media", offerSDP(), true, ErrUnacceptable},
	{"video to an audio stream", offerSDP("video sendonly"), false, ErrUnacceptable},
	{"not SDP", "hello", true, ErrBadOffer},
	{"empty", "", true, ErrBadOffer},
}

func TestCheckOffer(t *testing.T) {
	for _, c := range offerCases {
		t.Run(c.name, func(t *testing.T) {
			err := checkOffer(c.offer, c.hasVideo)
			if !errors.Is(err, c.want) || (c.want == nil) != (err == nil) {
				t.Fatalf("checkOffer: %v, want %v", err, c.want)
			}
		})
	}
}

func TestCheckAnswer(t *testing.T) {
	ok := offerSDP("video recvonly", "audio recvonly")
	rejected := strings.Replace(ok, "m=audio 9", "m=audio 0", 1)
	if err := checkAnswer(ok); err != nil {
		t.Errorf("accepted answer: %v", err)
	}
	if err := checkAnswer(rejected); !errors.Is(err, ErrUnacceptable) {
		t.Errorf("rejected m-section: %v, want ErrUnacceptable", err)
	}
}

// FuzzCheckOffer: no offer makes the checks panic, and RestartOffer and
// LocalICE survive whatever they are given.
func FuzzCheckOffer(f *testing.F) {
	for _, c := range offerCases {
		f.Add(c.offer)
	}
	f.Fuzz(func(t *testing.T, offer string) {
		_ = checkOffer(offer, true)
		_ = checkAnswer(offer)
		if restarted, err := jsep.RestartOffer(offer, "u", "p", []string{"1 1 udp 1 127.0.0.1 1 typ host"}); err == nil {
			_, _, _, _ = jsep.LocalICE(restarted)
		}
	})
}
