package main

import (
	"context"
	"fmt"
	"log/slog"
	"strconv"
	"syscall"
	"time"
)

// senderStartTimeout bounds how long GStreamer may take to send its first
// packets (x264 initialisation included).
const senderStartTimeout = 15 * time.Second

// senderPipeline returns the gst-launch-1.0 arguments of the one RTP sender:
// a live 720p30 SMPTE test pattern (its noise corner keeps the encoder busy:
// about 210 packets/s, 1.5 Mbit/s), H.264 Constrained Baseline at 2 Mbit/s with a
// keyframe every 2 s, packetised (RFC 6184) into 1200-byte RTP payloads with
// SPS/PPS before every keyframe, sent to 127.0.0.1:port (from bindPort
// when not 0: a camera restarted keeps its address and port).
func senderPipeline(port, bindPort int) []string {
	sink := []string{"udpsink", "host=127.0.0.1", "port=" + strconv.Itoa(port)}
	if bindPort != 0 {
		sink = append(sink, "bind-port="+strconv.Itoa(bindPort))
	}
	return append([]string{
		"gst-launch-1.0", "-q",
		"videotestsrc", "is-live=true", "!",
		"video/x-raw,width=1280,height=720,framerate=30/1", "!",
		"videoconvert", "!",
		"x264enc", "tune=zerolatency", "speed-preset=ultrafast", "bitrate=2000", "key-int-max=60", "!",
		"video/x-h264,profile=constrained-baseline", "!",
		"rtph264pay", "pt=96", "config-interval=-1", "mtu=1200", "!",
	}, sink...)
}

// startSender runs the GStreamer sender toward the tee and returns once the
// tee has seen a steady flow (a second's worth of packets).
func startSender(ctx context.Context, dir string, t *tee, log *slog.Logger) (*child, error) {
	c, err := startChild("gst-sender", dir, log, senderPipeline(t.port(), 0)...)
	if err != nil {
		return nil, err
	}
	start := t.count()
	err = c.waitFor(ctx, "first RTP packets", senderStartTimeout, func() error {
		if got := t.count() - start; got < 100 {
			return fmt.Errorf("%d packets so far: %w", got, errNoMedia)
		}
		return nil
	})
	if err != nil {
		c.stop(syscall.SIGINT)
		return nil, err
	}
	return c, nil
}
