package transcoder

import (
	"bytes"
	"errors"
	"testing"

	"github.com/pion/rtp"
)

// pkt is one RTP packet of a depacketizer test case.
type pkt struct {
	seq     uint16
	ts      uint32
	marker  bool
	payload []byte
}

// wantAU is what one emitted access unit must look like.
type wantAU struct {
	pts      uint32
	keyframe bool
	damaged  bool
	data     []byte // nil: not checked
}

type depackCase struct {
	name    string
	mime    string
	sprop   [][]byte
	fmtp    string
	packets []pkt
	want    []wantAU
}

func cat(b ...[]byte) []byte { return bytes.Join(b, nil) }

var (
	sc  = []byte{0, 0, 0, 1}
	sps = []byte{0x67, 0x42, 0xc0, 0x1e, 0xd9, 0x00, 0xa0, 0x7b, 0x60, 0x22}
	pps = []byte{0x68, 0xce, 0x3c, 0x80}
	idr = []byte{0x65, 0x88, 0x84, 0x00, 0x21}
	pSl = []byte{0x41, 0x9a, 0x02, 0x03}
	// H.265 NAL units: a VPS, SPS and PPS (headers and a byte), an IDR_W_RADL
	// and a TRAIL_R slice that begin their pictures, and the second slice
	// of an IDR picture.
	hVPS  = []byte{0x40, 0x01, 0x0c}
	hSPS  = []byte{0x42, 0x01, 0x01}
	hPPS  = []byte{0x44, 0x01, 0xc1}
	hIDR  = []byte{0x26, 0x01, 0xaf, 0x08, 0x46}
	hIDR2 = []byte{0x26, 0x01, 0x2f, 0x08, 0x47}
	hTrl  = []byte{0x02, 0x01, 0xd0, 0x09}
	// vp8Key is a VP8 key frame header of 320x240 (RFC 6386 §9.1).
	vp8Key = []byte{0x50, 0x02, 0x00, 0x9d, 0x01, 0x2a, 0x40, 0x01, 0xf0, 0x00, 0xaa, 0xbb}
)

const aacFmtp = "streamtype=5;profile-level-id=1;mode=AAC-hbr;sizelength=13;indexlength=3;indexdeltalength=3;config=1190"

// aacHeader is an AU header section of AUs of the given sizes (13+3 bits each).
func aacHeader(sizes ...int) []byte {
	out := []byte{0, byte(16 * len(sizes))}
	for _, s := range sizes {
		out = append(out, byte(s>>5), byte(s<<3))
	}
	return out
}

func depackCases() []depackCase {
	stap := cat([]byte{24, 0, byte(len(sps))}, sps, []byte{0, byte(len(pps))}, pps)
	return []depackCase{
		{name: "h264 single idr", mime: H264,
			packets: []pkt{{1, 100, true, idr}},
			want:    []wantAU{{100, true, false, cat(sc, idr)}}},
		{name: "h264 stap-a then idr", mime: H264,
			packets: []pkt{{1, 100, false, stap}, {2, 100, true, idr}},
			want:    []wantAU{{100, true, false, cat(sc, sps, sc, pps, sc, idr)}}},
		{name: "h264 fu-a", mime: H264,
			packets: []pkt{{7, 5, false, []byte{0x7c, 0x85, 1, 2}}, {8, 5, false, []byte{0x7c, 0x05, 3}}, {9, 5, true, []byte{0x7c, 0x45, 4}}},
			want:    []wantAU{{5, true, false, cat(sc, []byte{0x65, 1, 2, 3, 4})}}},
		{name: "h264 fu-a middle lost", mime: H264,
			packets: []pkt{{7, 5, false, []byte{0x7c, 0x85, 1, 2}}, {9, 5, true, []byte{0x7c, 0x45, 4}}},
			want:    []wantAU{{5, true, true, nil}}},
		{name: "h264 fu-a without start", mime: H264,
			packets: []pkt{{7, 5, true, []byte{0x7c, 0x45, 4}}},
			want:    []wantAU{{5, false, true, nil}}},
		{name: "h264 marker lost", mime: H264,
			packets: []pkt{{1, 100, false, idr}, {2, 200, true, pSl}},
			want:    []wantAU{{100, true, true, nil}, {200, false, false, cat(sc, pSl)}}},
		{name: "h264 first packet of the next picture lost", mime: H264,
			packets: []pkt{{1, 100, true, idr}, {3, 200, true, []byte{0x5c, 0x41, 9}}},
			want:    []wantAU{{100, true, false, nil}, {200, false, true, nil}}},
		{name: "h264 interleaved mode refused", mime: H264,
			packets: []pkt{{1, 100, true, []byte{25, 0, 0, 1}}},
			want:    []wantAU{{100, false, true, nil}}},
		{name: "h264 duplicate and stale ignored", mime: H264,
			packets: []pkt{{10, 100, true, idr}, {10, 100, true, idr}, {9, 100, true, idr}, {11, 200, true, pSl}},
			want:    []wantAU{{100, true, false, nil}, {200, false, false, nil}}},
		{name: "h264 restart far behind, confirmed by the next packet", mime: H264,
			packets: []pkt{{40000, 100, true, idr}, {40001, 200, true, pSl}, {7, 300, false, stap}, {8, 300, true, idr}, {9, 400, true, pSl}},
			want:    []wantAU{{100, true, false, nil}, {200, false, false, nil}, {300, true, false, nil}, {400, false, false, nil}}},
		{name: "h264 sprop before a bare idr", mime: H264, sprop: [][]byte{sps, pps},
			packets: []pkt{{1, 100, true, idr}},
			want:    []wantAU{{100, true, false, cat(sc, sps, sc, pps, sc, idr)}}},
		{name: "h264 stap-a truncated", mime: H264,
			packets: []pkt{{1, 100, true, []byte{24, 0, 9, 0x67}}},
			want:    []wantAU{{100, false, true, nil}}},
		{name: "h265 single idr", mime: H265,
			packets: []pkt{{1, 100, true, hIDR}},
			want:    []wantAU{{100, true, false, cat(sc, hIDR)}}},
		{name: "h265 ap then two slices", mime: H265,
			packets: []pkt{{1, 100, false, h265AP(hVPS, hSPS, hPPS)}, {2, 100, false, hIDR}, {3, 100, true, hIDR2}},
			want:    []wantAU{{100, true, false, cat(sc, hVPS, sc, hSPS, sc, hPPS, sc, hIDR, sc, hIDR2)}}},
		{name: "h265 fu", mime: H265,
			packets: []pkt{{7, 5, false, []byte{0x62, 0x01, 0x93, 0xaf, 1}}, {8, 5, false, []byte{0x62, 0x01, 0x13, 2}}, {9, 5, true, []byte{0x62, 0x01, 0x53, 3}}},
			want:    []wantAU{{5, true, false, cat(sc, []byte{0x26, 0x01, 0xaf, 1, 2, 3})}}},
		{name: "h265 fu of an sps", mime: H265,
			packets: []pkt{{1, 5, false, []byte{0x62, 0x01, 0xa1, 0x01}}, {2, 5, false, []byte{0x62, 0x01, 0x61, 0x02}}, {3, 5, true, hIDR}},
			want:    []wantAU{{5, true, false, cat(sc, []byte{0x42, 0x01, 0x01, 0x02}, sc, hIDR)}}},
		{name: "h265 fu middle lost", mime: H265,
			packets: []pkt{{7, 5, false, []byte{0x62, 0x01, 0x93, 0xaf}}, {9, 5, true, []byte{0x62, 0x01, 0x53, 3}}},
			want:    []wantAU{{5, true, true, nil}}},
		{name: "h265 sprop before a bare idr", mime: H265, sprop: [][]byte{hVPS, hSPS, hPPS},
			packets: []pkt{{1, 100, true, hIDR}, {2, 200, true, hTrl}},
			want:    []wantAU{{100, true, false, cat(sc, hVPS, sc, hSPS, sc, hPPS, sc, hIDR)}, {200, false, false, cat(sc, hTrl)}}},
		{name: "h265 marker lost, next picture starts", mime: H265,
			packets: []pkt{{1, 100, false, hIDR}, {3, 200, true, hTrl}},
			want:    []wantAU{{100, true, true, nil}, {200, false, false, cat(sc, hTrl)}}},
		{name: "h265 paci refused", mime: H265,
			packets: []pkt{{1, 100, true, []byte{0x64, 0x01, 0x00, 0x00}}},
			want:    []wantAU{{100, false, true, nil}}},
		{name: "vp8 key frame", mime: VP8,
			packets: []pkt{{1, 100, true, cat([]byte{0x10}, vp8Key)}},
			want:    []wantAU{{100, true, false, vp8Key}}},
		{name: "vp8 two packets with picture id", mime: VP8,
			packets: []pkt{{1, 100, false, cat([]byte{0x90, 0x80, 0x81, 0x02}, vp8Key[:6])}, {2, 100, true, cat([]byte{0x80, 0x80, 0x81, 0x02}, vp8Key[6:])}},
			want:    []wantAU{{100, true, false, vp8Key}}},
		{name: "vp8 first packet lost", mime: VP8,
			packets: []pkt{{1, 100, true, cat([]byte{0x10}, vp8Key)}, {3, 200, true, []byte{0x00, 1, 2, 3}}},
			want:    []wantAU{{100, true, false, nil}, {200, false, true, nil}}},
		{name: "vp8 descriptor truncated", mime: VP8,
			packets: []pkt{{1, 100, true, []byte{0x90}}},
			want:    []wantAU{{100, false, true, nil}}},
		{name: "aac two frames", mime: AAC, fmtp: aacFmtp,
			packets: []pkt{{1, 1000, true, cat(aacHeader(2, 3), []byte{1, 2, 3, 4, 5})}},
			want:    []wantAU{{1000, true, false, []byte{1, 2}}, {2024, true, false, []byte{3, 4, 5}}}},
		{name: "aac fragmented", mime: AAC, fmtp: aacFmtp,
			packets: []pkt{{1, 1000, false, cat(aacHeader(4), []byte{1, 2})}, {2, 1000, true, cat(aacHeader(4), []byte{3, 4})}},
			want:    []wantAU{{1000, true, false, []byte{1, 2, 3, 4}}}},
		{name: "aac fragment lost", mime: AAC, fmtp: aacFmtp,
			packets: []pkt{{1, 1000, false, cat(aacHeader(6), []byte{1, 2})}, {3, 1000, true, cat(aacHeader(6), []byte{5, 6})}},
			want:    []wantAU{{1000, false, true, nil}, {1000, false, true, nil}}},
		{name: "aac header section too long", mime: AAC, fmtp: aacFmtp,
			packets: []pkt{{1, 1000, true, []byte{0xff, 0xff, 1}}},
			want:    []wantAU{{1000, false, true, nil}}},
	}
}

// h265AP is an H.265 aggregation packet of the units (RFC 7798 §4.4.2).
func h265AP(nalus ...[]byte) []byte {
	out := []byte{0x60, 0x01}
	for _, n := range nalus {
		out = append(append(out, 0, byte(len(n))), n...)
	}
	return out
}

func TestDepacketizers(t *testing.T) {
	for _, tc := range depackCases() {
		t.Run(tc.name, func(t *testing.T) {
			d, err := NewDepacketizer(tc.mime, tc.sprop, tc.fmtp)
			if err != nil {
				t.Fatal(err)
			}
			var got []AccessUnit
			for _, p := range tc.packets {
				h := rtp.Header{SequenceNumber: p.seq, Timestamp: p.ts, Marker: p.marker}
				d.Push(&h, p.payload, func(au *AccessUnit) {
					c := *au
					c.Data = append([]byte(nil), au.Data...)
					got = append(got, c)
				})
			}
			if len(got) != len(tc.want) {
				t.Fatalf("got %d access units %+v, want %d", len(got), got, len(tc.want))
			}
			for i, w := range tc.want {
				g := got[i]
				if g.PTS != w.pts || g.Keyframe != w.keyframe || g.Damaged != w.damaged {
					t.Errorf("AU %d: pts %d key %v damaged %v (%v), want %d %v %v", i, g.PTS, g.Keyframe, g.Damaged, g.Err, w.pts, w.keyframe, w.damaged)
				}
				if w.data != nil && !bytes.Equal(g.Data, w.data) {
					t.Errorf("AU %d: data %x, want %x", i, g.Data, w.data)
				}
			}
		})
	}
}

func TestVP8KeyframeSize(t *testing.T) {
	d, _ := NewDepacketizer(VP8, nil, "")
	var w, h int
	d.Push(&rtp.Header{SequenceNumber: 1, Marker: true}, cat([]byte{0x10}, vp8Key), func(au *AccessUnit) { w, h = au.Width, au.Height })
	if w != 320 || h != 240 {
		t.Fatalf("size %dx%d, want 320x240", w, h)
	}
}

func TestParseAACParams(t *testing.T) {
	for _, tc := range []struct {
		fmtp string
		ok   bool
	}{
		{aacFmtp, true},
		{"mode=AAC-lbr;sizelength=6;indexlength=2;indexdeltalength=2", true},
		{"mode=CELP-cbr;sizelength=6", false},
		{"mode=AAC-hbr;sizelength=13;ctsdeltalength=4", false},
		{"mode=AAC-hbr;sizelength=99", false},
		{"mode=AAC-hbr;sizelength=13;config=zz", false},
	} {
		_, err := ParseAACParams(tc.fmtp)
		if (err == nil) != tc.ok {
			t.Errorf("%q: err %v, want ok %v", tc.fmtp, err, tc.ok)
		}
		if err != nil && !errors.Is(err, ErrUnsupported) {
			t.Errorf("%q: %v does not wrap ErrUnsupported", tc.fmtp, err)
		}
	}
}

func TestAACFmtp(t *testing.T) {
	for _, tc := range []struct {
		rate, ch int
		config   string
		ok       bool
	}{{48000, 2, "config=1190", true}, {16000, 1, "config=1408", true}, {44100, 2, "config=1210", true}, {12345, 1, "", false}} {
		f, ok := AACFmtp(tc.rate, tc.ch)
		if ok != tc.ok || !bytes.Contains([]byte(f), []byte(tc.config)) {
			t.Errorf("AACFmtp(%d, %d) = %q, %v; want %s", tc.rate, tc.ch, f, ok, tc.config)
		}
	}
}
