package main

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"syscall"
	"time"

	"github.com/pion/rtp"

	"mediagate.dev/mediagate/transcoder"
	"mediagate.dev/mediagate/transcoder/codecs"
)

// row is what one transcode measured.
type row struct {
	name          string
	media         time.Duration // the clip's length
	mediagate     time.Duration // best CPU time of the pipeline
	ffmpeg        time.Duration // best CPU time of ffmpeg, less its start-up
	mgBytes       uint64        // bytes each wrote: RTP payloads, ffmpeg's file
	ffBytes       int64
	extra, encode []time.Duration
	held          int // most access units waiting for their output at once
}

// measure runs both sides o.runs times and keeps the best of each.
func measure(c benchCase, cl *clip, o options) (row, error) {
	r := row{name: c.name, media: time.Duration(cl.frames) * time.Second / 30}
	startup, _, err := ffmpegCPU(c, cl, "-frames:v", "1")
	if err != nil {
		return r, err
	}
	for i := range o.runs {
		p, err := runPipeline(c, cl, o)
		if err != nil {
			return r, err
		}
		f, size, err := ffmpegCPU(c, cl)
		if err != nil {
			return r, err
		}
		f = max(0, f-startup)
		if i == 0 || p.cpu < r.mediagate {
			r.mediagate, r.extra, r.encode, r.held, r.mgBytes = p.cpu, p.extra, p.encode, p.held, p.bytes
		}
		if i == 0 || f < r.ffmpeg {
			r.ffmpeg, r.ffBytes = f, size
		}
	}
	return r, nil
}

// pipelineRun is one run of mediagate's pipeline over a clip.
type pipelineRun struct {
	cpu           time.Duration
	extra, encode []time.Duration // per frame: latency beyond encode, encode
	held          int
	bytes         uint64
}

// timedEncoder records how long its last Encode took.
type timedEncoder struct {
	transcoder.VideoEncoder
	last *time.Duration
}

func (e timedEncoder) Encode(p *transcoder.Picture, key bool) (transcoder.EncodedFrame, error) {
	start := time.Now()
	f, err := e.VideoEncoder.Encode(p, key)
	*e.last = time.Since(start)
	return f, err
}

// runPipeline transcodes the clip's packets as fast as the pipeline goes
// and measures the process's CPU time and each frame's latency.
func runPipeline(c benchCase, cl *clip, o options) (pipelineRun, error) {
	cs := codecs.Default()
	if !cs.Available {
		return pipelineRun{}, errors.New("built without cgo: no codecs")
	}
	var lastEncode time.Duration
	open := cs.NewVideoEncoder
	cs.NewVideoEncoder = func(cfg transcoder.VideoEncoderConfig) (transcoder.VideoEncoder, error) {
		e, err := open(cfg)
		if err != nil {
			return nil, err
		}
		return timedEncoder{e, &lastEncode}, nil
	}
	var out int
	var outAt time.Time
	p, err := transcoder.New(transcoder.Config{
		From: c.from, To: c.to, Codecs: cs, PayloadType: 97, Bitrate: o.bitrate,
		Output: func(h rtp.Header, _ []byte, _ bool) {
			if h.Marker {
				out, outAt = out+1, time.Now()
			}
		},
	})
	if err != nil {
		return pipelineRun{}, err
	}
	defer p.Close()
	run := pipelineRun{}
	runtime.GC()
	start := cpuTime()
	in := 0
	for _, pk := range cl.packets {
		t0 := time.Now()
		p.Write(&pk.Header, pk.Payload)
		if !pk.Marker {
			continue
		}
		in++
		run.held = max(run.held, in-out)
		if out == in {
			run.extra = append(run.extra, outAt.Sub(t0)-lastEncode)
			run.encode = append(run.encode, lastEncode)
		}
	}
	run.cpu = cpuTime() - start
	run.bytes = p.Stats().BytesOut
	if out < cl.frames*9/10 {
		return run, fmt.Errorf("%s: %d of %d frames came out (%+v)", c.name, out, cl.frames, p.Stats())
	}
	return run, nil
}

// ffmpegCPU runs ffmpeg's transcode of the clip into a raw file,
// single-threaded, and returns its CPU time and the file's size.
func ffmpegCPU(c benchCase, cl *clip, extra ...string) (time.Duration, int64, error) {
	out := filepath.Join(filepath.Dir(cl.path), "out")
	format := "ivf"
	if c.to == transcoder.H264 {
		format = "h264"
	}
	args := []string{"-hide_banner", "-loglevel", "error", "-y", "-threads", "1"}
	if c.from == transcoder.H265 {
		args = append(args, "-f", "hevc") // a raw clip: name the demuxer
	}
	args = append(append(args, "-i", cl.path), c.transcode...)
	args = append(append(args, extra...), "-f", format, out)
	cmd := exec.Command("ffmpeg", args...)
	if msg, err := cmd.CombinedOutput(); err != nil {
		return 0, 0, fmt.Errorf("ffmpeg %s: %v\n%s", c.name, err, msg)
	}
	ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	if !ok {
		return 0, 0, errors.New("no rusage for ffmpeg")
	}
	fi, err := os.Stat(out)
	if err != nil {
		return 0, 0, err
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()), fi.Size(), nil
}

// cpuTime is this process's user and system CPU time so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// quantile returns the q-quantile of ds (0 for none).
func quantile(ds []time.Duration, q float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[min(len(s)-1, int(q*float64(len(s))))]
}
