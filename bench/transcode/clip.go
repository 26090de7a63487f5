package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"

	"github.com/pion/rtp"
	"github.com/pion/rtp/codecs"

	"mediagate.dev/mediagate/bench/internal/clipfile"
	"mediagate.dev/mediagate/transcoder"
)

// benchCase is one transcode: its source clip and the encoder it ends in.
type benchCase struct {
	name      string
	from, to  string
	file      string   // clip file name
	encode    []string // ffmpeg arguments that make the clip
	transcode []string // ffmpeg arguments of the transcode under test
}

// cases are the two transcodes, with ffmpeg's encoder arguments matching
// vpxenc's and x264enc's settings (see their doc comments).
func cases(o options) []benchCase {
	kbps := fmt.Sprintf("%dk", o.bitrate/1000)
	gop := fmt.Sprint(transcoder.DefaultKeyframeInterval)
	vp8 := []string{"-c:v", "libvpx", "-threads", "1", "-deadline", "realtime", "-cpu-used", "8",
		"-lag-in-frames", "0", "-error-resilient", "1", "-auto-alt-ref", "0",
		"-b:v", kbps, "-minrate", kbps, "-maxrate", kbps, "-bufsize", kbps,
		"-undershoot-pct", "100", "-overshoot-pct", "15", "-qmin", "2", "-qmax", "63",
		"-static-thresh", "1", "-noise-sensitivity", "0", "-max-intra-rate", "300", "-drop-threshold", "30", "-g", gop}
	h264 := []string{"-c:v", "libx264", "-threads", "1", "-preset", "veryfast", "-tune", "zerolatency",
		"-profile:v", "baseline", "-b:v", kbps, "-maxrate", kbps, "-bufsize", kbps, "-g", gop}
	return []benchCase{
		{name: "H.264 → VP8", from: transcoder.H264, to: transcoder.VP8, file: "clip.h264",
			encode:    []string{"-c:v", "libx264", "-preset", "veryfast", "-profile:v", "high", "-bf", "0", "-b:v", "3M", "-g", "60", "-bsf:v", "h264_metadata=aud=insert", "-f", "h264"},
			transcode: vp8},
		{name: "VP8 → H.264", from: transcoder.VP8, to: transcoder.H264, file: "clip.ivf",
			encode:    []string{"-c:v", "libvpx", "-deadline", "good", "-cpu-used", "4", "-b:v", "3M", "-g", "60", "-f", "ivf"},
			transcode: h264},
		// An H.265 camera, to the H.264 that browsers which cannot decode
		// it get. No B-frames, as cameras send by default: the clip's
		// packets are stamped in decoding order, which B-frames would not
		// be (gateway/e2e_h265_peers_test.go plays a B-frame camera).
		{name: "H.265 → H.264", from: transcoder.H265, to: transcoder.H264, file: "clip.hevc",
			encode: []string{"-c:v", "libx265", "-preset", "veryfast", "-b:v", "3M",
				"-x265-params", "log-level=error:aud=1:keyint=60:bframes=0", "-f", "hevc"},
			transcode: h264},
	}
}

// clip is a source clip as RTP packets, and its frame count.
type clip struct {
	path    string
	packets []*rtp.Packet
	frames  int
}

// makeClip encodes testsrc2 with ffmpeg and packetizes it.
func makeClip(dir string, c benchCase, o options) (*clip, error) {
	path := filepath.Join(dir, c.file)
	args := append([]string{"-hide_banner", "-loglevel", "error", "-y", "-f", "lavfi",
		"-i", fmt.Sprintf("testsrc2=size=%dx%d:rate=30", o.width, o.height), "-t", fmt.Sprint(o.duration.Seconds()),
		"-pix_fmt", "yuv420p"}, c.encode...)
	if out, err := exec.Command("ffmpeg", append(args, path)...).CombinedOutput(); err != nil {
		return nil, fmt.Errorf("make %s: %v\n%s", c.file, err, out)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var frames [][]byte
	var pl rtp.Payloader
	switch c.from {
	case transcoder.H264:
		frames, pl = clipfile.AnnexBAccessUnits(data, h264AUD), &codecs.H264Payloader{}
	case transcoder.H265:
		frames, pl = clipfile.AnnexBAccessUnits(data, h265AUD), &codecs.H265Payloader{}
	default:
		frames, err = clipfile.IVFFrames(data)
		pl = &codecs.VP8Payloader{EnablePictureID: true}
	}
	if err != nil {
		return nil, err
	}
	p := rtp.NewPacketizer(transcoder.DefaultMTU, 96, 0x1234, pl, rtp.NewFixedSequencer(1), transcoder.VideoClockRate)
	cl := &clip{path: path, frames: len(frames)}
	for _, f := range frames {
		cl.packets = append(cl.packets, p.Packetize(f, transcoder.VideoClockRate/30)...)
	}
	return cl, nil
}

// The start of an access unit delimiter: H.264's (NAL type 9) and H.265's
// (NAL type 35, a two-byte header).
var (
	h264AUD = []byte{0, 0, 0, 1, 0x09}
	h265AUD = []byte{0, 0, 0, 1, 0x46, 0x01}
)
