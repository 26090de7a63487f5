package codec

import "testing"

// TestTable pins the defaults that SDP offers and answers carry: a change
// here is a change on the wire.
func TestTable(t *testing.T) {
	cases := []struct {
		f    Format
		want Format
	}{
		{H264Format, Format{"video/H264", 90000, 0, 102, "level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f"}},
		{VP8Format, Format{"video/VP8", 90000, 0, 96, ""}},
		{OpusFormat, Format{"audio/opus", 48000, 2, 111, "minptime=10;useinbandfec=1"}},
		{PCMUFormat, Format{"audio/PCMU", 8000, 0, 0, ""}},
		{PCMAFormat, Format{"audio/PCMA", 8000, 0, 8, ""}},
	}
	for _, c := range cases {
		if c.f != c.want {
			t.Errorf("%s: %+v, want %+v", c.want.MimeType, c.f, c.want)
		}
	}
}
