package main

import (
	"bytes"
	"fmt"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"time"
)

// camera is a sender process the benchmark started: one encoder whose RTP
// goes to both streams of its codec, so that their keyframes come at the
// same moments. It sends no RTCP and reads none: like an IP camera pushing
// plain RTP, it ignores keyframe requests.
type camera struct {
	name string
	cmd  *exec.Cmd
	out  *lockedBuffer
	done chan struct{}
}

// cameraArgv is the command line of a codec's camera at o's size with
// o.gop between keyframes, sending to ports. H.264: GStreamer x264 as the
// gateway's tests run it (gstH264: constrained baseline, SPS and PPS
// before each IDR), 2 Mbit/s. VP8: ffmpeg sending vp8Clip, one GOP made
// by makeClip with libvpx in real time, in a loop at the real-time pace
// (copied, not encoded: a live libvpx encoder at 720p takes most of a
// core, and on a busy 2-core machine its keyframes then come unevenly).
func cameraArgv(c string, ports []int, o options, vp8Clip string) []string {
	gop := fmt.Sprint(int(o.gop / frameTime))
	if c == codecH264 {
		var clients []string
		for _, p := range ports {
			clients = append(clients, fmt.Sprintf("127.0.0.1:%d", p))
		}
		return []string{"gst-launch-1.0", "-q", "videotestsrc", "is-live=true", "pattern=ball",
			"!", fmt.Sprintf("video/x-raw,width=%d,height=%d,framerate=%d/1", o.width, o.height, fps),
			"!", "videoconvert",
			"!", "x264enc", "tune=zerolatency", "speed-preset=ultrafast", "bitrate=2000", "key-int-max=" + gop,
			"!", "video/x-h264,profile=constrained-baseline",
			"!", "rtph264pay", "pt=96", "config-interval=-1", "mtu=1200",
			"!", "multiudpsink", "clients=" + strings.Join(clients, ","), "sync=false"}
	}
	var outs []string
	for _, p := range ports {
		outs = append(outs, fmt.Sprintf("[f=rtp:payload_type=97]rtp://127.0.0.1:%d?rtcpport=%d&pkt_size=1200", p, p))
	}
	return []string{"ffmpeg", "-hide_banner", "-loglevel", "error", "-re", "-stream_loop", "-1", "-i", vp8Clip,
		"-map", "0:v", "-c:v", "copy", "-f", "tee", strings.Join(outs, "|")}
}

// startCamera runs argv in its own process group, killed by the kernel if
// the benchmark dies.
func startCamera(argv []string) (*camera, error) {
	if _, err := exec.LookPath(argv[0]); err != nil {
		return nil, fmt.Errorf("%s is required (make deps-test installs it): %w", argv[0], err)
	}
	c := &camera{name: argv[0], cmd: exec.Command(argv[0], argv[1:]...), out: &lockedBuffer{}, done: make(chan struct{})}
	c.cmd.Stdout, c.cmd.Stderr = c.out, c.out
	c.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := c.cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", argv[0], err)
	}
	go func() {
		_ = c.cmd.Wait()
		close(c.done)
	}()
	return c, nil
}

// stop ends the camera's process group: SIGINT, then SIGKILL after 2 s.
func (c *camera) stop() {
	pgid := c.cmd.Process.Pid
	_ = syscall.Kill(-pgid, syscall.SIGINT)
	select {
	case <-c.done:
	case <-time.After(2 * time.Second):
		_ = syscall.Kill(-pgid, syscall.SIGKILL)
		<-c.done
	}
}

// lockedBuffer is a bytes.Buffer the process's output goroutines share.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
