package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	os.Exit(run(os.Args[1:], os.Getenv, os.Stdout, os.Stderr))
}

// run sends until -duration ends or SIGINT/SIGTERM arrives.
func run(args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	return runContext(ctx, args, getenv, stdout, stderr)
}

// runContext parses args and sends until -duration ends or ctx does. It
// returns the exit status: 0 after a clean stop, 2 for bad flags or a bad
// key, 1 for any other failure.
func runContext(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	opts, err := parseFlags(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err == nil {
		var keys *srtpKeys
		if keys, err = loadSRTP(opts, getenv); err == nil {
			return send(ctx, opts, keys, stdout, stderr)
		}
	}
	fmt.Fprintf(stderr, "testsender: %v\n", err)
	return 2
}

// send runs the sender for opts.
func send(ctx context.Context, opts *options, keys *srtpKeys, stdout, stderr io.Writer) int {
	log := slog.New(slog.NewTextHandler(stderr, nil))
	if opts.Duration > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, opts.Duration)
		defer cancel()
	}
	s, err := newSender(opts, keys, log)
	if err != nil {
		log.Error("cannot start", "err", err)
		return 1
	}
	if opts.Stats {
		s.stats = stdout
	}
	if err := s.run(ctx); err != nil {
		log.Error("sending failed", "err", err)
		return 1
	}
	return 0
}

// parseFlags reads the command line into options and validates them.
func parseFlags(args []string, stderr io.Writer) (*options, error) {
	o := defaultOptions()
	fs := flag.NewFlagSet("testsender", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.To, "to", o.To, "where to send, host:port (the stream's listen port); RTCP comes back on the same socket")
	fs.StringVar(&o.Codec, "codec", o.Codec, "video codec: h264 | vp8")
	fs.IntVar(&o.PT, "pt", o.PT, "RTP payload type, 96 to 127")
	fs.UintVar(&o.SSRC, "ssrc", o.SSRC, "RTP SSRC; 0 picks a random one")
	fs.IntVar(&o.Width, "width", o.Width, "picture width, even, 64 to 1920")
	fs.IntVar(&o.Height, "height", o.Height, "picture height, even, 64 to 1088")
	fs.IntVar(&o.FPS, "fps", o.FPS, "frames per second, 1 to 60")
	fs.IntVar(&o.StartKbps, "start", o.StartKbps, "starting bitrate in kbit/s, before any REMB")
	fs.IntVar(&o.MinKbps, "min", o.MinKbps, "lowest bitrate a REMB can set, kbit/s")
	fs.IntVar(&o.MaxKbps, "max", o.MaxKbps, "highest bitrate a REMB can set, kbit/s")
	fs.DurationVar(&o.Duration, "duration", o.Duration, "how long to send (\"30s\"); 0 sends until SIGINT or SIGTERM")
	fs.IntVar(&o.AbsSendTimeID, "abs-send-time-id", o.AbsSendTimeID, "RFC 8285 one-byte extension id of abs-send-time, 1 to 14; 0 sends none")
	fs.StringVar(&o.SRTPSuite, "srtp-suite", o.SRTPSuite, "SRTP crypto suite, used when a key is given")
	fs.StringVar(&o.SRTPKeyFile, "srtp-key-file", o.SRTPKeyFile,
		"file holding the base64 SRTP master key and salt (or set "+keyEnv+"); either turns SRTP on")
	fs.BoolVar(&o.Stats, "stats", o.Stats, "write one JSON line of statistics per 100 ms to stdout")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("%w: unexpected argument %q", errFlags, fs.Arg(0))
	}
	if err := o.validate(); err != nil {
		return nil, err
	}
	return o, nil
}
