package transcoder

import "testing"

// The depacketizers fuzzed one codec at a time: each target starts from
// its own codec's cases, so the fuzzer spends every input on that codec's
// parser (FuzzDepacketizer spreads them over three). None reaches a
// decoder.

// fuzzCodec is the body of the per-codec targets: the seeds of mime from
// the unit-test table, then pushFuzzed.
func fuzzCodec(f *testing.F, mime string) {
	for _, tc := range depackCases() {
		if tc.mime == mime {
			f.Add(fuzzInput(tc)[1:])
		}
	}
	f.Fuzz(func(t *testing.T, in []byte) { pushFuzzed(t, mime, in) })
}

// FuzzH264Depacketizer fuzzes the H.264 depacketizer on its own.
func FuzzH264Depacketizer(f *testing.F) { fuzzCodec(f, H264) }

// FuzzVP8Depacketizer fuzzes the VP8 depacketizer on its own.
func FuzzVP8Depacketizer(f *testing.F) { fuzzCodec(f, VP8) }

// FuzzAACDepacketizer fuzzes the AAC (RFC 3640 AAC-hbr) depacketizer on
// its own.
func FuzzAACDepacketizer(f *testing.F) { fuzzCodec(f, AAC) }
