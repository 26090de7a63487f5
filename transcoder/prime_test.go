package transcoder_test

import (
	"testing"

	"mediagate.dev/mediagate/transcoder"
)

// TestPrime: a bridge pipeline in the source's own codec decodes a group of
// pictures without encoding it, then encodes its latest picture as a key
// frame with that picture's timestamp at once, and the live pictures after
// it; priming again stops the encoding while the decoder keeps up.
func TestPrime(t *testing.T) {
	for _, codec := range []string{transcoder.H264, transcoder.VP8} {
		t.Run(codec, func(t *testing.T) {
			src := newSource(t, codec, 320, 240, 600_000)
			p, out := newPipeline(t, codec, codec, nil)
			p.Prime(true)
			var lastTS uint32
			for range 20 { // a GOP: the source's first picture is its keyframe
				pkts := src.next()
				for _, pk := range pkts {
					p.Write(&pk.h, pk.payload)
				}
				lastTS = pkts[0].h.Timestamp
			}
			if got := out.take(); len(got) != 0 {
				t.Fatalf("priming wrote %d packets", len(got))
			}
			if !p.Prime(false) {
				t.Fatal("ending the priming encoded nothing")
			}
			first := out.take()
			if len(first) == 0 || !first[0].keyframe || first[0].h.Timestamp != lastTS {
				t.Fatalf("first output: %d packets, keyframe %v, ts %d; want a keyframe of ts %d",
					len(first), len(first) > 0 && first[0].keyframe, first[0].h.Timestamp, lastTS)
			}
			live := first
			for range 10 {
				for _, pk := range src.next() {
					p.Write(&pk.h, pk.payload)
				}
				live = append(live, out.take()...)
			}
			if n, w, h := decodeAll(t, codec, live); n != 11 || w != 320 || h != 240 {
				t.Errorf("decoded %d pictures of %dx%d after the priming, want 11 of 320x240", n, w, h)
			}
			p.Prime(true)
			for _, pk := range src.next() {
				p.Write(&pk.h, pk.payload)
			}
			if got := out.take(); len(got) != 0 {
				t.Fatalf("primed again, the pipeline wrote %d packets", len(got))
			}
		})
	}
}
