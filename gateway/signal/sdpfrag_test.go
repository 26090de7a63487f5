package signal

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

var fragTests = []struct {
	name string
	body string
	want *Frag // nil: malformed
}{
	{name: "empty", body: "", want: &Frag{}},
	{name: "RFC 9725 trickle example", body: trickleFrag, want: &Frag{Group: "BUNDLE 0 1", Ufrag: testUfrag, Pwd: testPwd,
		Media: []FragMedia{{Line: "audio 9 UDP/TLS/RTP/SAVPF 111", Mid: "0", Candidates: []string{testCandidate, testCandidate2}, EndOfCandidates: true}}}},
	{name: "restart example", body: restartFrag, want: &Frag{ICEOptions: "trickle ice2", Group: "BUNDLE 0 1", Ufrag: newUfrag, Pwd: newPwd,
		Media: []FragMedia{{Line: "audio 9 UDP/TLS/RTP/SAVPF 111", Mid: "0", Candidates: []string{testCandidate}}}}},
	{name: "LF endings and blank lines", body: "a=ice-lite\n\n\na=mid:0\na=" + testCandidate + "\n", want: &Frag{ICELite: true,
		Media: []FragMedia{{Mid: "0", Candidates: []string{testCandidate}}}}},
	{name: "session-level credentials", body: "a=ice-ufrag:" + newUfrag + "\r\na=ice-pwd:" + newPwd + "\r\n", want: &Frag{Ufrag: newUfrag, Pwd: newPwd}},
	{name: "credentials repeated per section", body: "m=audio 9 X 0\r\na=ice-ufrag:" + newUfrag + "\r\nm=video 9 X 0\r\na=ice-ufrag:" + newUfrag + "\r\n",
		want: &Frag{Ufrag: newUfrag, Media: []FragMedia{{Line: "audio 9 X 0"}, {Line: "video 9 X 0"}}}},
	{name: "IPv6, mDNS and zone addresses", body: "a=candidate:1 1 udp 1 ::1 9 typ host\r\na=candidate:2 1 udp 1 a1b2-c3.local 9 typ host\r\na=candidate:3 1 udp 1 fe80::1%lo 9 typ host\r\n",
		want: &Frag{Media: []FragMedia{{Candidates: []string{"candidate:1 1 udp 1 ::1 9 typ host", "candidate:2 1 udp 1 a1b2-c3.local 9 typ host", "candidate:3 1 udp 1 fe80::1%lo 9 typ host"}}}}},
	{name: "unknown lines ignored", body: "v=0\r\nc=IN IP4 0.0.0.0\r\na=ice-pacing:50\r\na=mid:0\r\n", want: &Frag{Media: []FragMedia{{Mid: "0"}}}},
	{name: "session end-of-candidates", body: "a=end-of-candidates\r\n", want: &Frag{Media: []FragMedia{{EndOfCandidates: true}}}},
	{name: "not SDP", body: "hello\r\n"},
	{name: "uppercase type", body: "A=mid:0\r\n"},
	{name: "NUL", body: "a=mid:0\x00\r\n"},
	{name: "escape sequence", body: "a=mid:\x1b[31m\r\n"},
	{name: "not UTF-8", body: "a=mid:\xff\r\n"},
	{name: "stray CR", body: "a=mid:0\rb\r\n"},
	{name: "short ufrag", body: "a=ice-ufrag:abc\r\n"},
	{name: "long ufrag", body: "a=ice-ufrag:" + strings.Repeat("a", 257) + "\r\n"},
	{name: "short pwd", body: "a=ice-pwd:abc\r\n"},
	{name: "ufrag with bad chars", body: "a=ice-ufrag:ab-cd\r\n"},
	{name: "conflicting ufrags", body: "a=ice-ufrag:abcd\r\na=ice-ufrag:abce\r\n"},
	{name: "two mids", body: "a=mid:0\r\na=mid:1\r\n"},
	{name: "empty mid", body: "a=mid:\r\n"},
	{name: "bad m= line", body: "m=audio\r\n"},
	{name: "m= port not numeric", body: "m=audio x UDP 0\r\n"},
	{name: "too many sections", body: strings.Repeat("m=audio 9 X 0\r\n", maxFragMedia+1)},
	{name: "candidate too few fields", body: "a=candidate:1 1 udp 1 127.0.0.1 9 typ\r\n"},
	{name: "candidate bad priority", body: "a=candidate:1 1 udp 99999999999 127.0.0.1 9 typ host\r\n"},
	{name: "candidate bad port", body: "a=candidate:1 1 udp 1 127.0.0.1 65536 typ host\r\n"},
	{name: "candidate no typ", body: "a=candidate:1 1 udp 1 127.0.0.1 9 type host\r\n"},
	{name: "candidate bad foundation", body: "a=candidate:" + strings.Repeat("f", 33) + " 1 udp 1 127.0.0.1 9 typ host\r\n"},
	{name: "candidate bad address", body: "a=candidate:1 1 udp 1 127.0.0.1/8 9 typ host\r\n"},
	{name: "candidate too long", body: "a=candidate:1 1 udp 1 127.0.0.1 9 typ host " + strings.Repeat("x", maxCandidate) + "\r\n"},
	{name: "line too long", body: "a=x:" + strings.Repeat("x", maxLineLength) + "\r\n"},
}

func TestParseSDPFrag(t *testing.T) {
	for _, tc := range fragTests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseSDPFrag(tc.body)
			if tc.want == nil {
				if !errors.Is(err, ErrMalformedFrag) {
					t.Fatalf("err = %v, want ErrMalformedFrag", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, *tc.want) {
				t.Fatalf("got %#v\nwant %#v", got, *tc.want)
			}
			checkRoundTrip(t, got)
		})
	}
}

// checkRoundTrip asserts that String's output parses back to f.
func checkRoundTrip(t *testing.T, f Frag) {
	t.Helper()
	s := f.String()
	again, err := ParseSDPFrag(s)
	if err != nil {
		t.Fatalf("String() does not parse: %v\n%q", err, s)
	}
	if !reflect.DeepEqual(again, f) {
		t.Fatalf("round trip changed\n%#v\nto\n%#v\nvia %q", f, again, s)
	}
	if strings.Count(s, "\n") != strings.Count(s, "\r\n") {
		t.Fatalf("String() has bare LF: %q", s)
	}
}

func TestFragString(t *testing.T) {
	f := Frag{ICELite: true, ICEOptions: "trickle", Group: "BUNDLE 0", Ufrag: newUfrag, Pwd: newPwd,
		Media: []FragMedia{{Line: "audio 9 UDP/TLS/RTP/SAVPF 111", Mid: "0", Candidates: []string{testCandidate}, EndOfCandidates: true}}}
	want := "a=ice-lite\r\na=ice-options:trickle\r\na=group:BUNDLE 0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=mid:0\r\n" +
		"a=ice-ufrag:" + newUfrag + "\r\na=ice-pwd:" + newPwd + "\r\na=" + testCandidate + "\r\na=end-of-candidates\r\n"
	if got := f.String(); got != want {
		t.Fatalf("String() =\n%q\nwant\n%q", got, want)
	}
	if got := f.Candidates(); len(got) != 1 || got[0] != (Candidate{testCandidate, "0"}) || f.CandidateCount() != 1 {
		t.Fatalf("Candidates() = %v", got)
	}
}

func FuzzSDPFrag(f *testing.F) {
	for _, tc := range fragTests {
		f.Add(tc.body)
	}
	f.Fuzz(func(t *testing.T, body string) {
		frag, err := ParseSDPFrag(body)
		if err != nil {
			if !errors.Is(err, ErrMalformedFrag) {
				t.Fatalf("error %v does not wrap ErrMalformedFrag", err)
			}
			return
		}
		checkRoundTrip(t, frag)
		for _, c := range frag.Candidates() {
			if checkCandidate(c.Candidate) != nil || strings.ContainsAny(c.Candidate, "\r\n") {
				t.Fatalf("accepted candidate %q", c.Candidate)
			}
		}
	})
}
