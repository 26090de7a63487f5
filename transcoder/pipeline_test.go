package transcoder_test

import (
	"errors"
	"testing"
	"time"

	"github.com/pion/rtp"

	"mediagate.dev/mediagate/transcoder"
	"mediagate.dev/mediagate/transcoder/avdec"
)

// decodeAll reassembles and decodes RTP packets of codec and returns the
// sizes of the pictures that came out.
func decodeAll(t *testing.T, codec string, pkts []packet) (pictures int, w, h int) {
	t.Helper()
	dp, err := transcoder.NewDepacketizer(codec, nil, "")
	if err != nil {
		t.Fatal(err)
	}
	dec, err := avdec.NewVideoDecoder(transcoder.VideoDecoderConfig{Codec: codec})
	if err != nil {
		t.Fatal(err)
	}
	defer dec.Close()
	for _, p := range pkts {
		dp.Push(&p.h, p.payload, func(au *transcoder.AccessUnit) {
			if au.Damaged {
				t.Errorf("damaged access unit: %v", au.Err)
				return
			}
			pic, err := dec.Decode(au.Data, au.PTS)
			if err != nil {
				t.Errorf("decode: %v", err)
				return
			}
			if pic != nil {
				pictures++
				w, h = pic.Width, pic.Height
			}
		})
	}
	return pictures, w, h
}

// TestTranscodeVideo runs the test pattern through H.264 → VP8 and VP8 →
// H.264 and decodes what comes out.
func TestTranscodeVideo(t *testing.T) {
	for _, tc := range []struct{ from, to string }{
		{transcoder.H264, transcoder.VP8},
		{transcoder.VP8, transcoder.H264},
		{transcoder.H264, transcoder.H264},
	} {
		t.Run(tc.from+"→"+tc.to, func(t *testing.T) {
			src := newSource(t, tc.from, 320, 240, 600_000)
			p, out := newPipeline(t, tc.from, tc.to, nil)
			var all []packet
			for range 60 {
				for _, pk := range src.next() {
					p.Write(&pk.h, pk.payload)
				}
				all = append(all, out.take()...)
			}
			st := p.Stats()
			if st.FramesIn != 60 || st.FramesOut != 60 || st.Dropped != 0 {
				t.Fatalf("stats %+v, want 60 in, 60 out, none dropped", st)
			}
			if !all[0].keyframe {
				t.Error("first packet is not a keyframe")
			}
			n, w, h := decodeAll(t, tc.to, all)
			if n != 60 || w != 320 || h != 240 {
				t.Errorf("decoded %d pictures of %dx%d, want 60 of 320x240", n, w, h)
			}
		})
	}
}

// TestForcedKeyframes checks that a viewer's request makes the next
// picture a key frame, and that requests within KeyframeGap are coalesced.
func TestForcedKeyframes(t *testing.T) {
	src := newSource(t, transcoder.H264, 320, 240, 500_000)
	p, out := newPipeline(t, transcoder.H264, transcoder.VP8, func(c *transcoder.Config) { c.KeyframeGap = time.Hour })
	keyframes := func() (n int) {
		for _, pk := range out.take() {
			if pk.keyframe {
				n++
			}
		}
		return n
	}
	step := func() int {
		for _, pk := range src.next() {
			p.Write(&pk.h, pk.payload)
		}
		return keyframes()
	}
	if step() != 1 {
		t.Fatal("the first picture is not a key frame")
	}
	for range 5 {
		if step() != 0 {
			t.Fatal("unexpected key frame")
		}
	}
	p.RequestKeyframe()
	if step() != 1 {
		t.Fatal("no key frame after RequestKeyframe")
	}
	p.RequestKeyframe() // within the gap: held back
	if step() != 0 {
		t.Fatal("a second key frame within KeyframeGap")
	}
	if got := p.Stats().Keyframes; got != 1 {
		t.Errorf("Stats.Keyframes = %d, want 1", got)
	}
}

// failingDecoder fails the test if a decoder is asked to decode.
type failingDecoder struct{ t *testing.T }

func (d failingDecoder) Decode([]byte, uint32) (*transcoder.Picture, error) {
	d.t.Error("the decoder saw an access unit over the size limit")
	return nil, nil
}
func (failingDecoder) Close() error { return nil }

// TestSizeCappedBeforeDecoder sends a picture larger than MaxPixels: it is
// dropped before the decoder sees it, and the source is asked for a
// keyframe.
func TestSizeCappedBeforeDecoder(t *testing.T) {
	src := newSource(t, transcoder.H264, 320, 240, 300_000)
	asked := 0
	p, _ := newPipeline(t, transcoder.H264, transcoder.VP8, func(c *transcoder.Config) {
		c.MaxPixels = 160 * 120
		c.Codecs.NewVideoDecoder = func(transcoder.VideoDecoderConfig) (transcoder.VideoDecoder, error) {
			return failingDecoder{t}, nil
		}
		c.RequestKeyframe = func() { asked++ }
	})
	for _, pk := range src.next() {
		p.Write(&pk.h, pk.payload)
	}
	if st := p.Stats(); st.Dropped != 1 || st.FramesOut != 0 {
		t.Errorf("stats %+v, want the one frame dropped", st)
	}
	if asked != 1 {
		t.Errorf("keyframe requests %d, want 1", asked)
	}
}

func TestUnavailable(t *testing.T) {
	_, err := transcoder.New(transcoder.Config{From: transcoder.H264, To: transcoder.VP8, Output: func(rtp.Header, []byte, bool) {}})
	if !errors.Is(err, transcoder.ErrUnavailable) {
		t.Fatalf("New without codecs: %v, want ErrUnavailable", err)
	}
	_, err = transcoder.New(transcoder.Config{From: transcoder.VP8, To: "video/AV1", Codecs: needCodecs(t), Output: func(rtp.Header, []byte, bool) {}})
	if !errors.Is(err, transcoder.ErrUnsupported) {
		t.Fatalf("New VP8 → AV1: %v, want ErrUnsupported", err)
	}
}

func TestCloseIdempotent(t *testing.T) {
	p, _ := newPipeline(t, transcoder.VP8, transcoder.H264, nil)
	for range 2 {
		if err := p.Close(); err != nil {
			t.Fatal(err)
		}
	}
	p.Write(&rtp.Header{}, []byte{0x10, 1, 2}) // after Close: ignored
	p.RequestKeyframe()
	p.SetBitrate(1)
}
