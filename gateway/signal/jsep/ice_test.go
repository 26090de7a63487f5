package jsep

import (
	"strings"
	"testing"

	"github.com/pion/sdp/v3"
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

// TestRestartOffer: new credentials everywhere, old candidates gone, the
// new ones in the first m-section only; LocalICE reads them back.
func TestRestartOffer(t *testing.T) {
	cases := []struct {
		name  string
		prev  string
		cands []string
	}{
		{"two sections", offerSDP("video sendonly", "audio sendonly"), []string{"candidate:9 1 udp 5 127.0.0.1 5000 typ host"}},
		{"one section", offerSDP("video sendonly"), []string{"9 1 udp 5 127.0.0.1 5000 typ host", "candidate:8 1 udp 4 127.0.0.1 5001 typ host"}},
		{"no candidates", offerSDP("video sendonly"), nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out, err := RestartOffer(c.prev, "newufrag", "newpassword0123456789ab", c.cands)
			if err != nil {
				t.Fatal(err)
			}
			if strings.Contains(out, "ice-ufrag:abcd") || strings.Contains(out, "40000") {
				t.Fatalf("old credentials or candidates kept:\n%s", out)
			}
			ufrag, pwd, cands, _ := LocalICE(out)
			if ufrag != "newufrag" || pwd != "newpassword0123456789ab" || len(cands) != len(c.cands) {
				t.Fatalf("localICE: %q %q %v\n%s", ufrag, pwd, cands, out)
			}
			if strings.Count(out, "a=candidate:") != len(c.cands) {
				t.Fatalf("candidates outside the first m-section:\n%s", out)
			}
		})
	}
}

// TestICE: the first m-section's credentials, media level before session
// level, and its candidates only; nothing for a description without media.
func TestICE(t *testing.T) {
	offer := offerSDP("video sendonly", "audio sendonly")
	offer = strings.Replace(offer, "a=mid:0\r\n", "a=mid:0\r\na=ice-ufrag:media\r\n", 1)
	var sd sdp.SessionDescription
	if err := sd.UnmarshalString(offer); err != nil {
		t.Fatal(err)
	}
	ufrag, pwd, cands := ICE(&sd)
	if ufrag != "media" || pwd != "0123456789abcdefghijkl" || len(cands) != 1 || cands[0] != "candidate:1 1 udp 1 127.0.0.1 40000 typ host" {
		t.Fatalf("ICE = %q %q %q", ufrag, pwd, cands)
	}
	if u, p, c := ICE(&sdp.SessionDescription{}); u != "" || p != "" || c != nil {
		t.Fatalf("ICE of no media = %q %q %q", u, p, c)
	}
	if _, _, _, err := LocalICE(offerSDP()); err == nil {
		t.Fatal("LocalICE of a description without media: no error")
	}
}

// FuzzRestartOffer: RestartOffer and LocalICE survive whatever they are
// given.
func FuzzRestartOffer(f *testing.F) {
	f.Add(offerSDP("video sendonly", "audio sendonly"))
	f.Add(offerSDP())
	f.Add("hello")
	f.Fuzz(func(t *testing.T, offer string) {
		if restarted, err := RestartOffer(offer, "u", "p", []string{"1 1 udp 1 127.0.0.1 1 typ host"}); err == nil {
			_, _, _, _ = LocalICE(restarted)
		}
	})
}
