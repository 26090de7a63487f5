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

// TestFormatOf finds the table's formats by MIME type in any case, and
// none for AAC, whose format depends on its configuration.
func TestFormatOf(t *testing.T) {
	if f, ok := FormatOf("VIDEO/vp8"); !ok || f != VP8Format {
		t.Errorf("FormatOf(VIDEO/vp8) = %+v, %v", f, ok)
	}
	if f, ok := FormatOf(MimeOpus); !ok || f != OpusFormat {
		t.Errorf("FormatOf(opus) = %+v, %v", f, ok)
	}
	if _, ok := FormatOf(MimeAAC); ok {
		t.Error("FormatOf(AAC) found a format")
	}
}
