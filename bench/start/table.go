package main

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"
	"time"
)

// codecLabel is a codec's name in the tables.
func codecLabel(c string) string {
	if c == codecH264 {
		return "H.264"
	}
	return "VP8"
}

// ms is d in milliseconds with one decimal.
func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// perFrame is d per picture in µs.
func perFrame(d time.Duration, frames int) float64 {
	if frames <= 0 {
		return 0
	}
	return float64(d.Nanoseconds()) / 1000 / float64(frames)
}

// ratio is mediagate's CPU over ffmpeg's, 0 when ffmpeg measured nothing.
func (r joinRow) ratio() float64 {
	if r.ffmpeg <= 0 {
		return 0
	}
	return float64(r.mediagate) / float64(r.ffmpeg)
}

// printJoins writes the CPU table.
func printJoins(w io.Writer, rows []joinRow, o options) {
	fmt.Fprintf(w, "\nBridged join: CPU of the bridge (decoder + encoder, one GOP) against ffmpeg decoding and encoding the same pictures\n"+
		"%dx%d at %d fps, a %v GOP (%d pictures), encoders at %d kbit/s, best of %d runs, one thread each\n\n",
		o.width, o.height, fps, o.gop, int(o.gop/frameTime), bridgeBitrate()/1000, o.runs)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "codec\tjoin at\tdecoded\tencoded\tmediagate ms\tµs/picture\tffmpeg ms\tµs/picture\tratio\tffmpeg x264 ultrafast ms\tkB out, mediagate\tffmpeg\t")
	for _, r := range rows {
		uf := "-"
		if r.ultrafast > 0 {
			uf = fmt.Sprintf("%.1f", ms(r.ultrafast))
		}
		fmt.Fprintf(tw, "%s\t%v\t%d\t%d\t%.1f\t%.0f\t%.1f\t%.0f\t%.2f×\t%s\t%d\t%d\t\n", codecLabel(r.codec), r.at,
			r.decoded, r.encoded, ms(r.mediagate), perFrame(r.mediagate, r.decoded), ms(r.ffmpeg),
			perFrame(r.ffmpeg, r.decoded), r.ratio(), uf, r.mgBytes/1000, r.ffBytes/1000)
	}
	_ = tw.Flush()
	fmt.Fprintf(w, "\n(µs/picture: CPU over the GOP's pictures, each decoded once; those from the picture before the\n"+
		"join on are encoded too, the first as a key frame. mediagate: the process's CPU from Manager.Bridge to the\n"+
		"last picture out, the pipeline's start included. ffmpeg: the child's, less its start-up, a one-picture\n"+
		"run: %s. ffmpeg runs mediagate's encoder settings; the ultrafast column is libx264's fastest preset.)\n",
		startups(rows))
}

// startups lists the ffmpeg start-up subtracted per codec.
func startups(rows []joinRow) string {
	var out []string
	seen := map[string]bool{}
	for _, r := range rows {
		if !seen[r.codec] {
			seen[r.codec] = true
			out = append(out, fmt.Sprintf("%s %.1f ms", codecLabel(r.codec), ms(r.ffStartup)))
		}
	}
	return strings.Join(out, ", ")
}

// firstFrames are a row's first-frame times.
func (r startRow) firstFrames() []time.Duration {
	out := make([]time.Duration, len(r.loads))
	for i, l := range r.loads {
		out[i] = l.firstFrame
	}
	return out
}

// median is the median of ds (the upper one of an even count), 0 for none.
func median(ds []time.Duration) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[len(s)/2]
}

// printStarts writes the first-frame table.
func printStarts(w io.Writer, rows []startRow, o options) {
	fmt.Fprintf(w, "\nFirst frame: headless chromium, time from the page's start to its first decoded frame, %d loads per stream\n"+
		"camera: %dx%d at %d fps, a keyframe every %v, ignores keyframe requests (GStreamer x264 / a libvpx GOP looped by ffmpeg);\n"+
		"loads at GOP ages %s\n\n", o.loads, o.width, o.height, fps, o.gop, durations(phases(o.loads, o.gop)))
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "codec\tstart.mode\tmedian ms\tloads, ms (GOP age at the load, ms)\t")
	for _, r := range rows {
		var each []string
		for _, l := range r.loads {
			each = append(each, fmt.Sprintf("%.0f (%.0f)", ms(l.firstFrame), ms(l.phase)))
		}
		fmt.Fprintf(tw, "%s\t%s\t%.0f\t%s\t\n", codecLabel(r.codec), r.mode, ms(median(r.firstFrames())), strings.Join(each, "  "))
	}
	_ = tw.Flush()
}

// durations formats ds as "0.5s, 1.5s".
func durations(ds []time.Duration) string {
	var out []string
	for _, d := range ds {
		out = append(out, d.Round(time.Millisecond).String())
	}
	return strings.Join(out, ", ")
}
