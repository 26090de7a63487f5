package transcoder_test

import (
	"fmt"
	"testing"
	"time"

	"mediagate.dev/mediagate/transcoder"
	"mediagate.dev/mediagate/transcoder/testpattern"
)

// sizeMeter wraps an encoder and records the size of every frame it
// produces, by picture timestamp: the encoder's own output, before RTP.
type sizeMeter struct {
	transcoder.VideoEncoder
	frames []encodedSize
}

type encodedSize struct {
	pts   uint32
	bytes int
}

func (m *sizeMeter) Encode(p *transcoder.Picture, key bool) (transcoder.EncodedFrame, error) {
	f, err := m.VideoEncoder.Encode(p, key)
	if err == nil {
		m.frames = append(m.frames, encodedSize{p.PTS, len(f.Data)})
	}
	return f, err
}

// bitsPerSecond is the encoder's output over [from, to) of media time.
func (m *sizeMeter) bitsPerSecond(from, to time.Duration) float64 {
	lo, hi := uint32(from.Seconds()*90000), uint32(to.Seconds()*90000)
	total := 0
	for _, f := range m.frames {
		if f.pts >= lo && f.pts < hi {
			total += f.bytes
		}
	}
	return float64(total*8) / (to - from).Seconds()
}

// TestBitrateChange sets a running encoder from 2 Mbit/s to 500 kbit/s and
// checks that the second after the change ends within ±20% of the target:
// the output follows within 2 s. The test pattern's noise band makes the
// encoder spend what it is given; time is the pictures' timestamps at 30
// frames per second, which rate control follows, so the test runs as fast
// as the encoder does.
func TestBitrateChange(t *testing.T) {
	const (
		high, low = 2_000_000, 500_000
		switchAt  = 4 * time.Second
		fps       = 30
	)
	for _, codec := range []string{transcoder.VP8, transcoder.H264} {
		t.Run(codec, func(t *testing.T) {
			meter := &sizeMeter{}
			cs := needCodecs(t)
			open := cs.NewVideoEncoder
			cs.NewVideoEncoder = func(c transcoder.VideoEncoderConfig) (transcoder.VideoEncoder, error) {
				e, err := open(c)
				meter.VideoEncoder = e
				return meter, err
			}
			p, _ := newPipeline(t, transcoder.RawVideo, codec, func(c *transcoder.Config) {
				c.Codecs, c.Bitrate = cs, high
			})
			video := testpattern.NewVideo(1280, 720)
			start := time.Now()
			for i := range int(switchAt+2*time.Second) * fps / int(time.Second) {
				d := time.Duration(i) * time.Second / fps
				if d == switchAt {
					p.SetBitrate(low)
				}
				p.WritePicture(video.Frame(d, start.Add(d)))
			}
			before := meter.bitsPerSecond(switchAt-time.Second, switchAt)
			after := meter.bitsPerSecond(switchAt+time.Second, switchAt+2*time.Second)
			t.Logf("%s: %.0f kbit/s before the change (target %d), %.0f kbit/s in the second second after (target %d)",
				codec, before/1000, high/1000, after/1000, low/1000)
			for _, c := range []struct {
				name        string
				got, target float64
			}{{"before", before, high}, {"after", after, low}} {
				if c.got < 0.8*c.target || c.got > 1.2*c.target {
					t.Errorf("%s: %s", c.name, fmt.Sprintf("%.0f bit/s is not within 20%% of %.0f", c.got, c.target))
				}
			}
		})
	}
}
