package rendition

import (
	"testing"

	"mediagate.dev/mediagate/gateway/stream"
	"mediagate.dev/mediagate/transcoder"
)

func TestPayloadSliceType(t *testing.T) {
	for _, tc := range []struct {
		name    string
		payload []byte
		typ     int
		ok      bool
	}{
		{"P slice", []byte{0x41, 0xc0, 0}, 0, true},
		{"B slice", []byte{0x01, 0xa0, 0}, 1, true},
		{"I slice in an IDR", []byte{0x65, 0xb0, 0}, 2, true},
		{"B slice, FU-A start", []byte{0x7c, 0x81, 0xa0, 0}, 1, true},
		{"FU-A middle", []byte{0x7c, 0x01, 0xa0, 0}, 0, false},
		{"SPS", []byte{0x67, 0x42, 0xc0}, 0, false},
		{"empty", nil, 0, false},
	} {
		typ, ok := payloadSliceType(tc.payload)
		if typ != tc.typ || ok != tc.ok {
			t.Errorf("%s: %d %v, want %d %v", tc.name, typ, ok, tc.typ, tc.ok)
		}
	}
}

func TestRenditionTargets(t *testing.T) {
	for _, tc := range []struct {
		src  string
		want []string
	}{
		{"video/h264", []string{transcoder.VP8, transcoder.H264}},
		{transcoder.VP8, []string{transcoder.H264}},
		{transcoder.AAC, []string{transcoder.Opus}},
		{transcoder.Opus, nil},
		{"audio/PCMU", nil},
	} {
		got := renditionTargets(tc.src)
		if len(got) != len(tc.want) {
			t.Errorf("%s: %v, want %v", tc.src, got, tc.want)
			continue
		}
		for i := range got {
			if got[i] != tc.want[i] {
				t.Errorf("%s: %v, want %v", tc.src, got, tc.want)
			}
		}
		for _, to := range got {
			if c := renditionCodec(to); c.MimeType != to || c.ClockRate == 0 {
				t.Errorf("renditionCodec(%s) = %+v", to, c)
			}
		}
	}
}

func TestBaselineSource(t *testing.T) {
	for fmtp, want := range map[string]bool{
		"packetization-mode=1;profile-level-id=42e01f": true,
		"packetization-mode=1;profile-level-id=4d001f": false,
		"packetization-mode=1":                         false,
	} {
		if got := baselineSource(stream.Codec{Fmtp: fmtp}); got != want {
			t.Errorf("%q: %v, want %v", fmtp, got, want)
		}
	}
}
