package bwe

import (
	"bufio"
	"fmt"
	"os"
	"testing"
	"time"
)

func TestZZReplay(t *testing.T) {
	p := os.Getenv("BWE_REPLAY")
	if p == "" {
		t.Skip()
	}
	f, _ := os.Open(p)
	defer f.Close()
	e := New(Config{MinBitrate: 100_000, MaxBitrate: 6_000_000, StartBitrate: 2_000_000})
	sc := bufio.NewScanner(f)
	var first int64
	lastPrint := time.Duration(-1)
	for sc.Scan() {
		var at, send int64
		var size int
		var seq uint16
		fmt.Sscanf(sc.Text(), "%d %d %d %d", &at, &send, &size, &seq)
		if first == 0 {
			first = at
		}
		e.mu.Lock()
		st := e.rate.state
		e.mu.Unlock()
		e.OnPacket(time.Unix(0, at), time.Duration(send), size, seq)
		rel := time.Duration(at - first)
		e.mu.Lock()
		if e.rate.state != st && e.rate.state == stateHold && st == stateDecrease || rel-lastPrint > 100*time.Millisecond || e.detector.state == usageOver {
			lastPrint = rel
			fmt.Printf("%7.3f m=%7.2f thr=%6.2f st=%d rs=%d rate=%5.0fk R=%5.0fk loss=%5.0fk avgMax=%6.0f acc=%7.1f\n", rel.Seconds(),
				float64(min(e.trend.deltas, trendMaxDeltas))*e.trend.trend*trendGain, e.detector.threshold, e.detector.state, e.rate.state,
				e.delay/1000, e.incoming.rate(e.offset(time.Unix(0, at)))/1000, e.loss.bound/1000, e.rate.avgMax, e.trend.accumulated)
		}
		e.mu.Unlock()
	}
}
