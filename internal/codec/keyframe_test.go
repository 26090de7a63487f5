package codec

import "testing"

var keyframeCases = []struct {
	name    string
	mime    string
	payload []byte
	want    bool
}{
	{"h264 idr", "video/H264", []byte{0x65, 0x88}, true},
	{"h264 sps", "video/H264", []byte{0x67, 0x42, 0xe0, 0x1f}, true},
	{"h264 pps", "video/H264", []byte{0x68, 0xce}, false},
	{"h264 non-idr", "video/H264", []byte{0x41, 0x9a}, false},
	{"h264 stap-a sps pps", "video/H264", []byte{0x78, 0x00, 0x02, 0x67, 0x42, 0x00, 0x02, 0x68, 0xce}, true},
	{"h264 stap-a pps only", "video/H264", []byte{0x78, 0x00, 0x02, 0x68, 0xce}, false},
	{"h264 stap-a overflow", "video/H264", []byte{0x78, 0xff, 0xff, 0x67}, false},
	{"h264 stap-a zero length", "video/H264", []byte{0x78, 0x00, 0x00, 0x67}, false},
	{"h264 fu-a idr start", "video/H264", []byte{0x7c, 0x85, 0x88}, true},
	{"h264 fu-a idr middle", "video/H264", []byte{0x7c, 0x05, 0x88}, false},
	{"h264 fu-a truncated", "video/H264", []byte{0x7c}, false},
	{"h264 empty", "video/H264", nil, false},
	{"vp8 key no ext", "video/VP8", []byte{0x10, 0x90}, true},
	{"vp8 delta", "video/VP8", []byte{0x10, 0x91}, false},
	{"vp8 key continuation", "video/VP8", []byte{0x00, 0x90}, false},
	{"vp8 key 15-bit picture id", "video/VP8", []byte{0x90, 0x80, 0x81, 0x23, 0x50}, true},
	{"vp8 key 7-bit picture id", "video/VP8", []byte{0x90, 0x80, 0x12, 0x50}, true},
	{"vp8 truncated descriptor", "video/VP8", []byte{0x90, 0x80}, false},
	{"vp8 only descriptor", "video/VP8", []byte{0x10}, false},
	{"opus", "audio/opus", []byte{0x65}, false},
}

func TestIsKeyframe(t *testing.T) {
	for _, c := range keyframeCases {
		t.Run(c.name, func(t *testing.T) {
			if got := IsKeyframe(c.mime, c.payload); got != c.want {
				t.Fatalf("IsKeyframe(%s, % x) = %v, want %v", c.mime, c.payload, got, c.want)
			}
		})
	}
}

func FuzzIsKeyframe(f *testing.F) {
	for _, c := range keyframeCases {
		f.Add(c.mime == "video/VP8", c.payload)
	}
	f.Fuzz(func(t *testing.T, vp8 bool, p []byte) {
		if vp8 {
			VP8IsKeyframe(p)
			if d, err := ParseVP8Descriptor(p); err == nil && (d.Len < 1 || d.Len >= len(p)) {
				t.Fatalf("descriptor length %d in payload %d", d.Len, len(p))
			}
			return
		}
		H264IsKeyframe(p)
	})
}
