package main

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"time"

	"mediagate.dev/mediagate/bench/internal/clipfile"
	"mediagate.dev/mediagate/gateway/config"
	"mediagate.dev/mediagate/transcoder"
)

// bridgeBitrate is the bridge's encoder target: a stream's default
// transcode.bitrate, in bit/s.
func bridgeBitrate() int {
	var sc config.Stream
	sc.FillDefaults()
	return sc.Transcode.Bitrate * 1000
}

// encoderArgs are ffmpeg's encoder arguments that match the bridge's
// encoders (transcoder/x264enc: preset veryfast, tune zerolatency,
// constrained baseline; transcoder/vpxenc: real time, CBR, speed 8, error
// resilient), one thread, at the bridge's bitrate; bench/transcode uses
// the same. ultrafast swaps x264's preset for ultrafast.
func encoderArgs(c string, ultrafast bool) []string {
	kbps := fmt.Sprintf("%dk", bridgeBitrate()/1000)
	gop := fmt.Sprint(transcoder.DefaultKeyframeInterval)
	if c == codecVP8 {
		return []string{"-c:v", "libvpx", "-threads", "1", "-deadline", "realtime", "-cpu-used", "8",
			"-lag-in-frames", "0", "-error-resilient", "1", "-auto-alt-ref", "0",
			"-b:v", kbps, "-minrate", kbps, "-maxrate", kbps, "-bufsize", kbps,
			"-undershoot-pct", "100", "-overshoot-pct", "15", "-qmin", "2", "-qmax", "63",
			"-static-thresh", "1", "-noise-sensitivity", "0", "-max-intra-rate", "300", "-drop-threshold", "30",
			"-g", gop, "-f", "ivf"}
	}
	preset := "veryfast"
	if ultrafast {
		preset = "ultrafast"
	}
	return []string{"-c:v", "libx264", "-threads", "1", "-preset", preset, "-tune", "zerolatency",
		"-profile:v", "baseline", "-b:v", kbps, "-maxrate", kbps, "-bufsize", kbps, "-g", gop, "-f", "h264"}
}

// ffmpegJoin runs ffmpeg's side of a join at picture k: it decodes the
// whole GOP and encodes the pictures from k-1 on (the bridge's key frame
// is the picture before the join), one thread each. The CPU time is the
// child's rusage less ffmpegStartup's.
func ffmpegJoin(cl *clip, k int, ultrafast bool, startup time.Duration) (sideRun, error) {
	sel := fmt.Sprintf("select=gte(n\\,%d)", k-1)
	cpu, out, err := runFFmpeg(cl, append([]string{"-vf", sel, "-fps_mode", "passthrough"}, encoderArgs(cl.codec, ultrafast)...))
	if err != nil {
		return sideRun{}, err
	}
	r := sideRun{cpu: max(0, cpu-startup), bytes: int64(len(out))}
	r.frames, err = countPictures(cl.codec, out)
	if err != nil {
		return r, err
	}
	if want := len(cl.frames) - k + 1; r.frames != want {
		return r, fmt.Errorf("ffmpeg %s: %d pictures encoded, want %d", cl.codec, r.frames, want)
	}
	return r, nil
}

// ffmpegStartup measures what ffmpeg spends beyond the work: a run that
// decodes and encodes one picture (the least of three), as bench/transcode
// subtracts.
func ffmpegStartup(cl *clip) (time.Duration, error) {
	best := time.Duration(0)
	for i := range 3 {
		cpu, _, err := runFFmpeg(cl, append([]string{"-frames:v", "1"}, encoderArgs(cl.codec, false)...))
		if err != nil {
			return 0, err
		}
		if i == 0 || cpu < best {
			best = cpu
		}
	}
	return best, nil
}

// runFFmpeg decodes the clip with one thread and encodes with args into a
// file, and returns the child's CPU time and the file.
func runFFmpeg(cl *clip, args []string) (time.Duration, []byte, error) {
	out := filepath.Join(filepath.Dir(cl.path), "out")
	argv := []string{"-hide_banner", "-loglevel", "error", "-y", "-threads", "1", "-i", cl.path}
	argv = append(append(argv, args...), out)
	cmd := exec.Command("ffmpeg", argv...)
	if msg, err := cmd.CombinedOutput(); err != nil {
		return 0, nil, fmt.Errorf("ffmpeg %s: %v\n%s", cl.codec, err, msg)
	}
	ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	if !ok {
		return 0, nil, errors.New("no rusage for ffmpeg")
	}
	data, err := os.ReadFile(out)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()), data, err
}

// countPictures counts the pictures in ffmpeg's output: IVF frames, or
// H.264 access units (each starts with a slice whose first_mb_in_slice is
// 0; the encoder writes one slice per picture with one thread).
func countPictures(c string, data []byte) (int, error) {
	if c == codecVP8 {
		f, err := clipfile.IVFFrames(data)
		return len(f), err
	}
	n := 0
	for _, sep := range [][]byte{{0, 0, 1, 0x65}, {0, 0, 1, 0x41}, {0, 0, 1, 0x25}, {0, 0, 1, 0x21}} {
		n += bytes.Count(data, sep)
	}
	return n, nil
}
