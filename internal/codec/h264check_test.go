package codec

import (
	"errors"
	"testing"
)

// TestCheckH264Payload covers each packet type of RFC 6184 §5.2 and the
// malformed shapes a passthrough must not forward.
func TestCheckH264Payload(t *testing.T) {
	sps := baselineSPS(80, 45, nil)
	cases := []struct {
		name string
		p    []byte
		want error
	}{
		{"single IDR slice", []byte{0x65, 0x88, 0x80}, nil},
		{"single SPS", sps, nil},
		{"STAP-A SPS and PPS", BuildSTAPA(sps, []byte{0x68, 0xce, 0x3c, 0x80}), nil},
		{"FU-A start", []byte{0x7c, 0x85, 1, 2}, nil},
		{"FU-A middle", []byte{0x7c, 0x05, 1, 2}, nil},
		{"FU-A end", []byte{0x7c, 0x45, 1, 2}, nil},
		{"empty", nil, ErrH264PacketType},
		{"type 0", []byte{0x00, 1, 2}, ErrH264PacketType},
		{"type 30", []byte{0x7e, 1, 2}, ErrH264PacketType},
		{"type 31", []byte{0x7f, 1, 2}, ErrH264PacketType},
		{"STAP-B", []byte{0x79, 0, 0, 0, 2, 0x65, 1}, ErrH264PacketType},
		{"FU-B", []byte{0x7d, 0x85, 0, 0, 1}, ErrH264PacketType},
		{"STAP-A overruns", []byte{0x78, 0x00, 0x40, 0x67, 0x42}, ErrH264STAPA},
		{"STAP-A truncated size", []byte{0x78, 0x00, 0x02, 0x65, 0x88, 0x00}, ErrH264STAPA},
		{"STAP-A of a STAP-A", []byte{0x78, 0x00, 0x02, 0x78, 0x00}, ErrH264STAPA},
		{"STAP-A empty unit", []byte{0x78, 0x00, 0x00, 0x00, 0x01}, ErrH264STAPA},
		{"FU-A start and end", []byte{0x7c, 0xc5, 1}, ErrH264FUA},
		{"FU-A no fragment", []byte{0x7c, 0x85}, ErrH264FUA},
		{"FU-A truncated", []byte{0x7c}, ErrH264FUA},
		{"FU-A of type 0", []byte{0x7c, 0x80, 1}, ErrH264FUA},
		{"FU-A of an FU-A", []byte{0x7c, 0x9c, 1}, ErrH264FUA},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := CheckH264Payload(c.p)
			if c.want == nil && err != nil || c.want != nil && !errors.Is(err, c.want) {
				t.Fatalf("CheckH264Payload(%x) = %v, want %v", c.p, err, c.want)
			}
			if c.want != nil && !errors.Is(err, ErrMalformedPayload) && !errors.Is(err, c.want) {
				t.Fatalf("error %v", err)
			}
		})
	}
}

// TestH264StreamFragments refuses FU-A fragments whose start is missing:
// after a loss, and after a run that ended.
func TestH264StreamFragments(t *testing.T) {
	steps := []struct {
		seq  uint16
		p    []byte
		want error
	}{
		{10, []byte{0x7c, 0x05, 1}, ErrH264FUA}, // middle with no start
		{11, []byte{0x7c, 0x85, 1}, nil},        // start
		{12, []byte{0x7c, 0x05, 1}, nil},        // middle
		{13, []byte{0x7c, 0x45, 1}, nil},        // end
		{14, []byte{0x7c, 0x45, 1}, ErrH264FUA}, // end after the end
		{15, []byte{0x7c, 0x85, 1}, nil},        // start
		{17, []byte{0x7c, 0x05, 1}, ErrH264FUA}, // 16 lost
		{18, []byte{0x7c, 0x45, 1}, ErrH264FUA}, // the rest of that unit too
		{19, []byte{0x41, 0x9a, 1}, nil},        // a whole slice
		{20, []byte{0x7c, 0x41, 1}, ErrH264FUA}, // end without start
		{0xffff, []byte{0x7c, 0x85, 1}, nil},    // start before the wrap
		{0, []byte{0x7c, 0x45, 1}, nil},         // end after it
		{1, []byte{0x00, 0x45, 1}, ErrH264PacketType},
	}
	var s H264Stream
	for i, st := range steps {
		err := s.Check(st.seq, st.p)
		if st.want == nil && err != nil || st.want != nil && !errors.Is(err, st.want) {
			t.Fatalf("step %d (seq %d): %v, want %v", i, st.seq, err, st.want)
		}
	}
}

// TestH264StreamParameterSets checks every SPS that changes against the
// caps: a 16k×16k SPS mid-stream is refused, the stream's own is checked
// once, and a narrower cap refuses 1080p.
func TestH264StreamParameterSets(t *testing.T) {
	hd := baselineSPS(120, 68, []uint32{0, 0, 0, 4}) // 1920x1080
	huge := baselineSPS(1024, 1024, nil)             // 16384x16384
	tall := baselineSPS(8, 1100, nil)                // 128x17600: a side too long
	var s H264Stream
	for i, p := range [][]byte{hd, BuildSTAPA(hd, []byte{0x68, 0xce}), hd} {
		if err := s.Check(uint16(i), p); err != nil {
			t.Fatalf("1080p SPS %d: %v", i, err)
		}
	}
	for _, p := range [][]byte{huge, BuildSTAPA(huge, []byte{0x68, 0xce}), tall, {0x67, 0x42}} {
		if err := s.Check(9, p); !errors.Is(err, ErrH264SPS) {
			t.Fatalf("SPS %x: %v, want ErrH264SPS", p[:min(len(p), 8)], err)
		}
	}
	if err := s.Check(10, hd); err != nil {
		t.Fatalf("1080p after a refused SPS: %v", err)
	}
	small := H264Stream{Caps: H264Caps{MaxFrameMBs: 3600}} // level 3.1: 720p
	if err := small.Check(0, hd); !errors.Is(err, ErrH264SPS) {
		t.Fatalf("1080p under a 720p cap: %v", err)
	}
	if err := small.Check(1, baselineSPS(80, 45, nil)); err != nil {
		t.Fatalf("720p under a 720p cap: %v", err)
	}
}

// FuzzH264Stream feeds arbitrary payloads through the checker: it must
// never panic, and what it accepts on its own must be well formed for the
// project's one walker and FU-A parser.
func FuzzH264Stream(f *testing.F) {
	f.Add(uint16(1), []byte{0x7c, 0x85, 1})
	f.Add(uint16(2), BuildSTAPA(baselineSPS(80, 45, nil), []byte{0x68, 0xce}))
	f.Add(uint16(3), baselineSPS(1024, 1024, nil))
	f.Add(uint16(4), []byte{0x78, 0x00, 0x40, 0x67})
	var s H264Stream
	f.Fuzz(func(t *testing.T, seq uint16, p []byte) {
		err := s.Check(seq, p)
		if CheckH264Payload(p) != nil {
			if err == nil {
				t.Fatalf("Check accepted %x that CheckH264Payload refuses", p)
			}
			return
		}
		switch H264NALType(p[0]) {
		case H264FUA:
			if _, perr := ParseH264FUA(p); perr != nil {
				t.Fatalf("accepted FU-A %x: %v", p, perr)
			}
		default:
			if werr := WalkH264NALs(p, func([]byte) bool { return true }); werr != nil {
				t.Fatalf("accepted %x: %v", p, werr)
			}
		}
	})
}
