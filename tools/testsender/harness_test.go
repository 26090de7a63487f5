//go:build cgo

package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/netip"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/pion/rtcp"
	"github.com/pion/rtp"
	"github.com/pion/srtp/v3"
)

// receiver is the tests' tiny RTP receiver on loopback: it records every
// RTP (or SRTP, opened with the sender's key) packet and sends RTCP back to
// the sender's address, as SRTCP when keyed.
type receiver struct {
	t    *testing.T
	conn *net.UDPConn
	rx   *srtp.Context // nil for plain RTP
	tx   *srtp.Context

	mu    sync.Mutex
	pkts  []rxPacket
	rtcp  []rtcp.Packet // the sender's reports
	peer  netip.AddrPort
	bad   int // packets that did not open or parse
	first chan struct{}
	done  chan struct{}
}

// rxPacket is one packet as it arrived.
type rxPacket struct {
	at      time.Time
	hdr     rtp.Header
	payload []byte
	wire    int // bytes on the wire, SRTP tag included
}

func newReceiver(t *testing.T, keys *srtpKeys) *receiver {
	t.Helper()
	conn, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	_ = conn.SetReadBuffer(4 << 20)
	r := &receiver{t: t, conn: conn, first: make(chan struct{}), done: make(chan struct{})}
	if keys != nil {
		if r.rx, err = srtp.CreateContext(keys.key, keys.salt, keys.profile, srtp.SRTPReplayProtection(64)); err != nil {
			t.Fatal(err)
		}
		if r.tx, err = srtp.CreateContext(keys.key, keys.salt, keys.profile); err != nil {
			t.Fatal(err)
		}
	}
	go r.loop()
	t.Cleanup(func() {
		conn.Close()
		<-r.done
	})
	return r
}

// addr is where the sender sends to.
func (r *receiver) addr() string { return r.conn.LocalAddr().String() }

func (r *receiver) loop() {
	defer close(r.done)
	buf := make([]byte, 2048)
	for {
		n, from, err := r.conn.ReadFromUDPAddrPort(buf)
		if err != nil {
			return
		}
		r.record(time.Now(), buf[:n], from)
	}
}

func (r *receiver) record(at time.Time, b []byte, from netip.AddrPort) {
	wire := len(b)
	b = append([]byte(nil), b...) // the header's extensions point into b
	if isRTCP(b) {
		r.recordRTCP(b)
		return
	}
	if r.rx != nil {
		var err error
		if b, err = r.rx.DecryptRTP(nil, b, nil); err != nil {
			r.mu.Lock()
			r.bad++
			r.mu.Unlock()
			return
		}
	}
	var p rtp.Packet
	err := p.Unmarshal(b)
	r.mu.Lock()
	defer r.mu.Unlock()
	if err != nil {
		r.bad++
		return
	}
	if !r.peer.IsValid() {
		r.peer = from
		close(r.first)
	}
	r.pkts = append(r.pkts, rxPacket{at: at, hdr: p.Header, payload: p.Payload, wire: wire})
}

// recordRTCP keeps the sender's RTCP; SRTCP that does not open is bad.
func (r *receiver) recordRTCP(b []byte) {
	var err error
	if r.rx != nil {
		b, err = r.rx.DecryptRTCP(nil, b, nil)
	}
	var pkts []rtcp.Packet
	if err == nil {
		pkts, err = rtcp.Unmarshal(b)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if err != nil {
		r.bad++
		return
	}
	r.rtcp = append(r.rtcp, pkts...)
}

// waitFirst waits for the first RTP packet.
func (r *receiver) waitFirst() {
	r.t.Helper()
	select {
	case <-r.first:
	case <-time.After(5 * time.Second):
		r.t.Fatal("no RTP packet within 5 s")
	}
}

// send sends an RTCP compound to the sender, as SRTCP when keyed.
func (r *receiver) send(pkts ...rtcp.Packet) {
	r.t.Helper()
	raw, err := rtcp.Marshal(pkts)
	if err != nil {
		r.t.Fatal(err)
	}
	if r.tx != nil {
		if raw, err = r.tx.EncryptRTCP(nil, raw, nil); err != nil {
			r.t.Fatal(err)
		}
	}
	r.mu.Lock()
	peer := r.peer
	r.mu.Unlock()
	if _, err := r.conn.WriteToUDPAddrPort(raw, peer); err != nil {
		r.t.Fatal(err)
	}
}

// sendREMB sends a receiver report with a REMB, as the gateway does.
func (r *receiver) sendREMB(bps float32) {
	r.send(&rtcp.ReceiverReport{SSRC: 0x5eed}, &rtcp.ReceiverEstimatedMaximumBitrate{SenderSSRC: 0x5eed, Bitrate: bps})
}

// packets returns a copy of what arrived so far.
func (r *receiver) packets() []rxPacket {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]rxPacket(nil), r.pkts...)
}

// mediaRate is the bit rate of the packets whose RTP timestamps (90 kHz)
// lie from seconds from to to after the first packet's: what the encoder
// made per second of video, however the packets were scheduled on a busy
// machine.
func (r *receiver) mediaRate(from, to time.Duration) float64 {
	pkts := r.packets()
	if len(pkts) == 0 {
		return 0
	}
	base, bytes := pkts[0].hdr.Timestamp, 0
	lo, hi := uint32(from.Seconds()*90000), uint32(to.Seconds()*90000)
	for _, p := range pkts {
		if d := p.hdr.Timestamp - base; d >= lo && d < hi && int32(d) >= 0 {
			bytes += p.wire
		}
	}
	return float64(bytes*8) / (to - from).Seconds()
}

// rate is the bit rate of the packets that arrived in [from, to).
func (r *receiver) rate(from, to time.Time) float64 {
	bytes := 0
	for _, p := range r.packets() {
		if !p.at.Before(from) && p.at.Before(to) {
			bytes += p.wire
		}
	}
	return float64(bytes*8) / to.Sub(from).Seconds()
}

// cli is a run of the command line, as a binary runs it, with its -stats
// lines parsed as they come.
type cli struct {
	stop   context.CancelFunc
	lines  chan statLine
	status chan int
	stderr *syncBuffer
}

// startCLI runs the command line args with env as its environment until
// -duration ends or stop is called; cleanup stops it.
func startCLI(t *testing.T, env map[string]string, args ...string) *cli {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	c := &cli{stop: cancel, lines: make(chan statLine, 4096), status: make(chan int, 1), stderr: &syncBuffer{}}
	go func() {
		defer close(c.lines)
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			var l statLine
			if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
				t.Errorf("stats line %q: %v", sc.Text(), err)
				continue
			}
			c.lines <- l
		}
	}()
	go func() {
		c.status <- runContext(ctx, args, func(k string) string { return env[k] }, pw, c.stderr)
		pw.Close()
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case code := <-c.status:
			c.status <- code
		case <-time.After(15 * time.Second):
			t.Error("testsender did not stop")
		}
	})
	return c
}

// waitStat returns the first stats line that satisfies ok, within timeout.
func (c *cli) waitStat(t *testing.T, timeout time.Duration, what string, ok func(statLine) bool) statLine {
	t.Helper()
	deadline := time.After(timeout)
	for {
		select {
		case l, open := <-c.lines:
			if !open {
				t.Fatalf("stats ended before %s; stderr:\n%s", what, c.stderr)
			}
			if ok(l) {
				return l
			}
		case <-deadline:
			t.Fatalf("no stats line with %s within %v; stderr:\n%s", what, timeout, c.stderr)
		}
	}
}

// wait returns the exit status, within timeout.
func (c *cli) wait(t *testing.T, timeout time.Duration) int {
	t.Helper()
	select {
	case code := <-c.status:
		c.status <- code
		return code
	case <-time.After(timeout):
		t.Fatalf("testsender did not stop within %v", timeout)
		return -1
	}
}

// syncBuffer is a bytes.Buffer safe for a writer and a reader.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// waitRTCP waits up to 2 s for an RTCP packet from the sender that
// satisfies ok.
func (r *receiver) waitRTCP(t *testing.T, what string, ok func(rtcp.Packet) bool) {
	t.Helper()
	for deadline := time.Now().Add(2 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		r.mu.Lock()
		found := slices.ContainsFunc(r.rtcp, ok)
		r.mu.Unlock()
		if found {
			return
		}
	}
	t.Errorf("no RTCP with %s from the sender", what)
}
