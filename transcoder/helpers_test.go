package transcoder_test

import (
	"os"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/pion/rtp"

	"mediagate.dev/mediagate/transcoder"
	"mediagate.dev/mediagate/transcoder/codecs"
	"mediagate.dev/mediagate/transcoder/testpattern"
)

// packet is one RTP packet a pipeline wrote.
type packet struct {
	h        rtp.Header
	payload  []byte
	keyframe bool
}

// collector gathers a pipeline's output.
type collector struct {
	mu      sync.Mutex
	packets []packet
}

func (c *collector) output(h rtp.Header, payload []byte, keyframe bool) {
	c.mu.Lock()
	c.packets = append(c.packets, packet{h, payload, keyframe})
	c.mu.Unlock()
}

// take returns the packets gathered so far and forgets them.
func (c *collector) take() []packet {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := c.packets
	c.packets = nil
	return out
}

func needCodecs(t testing.TB) transcoder.Codecs {
	t.Helper()
	c := codecs.Default()
	if !c.Available {
		t.Skip("built without cgo: no codecs")
	}
	return c
}

// source encodes the test pattern to codec as an RTP source would send it.
type source struct {
	p     *transcoder.Pipeline
	out   *collector
	video *testpattern.Video
	frame int
	fps   int
	start time.Time
}

func newSource(t testing.TB, codec string, w, h, bps int) *source {
	t.Helper()
	s := &source{out: &collector{}, video: testpattern.NewVideo(w, h), fps: 30, start: time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)}
	p, err := transcoder.New(transcoder.Config{
		From: transcoder.RawVideo, To: codec, Codecs: needCodecs(t), PayloadType: 96,
		Output: s.out.output, Bitrate: bps, Stream: "source",
	})
	if err != nil {
		t.Fatalf("source pipeline: %v", err)
	}
	t.Cleanup(func() { _ = p.Close() })
	s.p = p
	return s
}

// next encodes the next picture and returns its packets.
func (s *source) next() []packet {
	d := time.Duration(s.frame) * time.Second / time.Duration(s.fps)
	s.frame++
	s.p.WritePicture(s.video.Frame(d, s.start.Add(d)))
	return s.out.take()
}

// newPipeline opens a pipeline from → to writing into a new collector.
func newPipeline(t testing.TB, from, to string, mod func(*transcoder.Config)) (*transcoder.Pipeline, *collector) {
	t.Helper()
	out := &collector{}
	cfg := transcoder.Config{From: from, To: to, Codecs: needCodecs(t), PayloadType: 97, Output: out.output, Stream: "test"}
	if mod != nil {
		mod(&cfg)
	}
	p, err := transcoder.New(cfg)
	if err != nil {
		t.Fatalf("pipeline %s → %s: %v", from, to, err)
	}
	t.Cleanup(func() { _ = p.Close() })
	return p, out
}

func itoa(n int) string { return strconv.Itoa(n) }

func readFile(t testing.TB, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
