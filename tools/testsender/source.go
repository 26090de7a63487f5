package main

import (
	"fmt"
	"time"

	"mediagate.dev/mediagate/transcoder"
	"mediagate.dev/mediagate/transcoder/testpattern"
	"mediagate.dev/mediagate/transcoder/vpxenc"
	"mediagate.dev/mediagate/transcoder/x264enc"
)

// videoSource draws the test pattern, dithers it and encodes it at the
// target bitrate. It is used by the frame loop's goroutine only.
type videoSource struct {
	pattern *testpattern.Video
	dither  *dither
	enc     transcoder.VideoEncoder
	w, h    int
	fps     int
	bitrate int // the target the encoder runs at
}

// newVideoSource opens the encoder of o's codec at the start bitrate.
func newVideoSource(o *options, seed uint64) (*videoSource, error) {
	cfg := transcoder.VideoEncoderConfig{
		Codec: o.mime(), Width: o.Width, Height: o.Height, FPS: o.FPS, Bitrate: bps(o.StartKbps),
	}
	var enc transcoder.VideoEncoder
	var err error
	switch cfg.Codec {
	case transcoder.VP8:
		enc, err = vpxenc.New(cfg)
	case transcoder.H264:
		enc, err = x264enc.New(cfg)
	default:
		err = fmt.Errorf("%w: codec %q", errFlags, o.Codec)
	}
	if err != nil {
		return nil, fmt.Errorf("%w: %w", errEncoder, err)
	}
	return &videoSource{
		pattern: testpattern.NewVideo(o.Width, o.Height), dither: newDither(seed), enc: enc,
		w: o.Width, h: o.Height, fps: o.FPS, bitrate: cfg.Bitrate,
	}, nil
}

// encode draws the picture at elapsed (the clock showing wall) and encodes
// it at target bit/s, as a key frame when keyframe is set. The frame's
// data is valid until the next call; it is empty when rate control dropped
// the picture. Its PTS is elapsed in the 90 kHz clock.
func (v *videoSource) encode(elapsed time.Duration, wall time.Time, target int, keyframe bool) (transcoder.EncodedFrame, error) {
	if target != v.bitrate {
		if err := v.enc.SetBitrate(target); err != nil {
			return transcoder.EncodedFrame{}, fmt.Errorf("%w: %w", errEncoder, err)
		}
		v.bitrate = target
	}
	pic := v.pattern.Frame(elapsed, wall)
	v.dither.apply(pic, amplitude(target, v.w, v.h, v.fps))
	f, err := v.enc.Encode(pic, keyframe)
	if err != nil {
		return transcoder.EncodedFrame{}, fmt.Errorf("%w: %w", errEncoder, err)
	}
	return f, nil
}

// close releases the encoder.
func (v *videoSource) close() error { return v.enc.Close() }
