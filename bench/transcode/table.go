package main

import (
	"fmt"
	"io"
	"text/tabwriter"
	"time"
)

// perStream is CPU seconds per second of video.
func perStream(cpu, media time.Duration) float64 {
	if media <= 0 {
		return 0
	}
	return cpu.Seconds() / media.Seconds()
}

// ratio is mediagate's CPU over ffmpeg's, 0 when ffmpeg measured nothing.
func (r row) ratio() float64 {
	if r.ffmpeg <= 0 {
		return 0
	}
	return float64(r.mediagate) / float64(r.ffmpeg)
}

// kbps is a byte count over a duration in kbit/s.
func kbps(n int64, d time.Duration) float64 {
	if d <= 0 {
		return 0
	}
	return float64(n) * 8 / d.Seconds() / 1000
}

func ms(d time.Duration) string { return fmt.Sprintf("%.2f ms", float64(d.Microseconds())/1000) }

// printTable writes the report.
func printTable(w io.Writer, rows []row, o options) {
	fmt.Fprintf(w, "\nTranscoding, %dx%d at 30 fps, %v clip, %d kbit/s, best of %d runs, one thread each\n\n",
		o.width, o.height, o.duration, o.bitrate/1000, o.runs)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "transcode\tCPU per stream, mediagate\tffmpeg\tratio\toutput kbit/s, mediagate\tffmpeg\t")
	for _, r := range rows {
		fmt.Fprintf(tw, "%s\t%.3f\t%.3f\t%.2f×\t%.0f\t%.0f\t\n", r.name, perStream(r.mediagate, r.media),
			perStream(r.ffmpeg, r.media), r.ratio(), kbps(int64(r.mgBytes), r.media), kbps(r.ffBytes, r.media))
	}
	_ = tw.Flush()
	fmt.Fprintf(w, "\n(CPU per stream: CPU seconds per second of video. Goal: ratio at most 1.10.)\n\n")
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "mediagate latency\tencode, median\tbeyond encode, median\tp99\tframes held back\t")
	for _, r := range rows {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\t\n", r.name, ms(quantile(r.encode, .5)),
			ms(quantile(r.extra, .5)), ms(quantile(r.extra, .99)), r.held)
	}
	_ = tw.Flush()
	fmt.Fprintf(w, "\n(beyond encode: from an access unit's last packet to its transcoded packets, less the\n"+
		"encode time — decode, packetizing. Goal: under one frame, %s at 30 fps.)\n", ms(time.Second/30))
}
