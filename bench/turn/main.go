// Command turn benchmarks mediagate's TURN server against coturn (Debian's
// turnserver) under the same loopback load, in one run: relayed packets per
// second, server CPU per relayed packet, packets per CPU-second (throughput
// per core), and the ratio of the two servers.
//
// Each server runs in its own process, so that its CPU time can be read
// from /proc: mediagate's is this program started again with -serve, on
// the turn package with the gateway's policy (the peer stands in for the
// ICE socket); coturn's is turnserver with TURN REST auth and loopback
// peers allowed. The load is generated here: a few clients that allocate
// with REST credentials, bind a channel to one UDP peer, and then carry
// ChannelData in both directions, one direction at a time: from the peer
// to the clients (media toward viewers), then from the clients to the peer.
// Payloads are all -size bytes unless -vary makes them differ from one
// datagram to the next, which leaves the server fewer runs of alike
// datagrams to send segmented (UDP GSO). See docs/turn.md.
//
//	go run ./bench/turn [-duration 5s] [-rate 40000] [-clients 4] [-size 1000] [-vary 0]
//
// It needs coturn's turnserver (scripts/install-deps.sh test installs it)
// and nothing else; it does not need root.
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	"time"
)

// options are the command-line flags.
type options struct {
	duration time.Duration // measurement window of each server and direction
	rate     int           // offered datagrams per second, all clients together; 0 = as fast as possible
	clients  int
	size     int // payload bytes per datagram
	vary     int // up to this many bytes fewer, datagram by datagram
	serve    string
}

func main() {
	os.Exit(run(os.Args[1:]))
}

// run is main with an exit status.
func run(args []string) int {
	fs := flag.NewFlagSet("turn", flag.ContinueOnError)
	var o options
	fs.DurationVar(&o.duration, "duration", 5*time.Second, "measurement window per server and direction")
	fs.IntVar(&o.rate, "rate", 40000, "offered datagrams per second in total; 0 sends as fast as possible")
	fs.IntVar(&o.clients, "clients", 4, "TURN clients (allocations), 1 to 64")
	fs.IntVar(&o.size, "size", 1000, "payload bytes per datagram, 16 to 1400")
	fs.IntVar(&o.vary, "vary", 0, "vary payloads by up to this many bytes below -size (0: all alike)")
	fs.StringVar(&o.serve, "serve", "", "internal: run mediagate's TURN server with this JSON config")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if o.serve != "" {
		return serveMediagate(o.serve)
	}
	if o.clients < 1 || o.clients > 64 || o.size < 16 || o.size > 1400 || o.vary < 0 || o.size-o.vary < 16 ||
		o.rate < 0 || o.duration <= 0 {
		fmt.Fprintln(os.Stderr, "turn: -clients 1..64, -size 16..1400, -vary 0..size-16, -rate >= 0, -duration > 0")
		return 2
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	results, err := benchmark(ctx, o, log)
	if err != nil {
		log.Error("benchmark failed", "err", err)
		return 1
	}
	if err := printTable(os.Stdout, o, results); err != nil {
		return 1
	}
	return 0
}
