package main

import (
	"errors"
	"fmt"
	"net"
	"strings"
	"time"

	"mediagate.dev/mediagate/gateway/config"
	"mediagate.dev/mediagate/transcoder"
)

// options is the validated command line.
type options struct {
	To                          string
	Codec                       string
	PT                          int
	SSRC                        uint
	Width, Height, FPS          int
	StartKbps, MinKbps, MaxKbps int
	Duration                    time.Duration
	AbsSendTimeID               int
	SRTPSuite                   string
	SRTPKeyFile                 string
	Stats                       bool

	// remote is To, resolved by validate.
	remote *net.UDPAddr
}

// defaultOptions match the shipped configs/mediagate.toml's stream cam1
// (H.264, payload type 96, on port 5004) and the default REMB bounds of a
// stream (config.REMB: 100 to 8000 kbit/s).
func defaultOptions() *options {
	return &options{
		To: "127.0.0.1:5004", Codec: "h264", PT: 96,
		Width: 640, Height: 480, FPS: 30,
		StartKbps: 1000, MinKbps: 100, MaxKbps: 8000,
		AbsSendTimeID: 3, SRTPSuite: "AES_CM_128_HMAC_SHA1_80",
	}
}

// Bounds of the flags' values.
const (
	maxWidth, maxHeight = 1920, 1088
	minSide             = 64
	maxFPS              = 60
	maxKbps             = 100_000
)

// validate checks every flag and returns one error listing all problems,
// a line each, naming its flag.
func (o *options) validate() error {
	var problems []string
	bad := func(flag, format string, a ...any) {
		problems = append(problems, "-"+flag+": "+fmt.Sprintf(format, a...))
	}
	if o.mime() == "" {
		bad("codec", "%q is not h264 or vp8", o.Codec)
	}
	if o.PT < 96 || o.PT > 127 {
		bad("pt", "%d is not a dynamic payload type (96 to 127)", o.PT)
	}
	if uint64(o.SSRC) > 0xffffffff {
		bad("ssrc", "%d does not fit in 32 bits", o.SSRC)
	}
	o.checkPicture(bad)
	o.checkRates(bad)
	if o.Duration < 0 {
		bad("duration", "%v is negative", o.Duration)
	}
	if o.AbsSendTimeID < 0 || o.AbsSendTimeID > 14 {
		bad("abs-send-time-id", "%d is not a one-byte extension id (1 to 14, or 0 for none; RFC 8285 §4.2)", o.AbsSendTimeID)
	}
	if _, err := config.SRTPProfile(o.SRTPSuite); err != nil {
		bad("srtp-suite", "%v", err)
	}
	if err := o.resolve(); err != nil {
		bad("to", "%v", err)
	}
	if len(problems) == 0 {
		return nil
	}
	return fmt.Errorf("%w:\n  %s", errFlags, strings.Join(problems, "\n  "))
}

func (o *options) checkPicture(bad func(flag, format string, a ...any)) {
	if o.Width < minSide || o.Width > maxWidth || o.Width%2 != 0 {
		bad("width", "%d is not an even number from %d to %d", o.Width, minSide, maxWidth)
	}
	if o.Height < minSide || o.Height > maxHeight || o.Height%2 != 0 {
		bad("height", "%d is not an even number from %d to %d", o.Height, minSide, maxHeight)
	}
	if o.FPS < 1 || o.FPS > maxFPS {
		bad("fps", "%d is not from 1 to %d", o.FPS, maxFPS)
	}
}

func (o *options) checkRates(bad func(flag, format string, a ...any)) {
	for _, r := range []struct {
		flag string
		v    int
	}{{"start", o.StartKbps}, {"min", o.MinKbps}, {"max", o.MaxKbps}} {
		if r.v < 10 || r.v > maxKbps {
			bad(r.flag, "%d kbit/s is not from 10 to %d", r.v, maxKbps)
		}
	}
	if o.MinKbps > o.MaxKbps {
		bad("min", "%d kbit/s is above -max %d", o.MinKbps, o.MaxKbps)
	} else if o.StartKbps < o.MinKbps || o.StartKbps > o.MaxKbps {
		bad("start", "%d kbit/s is not within -min %d and -max %d", o.StartKbps, o.MinKbps, o.MaxKbps)
	}
}

// resolve checks To and resolves it.
func (o *options) resolve() error {
	if o.To == "" {
		return errors.New("required: host:port of the stream's listen address")
	}
	host, port, err := net.SplitHostPort(o.To)
	if err != nil {
		return err
	}
	if host == "" || port == "0" {
		return fmt.Errorf("%q needs a host and a non-zero port", o.To)
	}
	o.remote, err = net.ResolveUDPAddr("udp", o.To)
	return err
}

// mime returns the transcoder codec name of -codec, or "".
func (o *options) mime() string {
	switch strings.ToLower(o.Codec) {
	case "h264":
		return transcoder.H264
	case "vp8":
		return transcoder.VP8
	}
	return ""
}

// bps converts kbit/s to bit/s.
func bps(kbps int) int { return kbps * 1000 }
