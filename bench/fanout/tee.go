package main

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// teeBufferSize is the largest datagram the tee forwards; the sender's MTU is
// 1200, so anything larger is a fault and is dropped (Go's UDP reads truncate
// silently, so MSG_TRUNC is checked explicitly).
const teeBufferSize = 2048

// tee receives the sender's RTP on one loopback socket and forwards every
// datagram, unchanged and in the same loop iteration, to each server's ingest
// port, so that both servers get byte-identical input at the same instant.
// It counts the packets that came in: the denominator of the per-packet cost.
// Each send's time goes in that destination's latency probe, keyed by the
// hash of the RTP payload (latency.go): the kernel's stamp of the send
// (txstamp.go), and until the tee has read it, the tee's clock just before.
type tee struct {
	in      *net.UDPConn
	outs    []*net.UDPConn  // one connected socket per destination
	tx      []*txStamps     // per destination, the kernel's send stamps
	probes  []*latencyProbe // per destination, nil entries stamp nothing
	firstAt atomic.Int64    // UnixNano of the first packet, 0 before it

	packets   atomic.Uint64 // RTP datagrams received from the sender
	dropped   atomic.Uint64 // truncated datagrams, not forwarded
	noTxStamp atomic.Uint64 // stamped sends without the kernel's stamp
	wg        sync.WaitGroup
	log       *slog.Logger
}

// teeDest is one destination of the tee and the probe its send times are
// stamped in (nil: none).
type teeDest struct {
	addr  *net.UDPAddr
	probe *latencyProbe
}

// startTee listens on 127.0.0.1 (any free port) and forwards to dests. Each
// destination gets its own socket, so a server latching onto its sender
// (symmetric RTP, RFC 4961) sends its RTCP to that socket, where it is
// drained and discarded.
func startTee(dests []teeDest, log *slog.Logger) (*tee, error) {
	in, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		return nil, fmt.Errorf("tee listen: %w", err)
	}
	t := &tee{in: in, log: log.With("component", "tee")}
	for _, d := range dests {
		out, err := net.DialUDP("udp4", nil, d.addr)
		if err != nil {
			t.close()
			return nil, fmt.Errorf("tee to %s: %w", d.addr, err)
		}
		t.outs = append(t.outs, out)
		tx, err := newTxStamps(out)
		if err != nil {
			t.close()
			return nil, err
		}
		t.tx = append(t.tx, tx)
		t.probes = append(t.probes, d.probe)
	}
	t.wg.Add(1 + len(t.outs))
	go t.forward()
	for _, out := range t.outs {
		go t.drain(out)
	}
	return t, nil
}

// port returns the loopback port the sender must push to.
func (t *tee) port() int { return t.in.LocalAddr().(*net.UDPAddr).Port }

// count returns the number of RTP datagrams received so far.
func (t *tee) count() uint64 { return t.packets.Load() }

// rate returns the mean packets per second since the first packet.
func (t *tee) rate() float64 {
	first := t.firstAt.Load()
	if first == 0 {
		return 0
	}
	return float64(t.count()) / time.Since(time.Unix(0, first)).Seconds()
}

// forward is the tee's one read loop; it ends when the socket is closed.
func (t *tee) forward() {
	defer t.wg.Done()
	buf := make([]byte, teeBufferSize)
	for {
		n, _, flags, _, err := t.in.ReadMsgUDP(buf, nil)
		if err != nil {
			if !errors.Is(err, net.ErrClosed) {
				t.log.Warn("read failed", "err", err)
			}
			return
		}
		t.handle(buf[:n], flags)
	}
}

// handle forwards one datagram to every destination. Write errors (a server
// not listening yet answers with ICMP port unreachable) are ignored: the
// per-server delivery ratio shows whether packets got through.
func (t *tee) handle(pkt []byte, flags int) {
	if flags&syscall.MSG_TRUNC != 0 {
		t.dropped.Add(1)
		return
	}
	if t.packets.Add(1) == 1 {
		t.firstAt.Store(time.Now().UnixNano())
	}
	var h uint64
	if payload, ok := rtpPayload(pkt); ok {
		h = payloadHash(payload)
	}
	for i := range t.outs {
		t.send(i, pkt, h)
	}
}

// send writes pkt to destination i and stamps its send (payload hash h, 0
// for none) in that destination's probe: the tee's clock before the write,
// then the kernel's stamp of it.
func (t *tee) send(i int, pkt []byte, h uint64) {
	p := t.probes[i]
	if p == nil || h == 0 {
		_, _ = t.outs[i].Write(pkt)
		return
	}
	before := monoNow()
	p.stamps.put(h, before)
	_, _ = t.outs[i].Write(pkt)
	if at, ok := t.tx[i].last(); ok {
		p.teeSent(h, before, at)
	} else {
		t.noTxStamp.Add(1)
	}
}

// drain reads and discards what a server sends back (RTCP receiver reports
// and keyframe requests) so that the socket's buffer never fills.
func (t *tee) drain(c *net.UDPConn) {
	defer t.wg.Done()
	buf := make([]byte, teeBufferSize)
	for {
		if _, err := c.Read(buf); err != nil && errors.Is(err, net.ErrClosed) {
			return
		}
	}
}

// close stops forwarding and waits for the tee's goroutines.
func (t *tee) close() {
	_ = t.in.Close()
	for _, out := range t.outs {
		_ = out.Close()
	}
	t.wg.Wait()
	if n := t.dropped.Load(); n > 0 {
		t.log.Warn("dropped truncated datagrams", "count", n)
	}
	if n := t.noTxStamp.Load(); n > 0 {
		t.log.Warn("sends without the kernel's timestamp (their latency counts from the tee's clock)", "count", n)
	}
}
