package main

import (
	"context"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/pion/rtp"
)

// frameOf returns n packets with payloads of size bytes.
func frameOf(n, size int) []packet {
	out := make([]packet, n)
	for i := range out {
		out[i] = packet{hdr: rtp.Header{Version: 2, SequenceNumber: uint16(i)}, payload: make([]byte, size)}
	}
	return out
}

// TestPacerSpreadsFrames checks the pacer's schedule on a fake clock: a
// frame that arrives after an idle second leaves spread at 2.5× the
// target, its first packet at once and no burst saved up by the idle time;
// a backlog bigger than maxQueueDelay at that rate drains in
// maxQueueDelay.
func TestPacerSpreadsFrames(t *testing.T) {
	for _, tc := range []struct {
		name       string
		target     int
		n, size    int
		wantSpread time.Duration // first to last packet
	}{
		// 10 packets of 1212 bytes at 2.5 Mbit/s: 3.88 ms apart.
		{"1 Mbit/s", 1_000_000, 10, 1200, 9 * 3878400 * time.Nanosecond},
		{"4 Mbit/s", 4_000_000, 10, 1200, 9 * 969600 * time.Nanosecond},
		// 100 packets at 100 kbit/s would take 3.9 s at 2.5×: the queue
		// limit raises the rate to send them within 250 ms.
		{"backlog", 100_000, 100, 1200, 250 * time.Millisecond},
	} {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				var mu sync.Mutex
				var sent []time.Time
				p := newPacer(tc.target, func(*packet) {
					mu.Lock()
					sent = append(sent, time.Now())
					mu.Unlock()
				})
				ctx, cancel := context.WithCancel(context.Background())
				done := make(chan struct{})
				go func() { p.run(ctx); close(done) }()
				p.enqueue(frameOf(1, 100)) // then idle for a second
				time.Sleep(time.Second)
				synctest.Wait()
				mu.Lock()
				sent = nil
				mu.Unlock()
				start := time.Now()
				p.enqueue(frameOf(tc.n, tc.size))
				time.Sleep(5 * time.Second)
				synctest.Wait()
				cancel()
				<-done
				if len(sent) != tc.n {
					t.Fatalf("sent %d packets, want %d", len(sent), tc.n)
				}
				if sent[0] != start {
					t.Errorf("first packet after %v, want at once", sent[0].Sub(start))
				}
				spread := sent[tc.n-1].Sub(sent[0])
				if spread < tc.wantSpread*9/10 || spread > tc.wantSpread*11/10 {
					t.Errorf("frame spread over %v, want about %v", spread, tc.wantSpread)
				}
			})
		})
	}
}

// TestPacerCatchesUp: a pacer that fell behind (woken late) sends what it
// owes at once, up to maxLag, and forgives the rest.
func TestPacerCatchesUp(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var sent []time.Time
		block := make(chan struct{})
		first := true
		p := newPacer(1_000_000, func(*packet) {
			if first { // the first send stalls 100 ms, as a busy machine would
				first = false
				<-block
			}
			sent = append(sent, time.Now())
		})
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() { p.run(ctx); close(done) }()
		p.enqueue(frameOf(40, 1200))
		time.Sleep(100 * time.Millisecond)
		close(block)
		time.Sleep(time.Second)
		synctest.Wait()
		cancel()
		<-done
		burst := 0
		for _, at := range sent {
			if at.Equal(sent[0]) {
				burst++
			}
		}
		// 20 ms at 2.5 Mbit/s is 5.2 packets of 1212 bytes, plus the
		// stalled one.
		if burst < 6 || burst > 7 {
			t.Errorf("%d packets sent at once after the stall, want 6 or 7", burst)
		}
	})
}
