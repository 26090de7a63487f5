package transcoder_test

import (
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/pion/rtp"

	"mediagate.dev/mediagate/transcoder"
)

// adtsFrames makes a clip of AAC-LC with ffmpeg and returns its raw frames
// (ADTS headers removed, ISO/IEC 14496-3 §1.A.2.2).
func adtsFrames(t *testing.T, rate, channels int) [][]byte {
	t.Helper()
	ffmpeg, err := exec.LookPath("ffmpeg")
	if err != nil {
		t.Skip("ffmpeg is needed to make AAC")
	}
	path := filepath.Join(t.TempDir(), "tone.aac")
	out, err := exec.Command(ffmpeg, "-hide_banner", "-loglevel", "error", "-f", "lavfi",
		"-i", "sine=frequency=440:sample_rate="+itoa(rate), "-t", "2", "-ac", itoa(channels),
		"-c:a", "aac", "-b:a", "64k", "-f", "adts", path).CombinedOutput()
	if err != nil {
		t.Fatalf("ffmpeg: %v\n%s", err, out)
	}
	data := readFile(t, path)
	var frames [][]byte
	for len(data) >= 7 && data[0] == 0xff && data[1]&0xf0 == 0xf0 {
		n := int(data[3]&3)<<11 | int(data[4])<<3 | int(data[5])>>5
		head := 7
		if data[1]&1 == 0 {
			head = 9 // with CRC
		}
		if n < head || n > len(data) {
			break
		}
		frames = append(frames, data[head:n])
		data = data[n:]
	}
	return frames
}

// TestAACToOpus sends AAC in RFC 3640 packets through the pipeline and
// checks the Opus packets: one per 20 ms, timestamps in the 48 kHz clock
// continuing the source's.
func TestAACToOpus(t *testing.T) {
	for _, tc := range []struct{ rate, channels int }{{16000, 1}, {48000, 2}, {44100, 2}} {
		t.Run(itoa(tc.rate)+"x"+itoa(tc.channels), func(t *testing.T) {
			frames := adtsFrames(t, tc.rate, tc.channels)
			fmtp, _ := transcoder.AACFmtp(tc.rate, tc.channels)
			p, out := newPipeline(t, transcoder.AAC, transcoder.Opus, func(c *transcoder.Config) {
				c.Fmtp, c.ClockRate, c.Channels = fmtp, tc.rate, tc.channels
			})
			const ts0 = 3000
			for i, f := range frames {
				h := rtp.Header{SequenceNumber: uint16(i), Timestamp: ts0 + uint32(i)*transcoder.AACFrameSamples, Marker: true}
				p.Write(&h, append([]byte{0, 16, byte(len(f) >> 5), byte(len(f) << 3)}, f...))
			}
			pkts := out.take()
			want := len(frames) * transcoder.AACFrameSamples * 48000 / tc.rate / 960
			if len(pkts) < want-2 || len(pkts) > want {
				t.Fatalf("%d Opus packets from %d AAC frames, want about %d", len(pkts), len(frames), want)
			}
			if got := pkts[0].h.Timestamp; got != ts0 {
				t.Errorf("first timestamp %d, want %d", got, ts0)
			}
			for i := 1; i < len(pkts); i++ {
				if d := pkts[i].h.Timestamp - pkts[i-1].h.Timestamp; d != 960 {
					t.Fatalf("packet %d: timestamp step %d, want 960", i, d)
				}
			}
			if st := p.Stats(); st.Dropped != 0 {
				t.Errorf("%d frames dropped", st.Dropped)
			}
			if got := p.MapTimestamp(ts0 + uint32(tc.rate)); got != ts0+48000 {
				t.Errorf("MapTimestamp one second on = %d, want %d", got, ts0+48000)
			}
		})
	}
}
