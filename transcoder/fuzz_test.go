package transcoder

import (
	"encoding/hex"
	"testing"

	"github.com/pion/rtp"

	"mediagate.dev/mediagate/internal/codec"
)

var fuzzMimes = []string{H264, VP8, AAC, H265}

// fuzzInput encodes a test case for FuzzDepacketizer: the codec's index,
// then per packet a sequence step, a marker flag, a timestamp step, the
// payload's length and the payload.
func fuzzInput(tc depackCase) []byte {
	out := []byte{0}
	for i, m := range fuzzMimes {
		if m == tc.mime {
			out[0] = byte(i)
		}
	}
	var seq uint16
	var ts uint32
	for i, p := range tc.packets {
		step, tsStep := byte(1), byte(0)
		if i > 0 {
			step, tsStep = byte(p.seq-seq), byte(p.ts-ts)
		}
		seq, ts = p.seq, p.ts
		m := byte(0)
		if p.marker {
			m = 1
		}
		out = append(out, step, m, tsStep, byte(len(p.payload)))
		out = append(out, p.payload...)
	}
	return out
}

// FuzzDepacketizer feeds arbitrary packet sequences to the depacketizers
// that feed the decoders: they must never panic, never emit more than
// MaxAccessUnit, never hand a damaged access unit's data on, and keep every
// SPS they report inside the access unit.
func FuzzDepacketizer(f *testing.F) {
	for _, tc := range depackCases() {
		f.Add(fuzzInput(tc))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		if len(in) < 1 {
			return
		}
		pushFuzzed(t, fuzzMimes[int(in[0])%len(fuzzMimes)], in[1:])
	})
}

// pushFuzzed decodes in as FuzzDepacketizer's packets (after the codec
// byte) and pushes them through a depacketizer of mime, checking every
// access unit it emits: never more than MaxAccessUnit, never a damaged
// one's data, never a damaged one without a reason, any SPS it reports
// inside the parser's limits.
func pushFuzzed(t *testing.T, mime string, in []byte) {
	fmtp := ""
	if mime == AAC {
		fmtp = "mode=AAC-hbr;sizelength=13;indexlength=3;indexdeltalength=3"
	}
	sprop := [][]byte{sps, pps}
	if mime == H265 {
		sprop = [][]byte{hVPS, hSPS, hPPS}
	}
	d, err := NewDepacketizer(mime, sprop, fmtp)
	if err != nil {
		t.Fatal(err)
	}
	h := rtp.Header{SequenceNumber: 1000, Timestamp: 90000}
	check := func(au *AccessUnit) {
		switch {
		case len(au.Data) > MaxAccessUnit:
			t.Fatalf("access unit of %d bytes", len(au.Data))
		case au.Damaged && au.Data != nil:
			t.Fatal("damaged access unit with data")
		case au.Damaged && au.Err == nil:
			t.Fatal("damaged access unit without a reason")
		}
		if len(au.SPS) > 0 {
			_, _, _ = spsSizer(mime)(au.SPS)
		}
	}
	for rest := in; len(rest) >= 4; {
		n := int(rest[3])
		if n > len(rest)-4 {
			n = len(rest) - 4
		}
		h.SequenceNumber += uint16(rest[0])
		h.Marker = rest[1]&1 != 0
		h.Timestamp += uint32(rest[2])
		d.Push(&h, rest[4:4+n], check)
		rest = rest[4+n:]
	}
}

// FuzzSPSSize checks that the SPS parser never panics and never reports a
// size beyond the limits.
func FuzzSPSSize(f *testing.F) {
	f.Add(sps)
	f.Add([]byte{0x67, 0x64, 0x00, 0x1f, 0xac, 0xd9, 0x40, 0x50, 0x05, 0xbb, 0x01, 0x10})
	for _, c := range spsSizeCases {
		if b, err := hex.DecodeString(c.sps); err == nil {
			f.Add(b)
		}
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		w, h, err := h264SPSSize(b)
		if err == nil && (w <= 0 || h <= 0 || w > MaxDimension || h > 2*MaxDimension) {
			t.Fatalf("size %dx%d", w, h)
		}
		codec.SliceType(b)
	})
}
