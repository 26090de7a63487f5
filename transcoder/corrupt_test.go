package transcoder_test

import (
	"bufio"
	"bytes"
	"math/rand/v2"
	"os"
	"runtime"
	"strconv"
	"testing"
	"time"

	"github.com/pion/rtp"

	"mediagate.dev/mediagate/transcoder"
	"mediagate.dev/mediagate/transcoder/avdec"
)

// lossModel drops packets in bursts: for burst of every period, a share
// loss of the packets is lost at random (5% overall with the defaults).
type lossModel struct {
	rng           *rand.Rand
	period, burst time.Duration
	loss          float64
}

func (m lossModel) inBurst(t time.Duration) bool { return t%m.period < m.burst }

func (m lossModel) lost(t time.Duration) bool { return m.inBurst(t) && m.rng.Float64() < m.loss }

// garbage returns a packet of random bytes with the given header, as a
// corrupted datagram that still parsed as RTP would arrive.
func garbage(rng *rand.Rand, h rtp.Header) packet {
	b := make([]byte, 1+rng.IntN(1400))
	for i := range b {
		b[i] = byte(rng.Uint32())
	}
	h.Marker = rng.IntN(2) == 0
	return packet{h: h, payload: b}
}

// vmRSS reads the process's resident memory in bytes.
func vmRSS(t *testing.T) int64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		t.Skip("no /proc")
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		if rest, ok := bytes.CutPrefix(s.Bytes(), []byte("VmRSS:")); ok {
			kb, _ := strconv.ParseInt(string(bytes.TrimSpace(bytes.TrimSuffix(rest, []byte("kB")))), 10, 64)
			return kb << 10
		}
	}
	return 0
}

// TestCorruptedInput runs 60 s of H.264 (10 s with -short) through an
// H.264 → VP8 pipeline with bursts of packet loss (5% overall) in which a
// few packets are replaced by garbage. Nothing may crash or leak; every packet the pipeline
// writes must decode; and after each loss burst the output must resume
// within a second and run at full rate by the end of the quiet period.
func TestCorruptedInput(t *testing.T) {
	length := 60 * time.Second
	if testing.Short() {
		length = 10 * time.Second
	}
	const fps = 30
	rng := rand.New(rand.NewPCG(4, 2))
	loss := lossModel{rng: rng, period: 3 * time.Second, burst: time.Second, loss: 0.15}
	src := newSource(t, transcoder.H264, 640, 360, 1_000_000)
	p, out := newPipeline(t, transcoder.H264, transcoder.VP8, func(c *transcoder.Config) {
		c.RequestKeyframe = src.p.RequestKeyframe
	})
	dec, err := avdec.NewVideoDecoder(transcoder.VideoDecoderConfig{Codec: transcoder.VP8})
	if err != nil {
		t.Fatal(err)
	}
	defer dec.Close()
	check := newOutputCheck(t, dec)
	goroutines := runtime.NumGoroutine()
	var rss0 int64
	var sent, lost, junk int
	for i := range int(length) * fps / int(time.Second) {
		at := time.Duration(i) * time.Second / fps
		if at == length/2 { // past warm-up (and the race detector's own growth)
			runtime.GC()
			rss0 = vmRSS(t)
		}
		for _, pk := range src.next() {
			sent++
			if loss.inBurst(at) && rng.IntN(100) == 0 { // a garbage packet takes this one's place
				pk, junk = garbage(rng, pk.h), junk+1
			}
			if loss.lost(at) {
				lost++
				continue
			}
			p.Write(&pk.h, pk.payload)
		}
		check.frame(i, out.take())
	}
	t.Logf("%d packets, %d lost (%.1f%%), %d garbage; %+v", sent, lost, 100*float64(lost)/float64(sent), junk, p.Stats())
	check.recovered(loss, length, fps)
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	if n := runtime.NumGoroutine(); n > goroutines {
		t.Errorf("%d goroutines after the run, %d before", n, goroutines)
	}
	if rss0 > 0 {
		runtime.GC()
		if grew := vmRSS(t) - rss0; grew > 32<<20 {
			t.Errorf("resident memory grew by %d MiB over the second half of the run", grew>>20)
		}
	}
}

// outputCheck decodes a pipeline's output as it comes and records which
// input pictures produced output.
type outputCheck struct {
	t      *testing.T
	dp     transcoder.Depacketizer
	dec    transcoder.VideoDecoder
	frames map[int]bool // input picture index → output written
}

func newOutputCheck(t *testing.T, dec transcoder.VideoDecoder) *outputCheck {
	dp, err := transcoder.NewDepacketizer(transcoder.VP8, nil, "")
	if err != nil {
		t.Fatal(err)
	}
	return &outputCheck{t: t, dp: dp, dec: dec, frames: map[int]bool{}}
}

func (c *outputCheck) frame(i int, pkts []packet) {
	for _, pk := range pkts {
		c.dp.Push(&pk.h, pk.payload, func(au *transcoder.AccessUnit) {
			if au.Damaged {
				c.t.Fatalf("picture %d: the pipeline wrote a damaged frame: %v", i, au.Err)
			}
			if _, err := c.dec.Decode(au.Data, au.PTS); err != nil {
				c.t.Fatalf("picture %d: the pipeline wrote a frame that does not decode: %v", i, err)
			}
			c.frames[i] = true
		})
	}
}

// recovered checks each quiet period after a burst: output within a second
// of the burst's end, and every picture of the period's last second.
func (c *outputCheck) recovered(loss lossModel, length time.Duration, fps int) {
	index := func(d time.Duration) int { return int(d * time.Duration(fps) / time.Second) }
	for end := loss.burst; end+loss.period-loss.burst <= length; end += loss.period {
		resumed := false
		for i := index(end); i < index(end+time.Second) && !resumed; i++ {
			resumed = c.frames[i]
		}
		if !resumed {
			c.t.Errorf("no output within a second of the burst that ended at %v", end)
		}
		quietEnd := end + loss.period - loss.burst
		for i := index(quietEnd - time.Second); i < index(quietEnd); i++ {
			if !c.frames[i] {
				c.t.Errorf("picture %d (quiet since %v) has no output", i, end)
				break
			}
		}
	}
}
