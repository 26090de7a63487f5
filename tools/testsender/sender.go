package main

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"time"
)

// sender is the whole test sender: the frame loop (draw, encode,
// packetize) on the goroutine that calls run, and beside it the pacer,
// the RTCP reader, the sender reports and the statistics.
type sender struct {
	opts  *options
	log   *slog.Logger
	start time.Time
	ssrc  uint32

	src   *videoSource
	pk    *packetizer
	pacer *pacer
	tr    *transport
	ctl   *control

	// stats receives -stats lines; nil writes none. Set before run.
	stats    io.Writer
	statsErr gate
}

// newSender opens the encoder and the socket. keys is nil for plain RTP.
func newSender(o *options, keys *srtpKeys, log *slog.Logger) (*sender, error) {
	// RFC 3550 §5.1: random SSRC, initial sequence number and timestamp.
	var r [18]byte
	_, _ = rand.Read(r[:]) // crypto/rand.Read never fails (Go 1.24+)
	ssrc := uint32(o.SSRC)
	if ssrc == 0 {
		ssrc = binary.BigEndian.Uint32(r[0:4])
	}
	log = log.With("ssrc", ssrc)
	start := time.Now()
	tr, err := newTransport(o, keys, start, log)
	if err != nil {
		return nil, err
	}
	src, err := newVideoSource(o, binary.BigEndian.Uint64(r[10:18]))
	if err != nil {
		tr.close()
		return nil, err
	}
	s := &sender{
		opts: o, log: log, start: start, ssrc: ssrc, src: src, tr: tr,
		pk:  newPacketizer(o.mime(), uint8(o.PT), ssrc, binary.BigEndian.Uint16(r[4:6]), binary.BigEndian.Uint32(r[6:10])),
		ctl: newControl(bps(o.StartKbps), bps(o.MinKbps), bps(o.MaxKbps), log),
	}
	s.pacer = newPacer(bps(o.StartKbps), tr.sendRTP)
	return s, nil
}

// run sends until ctx ends, then stops every goroutine, sends a BYE,
// writes a last statistics line and releases the encoder and the socket.
// It returns an error only when the encoder fails.
func (s *sender) run(ctx context.Context) error {
	suite := "none"
	if s.tr.tx != nil {
		suite = s.opts.SRTPSuite
	}
	s.log.Info("sending", "to", s.tr.remote.String(), "from", s.tr.localAddr().String(),
		"codec", s.opts.Codec, "pt", s.opts.PT, "size", fmt.Sprintf("%dx%d", s.opts.Width, s.opts.Height),
		"fps", s.opts.FPS, "start_bps", bps(s.opts.StartKbps), "srtp", suite)
	ctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	wg.Go(func() { s.pacer.run(ctx) })
	wg.Go(func() { s.tr.readLoop(ctx, s.ctl.onRTCP) })
	wg.Go(func() { s.reportLoop(ctx) })
	if s.stats != nil {
		wg.Go(func() { s.statsLoop(ctx) })
	}
	err := s.frameLoop(ctx)
	cancel()
	wg.Wait()
	now := time.Now()
	s.tr.sendRTCP(s.goodbye(now))
	if s.stats != nil {
		s.writeStats(now)
	}
	s.log.Info("stopped", "packets", s.tr.packets.Load(), "seconds", now.Sub(s.start).Seconds())
	s.src.close()
	s.tr.close()
	return err
}

// frameLoop encodes a frame every 1/fps until ctx ends.
func (s *sender) frameLoop(ctx context.Context) error {
	tick := time.NewTicker(time.Second / time.Duration(s.opts.FPS))
	defer tick.Stop()
	for {
		if err := s.frame(time.Now()); err != nil {
			return err
		}
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
		}
	}
}

// frame draws, encodes and queues the frame of now at the current target,
// as a key frame when one was asked for.
func (s *sender) frame(now time.Time) error {
	elapsed := now.Sub(s.start)
	target := int(s.ctl.target.Load())
	s.pacer.setTarget(target)
	f, err := s.src.encode(elapsed, now, target, s.ctl.takeKeyframe())
	if err != nil {
		return err
	}
	s.pacer.enqueue(s.pk.packetize(f, pts(elapsed)))
	return nil
}
