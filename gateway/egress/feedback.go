package egress

import (
	"sync"

	"github.com/pion/rtcp"

	"mediagate.dev/mediagate/gateway/bwe"
)

// feedback turns what a viewer reports into the one bitrate Config.OnREMB
// hears: its REMB (draft-alvestrand-rmcat-remb, delay-based) bounded by the
// loss in its receiver reports (draft-ietf-rmcat-gcc-02 §6, as a sender
// runs it). Behind a drop-tail queue that is already full, Chrome's REMB
// sees no growing delay and keeps rising while the link drops a third of
// the packets; the loss bound brings the rate back under the link.
type feedback struct {
	mu   sync.Mutex
	last float64 // the viewer's newest REMB, bit/s; 0 before the first
	loss bwe.LossBased
}

// remb files a REMB and returns the bounded rate.
func (f *feedback) remb(bitrate float64) float64 {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.last = bitrate
	return f.loss.Apply(bitrate)
}

// report files the loss of a receiver report (the worst of its blocks)
// and returns the bounded rate and whether the report moved it. Before the
// first REMB there is nothing to bound.
func (f *feedback) report(blocks []rtcp.ReceptionReport) (rate float64, moved bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(blocks) == 0 || f.last == 0 {
		return 0, false
	}
	worst := uint8(0)
	for _, b := range blocks {
		worst = max(worst, b.FractionLost)
	}
	before := f.loss.Apply(f.last)
	f.loss.Report(float64(worst)/256, before, f.last)
	rate = f.loss.Apply(f.last)
	return rate, rate != before
}
