// Command transcode benchmarks mediagate's transcoding pipeline against
// ffmpeg doing the same transcode with the same encoder settings: a 720p30
// H.264 clip to VP8, a VP8 clip to H.264 and an H.265 clip (with
// B-frames) to H.264. It prints, side by side, the
// CPU each spends per stream (CPU seconds per second of video: 0.25 is a
// quarter of a core per 30 fps stream) and the ratio, and mediagate's
// latency: the time from an access unit's last packet to its transcoded
// packets, less the encode time, and how many frames the pipeline holds
// back. See docs/transcoding.md.
//
//	go run ./bench/transcode [-duration 10s] [-runs 3] [-bitrate 1500000]
//
// Both sides run single-threaded and as fast as they can; each figure is
// the best of -runs runs. The clips are made with ffmpeg's testsrc2.
// mediagate's side runs in this process: RTP packets made beforehand go
// through transcoder.Pipeline (depacketize, decode, encode, packetize).
package main

import (
	"flag"
	"fmt"
	"os"
	"time"
)

// options are the command-line flags.
type options struct {
	duration time.Duration
	runs     int
	bitrate  int
	width    int
	height   int
}

func main() {
	var o options
	flag.DurationVar(&o.duration, "duration", 10*time.Second, "length of each clip")
	flag.IntVar(&o.runs, "runs", 3, "runs per measurement; the best counts")
	flag.IntVar(&o.bitrate, "bitrate", 1_500_000, "target bitrate of both encoders, bit/s")
	flag.IntVar(&o.width, "width", 1280, "clip width")
	flag.IntVar(&o.height, "height", 720, "clip height")
	flag.Parse()
	if err := run(o); err != nil {
		fmt.Fprintln(os.Stderr, "transcode:", err)
		os.Exit(1)
	}
}

// run makes the clips, measures both sides and prints the table.
func run(o options) error {
	dir, err := os.MkdirTemp("", "mediagate-bench-transcode-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	var rows []row
	for _, c := range cases(o) {
		clip, err := makeClip(dir, c, o)
		if err != nil {
			return err
		}
		r, err := measure(c, clip, o)
		if err != nil {
			return err
		}
		rows = append(rows, r)
	}
	printTable(os.Stdout, rows, o)
	return nil
}
