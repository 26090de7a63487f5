package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"time"

	"github.com/pion/rtp"
	rtpcodecs "github.com/pion/rtp/codecs"

	"mediagate.dev/mediagate/bench/internal/clipfile"
	"mediagate.dev/mediagate/gateway/stream"
	"mediagate.dev/mediagate/internal/codec"
	"mediagate.dev/mediagate/transcoder"
)

// fps is the frame rate of the clips and the cameras.
const (
	fps       = 30
	frameTime = time.Second / fps
)

// clip is one GOP of a camera: a keyframe and the pictures up to the next
// one, as RTP packets (frames[i] are the i-th picture's), and the file
// ffmpeg decodes.
type clip struct {
	codec  string // codecH264 or codecVP8
	mime   string
	path   string
	frames [][]*stream.Packet
}

// clipArgs are ffmpeg's encoder arguments for a camera's GOP: H.264
// constrained baseline with an access unit delimiter before each picture
// (where clip splits them) and VP8 in real time, one keyframe only.
func clipArgs(c string, frames int) (file, mime string, args []string) {
	g := fmt.Sprint(frames)
	if c == codecH264 {
		return "clip.h264", transcoder.H264, []string{"-c:v", "libx264", "-preset", "veryfast", "-tune", "zerolatency",
			"-profile:v", "baseline", "-b:v", "2M", "-g", g, "-keyint_min", g, "-sc_threshold", "0",
			"-bsf:v", "h264_metadata=aud=insert", "-f", "h264"}
	}
	return "clip.ivf", transcoder.VP8, []string{"-c:v", "libvpx", "-deadline", "realtime", "-cpu-used", "8",
		"-lag-in-frames", "0", "-b:v", "2M", "-g", g, "-keyint_min", g, "-auto-alt-ref", "0", "-f", "ivf"}
}

// makeClip encodes one GOP of testsrc2 with ffmpeg and packetizes it with
// pion's payloaders, marking the keyframe's packets as ingest does.
func makeClip(dir, c string, o options) (*clip, error) {
	n := int(o.gop / frameTime)
	file, mime, enc := clipArgs(c, n)
	path := filepath.Join(dir, file)
	args := append([]string{"-hide_banner", "-loglevel", "error", "-y", "-f", "lavfi",
		"-i", fmt.Sprintf("testsrc2=size=%dx%d:rate=%d", o.width, o.height, fps), "-frames:v", fmt.Sprint(n),
		"-pix_fmt", "yuv420p"}, enc...)
	if out, err := exec.Command("ffmpeg", append(args, path)...).CombinedOutput(); err != nil {
		return nil, fmt.Errorf("make %s: %v\n%s", file, err, out)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var pictures [][]byte
	var pl rtp.Payloader
	if c == codecH264 {
		pictures, pl = clipfile.AnnexBAccessUnits(data, h264AUD), &rtpcodecs.H264Payloader{}
	} else {
		pictures, err = clipfile.IVFFrames(data)
		pl = &rtpcodecs.VP8Payloader{EnablePictureID: true}
	}
	if err != nil {
		return nil, err
	}
	if len(pictures) != n {
		return nil, fmt.Errorf("%s: %d pictures, want %d", file, len(pictures), n)
	}
	return packetize(c, mime, path, pictures, pl)
}

// packetize turns pictures into RTP packets and checks that the first
// picture is the only keyframe.
func packetize(c, mime, path string, pictures [][]byte, pl rtp.Payloader) (*clip, error) {
	p := rtp.NewPacketizer(transcoder.DefaultMTU, 96, 0x1234, pl, rtp.NewFixedSequencer(1), transcoder.VideoClockRate)
	cl := &clip{codec: c, mime: mime, path: path}
	key := codec.KeyframeDetector(mime)
	for i, pic := range pictures {
		var frame []*stream.Packet
		keyframe := false
		for _, pk := range p.Packetize(pic, transcoder.VideoClockRate/fps) {
			sp := &stream.Packet{Header: pk.Header, Payload: pk.Payload, Keyframe: key(pk.Payload)}
			keyframe = keyframe || sp.Keyframe
			frame = append(frame, sp)
		}
		if keyframe != (i == 0) {
			return nil, fmt.Errorf("%s: picture %d is a keyframe: %v (want one GOP: only the first)", path, i, keyframe)
		}
		cl.frames = append(cl.frames, frame)
	}
	return cl, nil
}

// The start of an H.264 access unit delimiter (NAL type 9).
var h264AUD = []byte{0, 0, 0, 1, 0x09}
