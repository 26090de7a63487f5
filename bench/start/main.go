// Command start benchmarks instant start ([stream.start]; gateway/rendition/bridge.go), in one
// run and on one machine:
//
//   - the CPU a bridged join costs: a rendition.Manager bridge over a
//     stream.Track, in this process, decoding a 5 s GOP of a camera clip
//     (primed with the frames before the join, then the live ones) and
//     encoding, in the source's codec, a key frame of the picture at the
//     join and every picture after it up to the next keyframe; against
//     ffmpeg decoding the same frames and encoding the same ones, one
//     thread each (clip.go, join.go, ffmpeg.go);
//   - the first-frame times a viewer sees: an in-process gateway with two
//     streams of one 5 s-GOP camera that ignores keyframe requests, one
//     with [stream.start] mode "bridge" and one "wait", each opened in
//     headless chromium at the same points of the GOP; the time from the
//     page's start to its first decoded frame, and the median
//     (firstframe.go, browser.go).
//
// It prints both tables and writes build/bench/start-cpu.csv,
// start-firstframe.csv and start.png. See docs/benchmarks.md.
//
//	go run ./bench/start [-quick] [-only cpu|firstframe] [-runs 3] [-loads 5]
//
// It needs ffmpeg, gst-launch-1.0 (x264) and chromium, and a binary built
// with cgo (the codecs).
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"
)

// options are the command-line flags, after -quick.
type options struct {
	quick         bool
	only          string
	out           string
	runs          int
	width, height int
	gop           time.Duration
	joins         []time.Duration // join points in the GOP for the CPU table
	loads         int
	cpuCodecs     []string
	browserCodecs []string
	verbose       bool
}

func main() {
	o, err := parseFlags(os.Args[1:])
	if err != nil {
		fmt.Fprintln(os.Stderr, "start:", err)
		os.Exit(2)
	}
	level := slog.LevelInfo
	if o.verbose {
		level = slog.LevelDebug
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, o, log); err != nil {
		log.Error("benchmark failed", "err", err)
		stop()
		os.Exit(1)
	}
}

// parseFlags parses the command line; -quick changes the defaults of the
// flags not given.
func parseFlags(args []string) (options, error) {
	fs := flag.NewFlagSet("start", flag.ContinueOnError)
	var o options
	var joins, cpuCodecs, browserCodecs string
	fs.BoolVar(&o.quick, "quick", false, "the make test run: 640x360, one run, one join point, 3 loads, H.264 only in the browser")
	fs.StringVar(&o.only, "only", "", `run one part: "cpu" or "firstframe"`)
	fs.StringVar(&o.out, "out", "build/bench", "directory for the CSV files and the plot")
	fs.IntVar(&o.runs, "runs", 3, "CPU runs per measurement; the best counts")
	fs.IntVar(&o.width, "width", 1280, "picture width of the clip and the camera")
	fs.IntVar(&o.height, "height", 720, "picture height")
	fs.DurationVar(&o.gop, "gop", 5*time.Second, "the camera's keyframe interval")
	fs.StringVar(&joins, "joins", "0.5s,2.5s,4.5s", "CPU table: where in the GOP the viewer joins, comma separated")
	fs.IntVar(&o.loads, "loads", 5, "page loads per stream")
	fs.StringVar(&cpuCodecs, "cpu-codecs", "h264,vp8", "codecs of the CPU table")
	fs.StringVar(&browserCodecs, "browser-codecs", "h264,vp8", "codecs of the first-frame table")
	fs.BoolVar(&o.verbose, "v", false, "debug logging (the gateway's too)")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if fs.NArg() > 0 {
		return o, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	if o.quick {
		set := map[string]bool{}
		fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
		quick := map[string]func(){
			"runs": func() { o.runs = 1 }, "width": func() { o.width = 640 }, "height": func() { o.height = 360 },
			"joins": func() { joins = "2.5s" }, "loads": func() { o.loads = 3 },
			"browser-codecs": func() { browserCodecs = "h264" },
		}
		for name, apply := range quick {
			if !set[name] {
				apply()
			}
		}
	}
	return o, o.parseLists(joins, cpuCodecs, browserCodecs)
}

// parseLists fills the list options and checks them all.
func (o *options) parseLists(joins, cpuCodecs, browserCodecs string) error {
	var err error
	if o.joins, err = parseJoins(joins, o.gop); err != nil {
		return err
	}
	if o.cpuCodecs, err = parseCodecs("-cpu-codecs", cpuCodecs); err != nil {
		return err
	}
	if o.browserCodecs, err = parseCodecs("-browser-codecs", browserCodecs); err != nil {
		return err
	}
	switch {
	case o.only != "" && o.only != partCPU && o.only != partFirstFrame:
		return fmt.Errorf("-only: %q is neither %q nor %q", o.only, partCPU, partFirstFrame)
	case o.runs < 1 || o.loads < 1 || o.loads > 50:
		return fmt.Errorf("-runs must be at least 1 and -loads from 1 to 50")
	case o.gop < time.Second || o.gop > 10*time.Second:
		return fmt.Errorf("-gop %v: want 1s to 10s", o.gop)
	case o.width < 64 || o.height < 64 || o.width%2 != 0 || o.height%2 != 0:
		return fmt.Errorf("-width and -height must be even and at least 64")
	}
	return nil
}

// parseJoins parses "0.5s,2.5s": points strictly inside the GOP, at least
// one frame from either end.
func parseJoins(s string, gop time.Duration) ([]time.Duration, error) {
	var out []time.Duration
	for _, f := range strings.Split(s, ",") {
		d, err := time.ParseDuration(strings.TrimSpace(f))
		if err != nil || d < frameTime || d > gop-frameTime {
			return nil, fmt.Errorf("-joins: %q is not a time from %v to %v", f, frameTime, gop-frameTime)
		}
		out = append(out, d)
	}
	return out, nil
}

// parseCodecs parses "h264,vp8".
func parseCodecs(flagName, s string) ([]string, error) {
	var out []string
	for _, f := range strings.Split(s, ",") {
		if f = strings.ToLower(strings.TrimSpace(f)); f != codecH264 && f != codecVP8 {
			return nil, fmt.Errorf("%s: unknown codec %q (want %s, %s)", flagName, f, codecH264, codecVP8)
		}
		out = append(out, f)
	}
	return out, nil
}

// The parts of the benchmark (-only) and the codecs by flag name.
const (
	partCPU        = "cpu"
	partFirstFrame = "firstframe"
	codecH264      = "h264"
	codecVP8       = "vp8"
)

// run measures the parts asked for, prints the tables and writes the files.
func run(ctx context.Context, o options, log *slog.Logger) error {
	dir, err := os.MkdirTemp("", "mediagate-bench-start-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	var rep report
	rep.o = o
	if o.only != partFirstFrame {
		if rep.joins, err = measureJoins(ctx, dir, o, log); err != nil {
			return err
		}
		printJoins(os.Stdout, rep.joins, o)
	}
	if o.only != partCPU {
		if rep.starts, err = measureFirstFrames(ctx, dir, o, log); err != nil {
			return err
		}
		printStarts(os.Stdout, rep.starts, o)
	}
	return rep.write(o.out)
}
