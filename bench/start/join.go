package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime"
	"syscall"
	"time"

	"mediagate.dev/mediagate/gateway/rendition"
	"mediagate.dev/mediagate/gateway/stream"
	"mediagate.dev/mediagate/transcoder/codecs"
)

// joinTimeout bounds one bridged join's wait for its last picture.
const joinTimeout = 60 * time.Second

// joinRow is what one bridged join at one point of the GOP cost, on both
// sides: the best of the runs.
type joinRow struct {
	codec              string
	at                 time.Duration // the join's point in the GOP
	decoded, encoded   int           // pictures through the decoder, out of the encoder
	mediagate          time.Duration
	ffmpeg, ultrafast  time.Duration // ultrafast: libx264 -preset ultrafast (H.264 only)
	mgBytes, ffBytes   int64
	ffStartup          time.Duration // subtracted from ffmpeg's figures
	runs               int
	mgFrames, ffFrames int // pictures each side encoded, as a check
}

// measureJoins makes each codec's clip and measures a bridged join at each
// join point, mediagate and ffmpeg in turn, o.runs times.
func measureJoins(ctx context.Context, dir string, o options, log *slog.Logger) ([]joinRow, error) {
	if !codecs.Default().Available {
		return nil, errNoCodecs
	}
	var rows []joinRow
	for _, c := range o.cpuCodecs {
		cl, err := makeClip(dir, c, o)
		if err != nil {
			return nil, err
		}
		startup, err := ffmpegStartup(cl)
		if err != nil {
			return nil, err
		}
		for _, at := range o.joins {
			r, err := measureJoin(ctx, cl, at, startup, o)
			if err != nil {
				return nil, err
			}
			log.Info("bridged join", "codec", c, "at", at, "mediagate", r.mediagate, "ffmpeg", r.ffmpeg)
			rows = append(rows, r)
		}
	}
	return rows, nil
}

// measureJoin measures one join point: the best of o.runs runs of each side.
func measureJoin(ctx context.Context, cl *clip, at, startup time.Duration, o options) (joinRow, error) {
	k := int(at / frameTime)
	r := joinRow{codec: cl.codec, at: at, decoded: len(cl.frames), encoded: len(cl.frames) - k + 1,
		ffStartup: startup, runs: o.runs}
	for i := range o.runs {
		if err := ctx.Err(); err != nil {
			return r, err
		}
		mg, err := bridgedJoin(cl, k)
		if err != nil {
			return r, err
		}
		ff, err := ffmpegJoin(cl, k, false, startup)
		if err != nil {
			return r, err
		}
		if i == 0 || mg.cpu < r.mediagate {
			r.mediagate, r.mgBytes, r.mgFrames = mg.cpu, mg.bytes, mg.frames
		}
		if i == 0 || ff.cpu < r.ffmpeg {
			r.ffmpeg, r.ffBytes, r.ffFrames = ff.cpu, ff.bytes, ff.frames
		}
		if cl.codec != codecH264 {
			continue
		}
		uf, err := ffmpegJoin(cl, k, true, startup)
		if err != nil {
			return r, err
		}
		if i == 0 || uf.cpu < r.ultrafast {
			r.ultrafast = uf.cpu
		}
	}
	return r, nil
}

// sideRun is one run of one side.
type sideRun struct {
	cpu    time.Duration
	bytes  int64
	frames int
}

// bridgedJoin runs what a viewer joining at picture k costs the gateway:
// the clip's pictures before k go into a track's GOP memory, a
// rendition.Manager starts the track's bridge for the joiner (a pipeline
// in the source's codec, primed with the GOP, that encodes the picture
// before k as a key frame), and the pictures from k up to the next
// keyframe go through the bridge live. The CPU time is the process's from
// the join to the bridge's last picture out, the bridge's start included.
func bridgedJoin(cl *clip, k int) (sideRun, error) {
	m := rendition.New(rendition.Config{Codecs: codecs.Default(), MaxBridges: 1})
	defer m.Close()
	src := stream.NewTrack(stream.Video, stream.Codec{MimeType: cl.mime, ClockRate: 90000, PayloadType: 96})
	src.SetGOPLimits(stream.GOPLimits{MaxBytes: 64 << 20, MaxDuration: time.Minute})
	st := stream.New("bench", src, nil, nil)
	defer st.Close()
	for _, f := range cl.frames[:k] {
		writeFrame(src, f)
	}
	const depth = 1 << 15 // the whole GOP: the bridge's queues drop nothing
	runtime.GC()
	start := cpuTime()
	sub, release, err := m.Bridge(st, src, depth)
	if err != nil {
		return sideRun{}, fmt.Errorf("bridge %s: %w", cl.codec, err)
	}
	defer release()
	defer sub.Close()
	if err := waitSubscribed(src); err != nil {
		return sideRun{}, err
	}
	for _, f := range cl.frames[k:] {
		writeFrame(src, f)
	}
	last := cl.frames[len(cl.frames)-1][0].Timestamp
	run, err := drain(sub, last)
	run.cpu = cpuTime() - start
	return run, err
}

// writeFrame writes one picture's packets to the track, stamped now.
func writeFrame(t *stream.Track, frame []*stream.Packet) {
	now := time.Now()
	for _, p := range frame {
		c := *p
		c.Arrival = now
		t.Write(&c)
	}
}

// waitSubscribed waits until the bridge's goroutine subscribed to the
// source: packets written before then would miss it (the gateway's live
// camera would lose them as well, in a shorter window).
func waitSubscribed(src *stream.Track) error {
	deadline := time.Now().Add(5 * time.Second)
	for src.Subscribers() == 0 {
		if time.Now().After(deadline) {
			return errors.New("the bridge never subscribed to its source")
		}
		time.Sleep(100 * time.Microsecond)
	}
	return nil
}

// drain reads the bridge's output until the picture stamped last has come
// out, counting pictures and payload bytes.
func drain(sub *stream.Subscription, last uint32) (sideRun, error) {
	var r sideRun
	timeout := time.After(joinTimeout)
	for {
		select {
		case p := <-sub.Packets():
			r.bytes += int64(len(p.Payload))
			if !p.Marker {
				continue
			}
			r.frames++
			if p.Timestamp == last {
				return r, nil
			}
		case <-sub.Done():
			return r, errors.New("the bridge stopped before its last picture")
		case <-timeout:
			return r, fmt.Errorf("the bridge's last picture did not come out in %v (%d did)", joinTimeout, r.frames)
		}
	}
}

// cpuTime is this process's user and system CPU time so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
