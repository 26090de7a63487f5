package egress

import (
	"testing"

	"github.com/pion/rtcp"
)

// TestFeedbackBoundsREMBByLoss: behind a full drop-tail queue the REMB
// stays high while the receiver reports lose 30%; the rate handed on falls
// with each report, holds under moderate loss, and returns to the REMB once
// the loss is gone.
func TestFeedbackBoundsREMBByLoss(t *testing.T) {
	var f feedback
	lost := func(p float64) []rtcp.ReceptionReport {
		return []rtcp.ReceptionReport{{SSRC: 1, FractionLost: 0}, {SSRC: 2, FractionLost: uint8(p * 256)}}
	}
	if _, moved := f.report(lost(0.3)); moved {
		t.Fatal("a report before any REMB moved the rate")
	}
	if got := f.remb(1_400_000); got != 1_400_000 {
		t.Fatalf("first REMB handed on as %v", got)
	}
	rate, moved := f.report(lost(0.3))
	if !moved || rate > 1_400_000*0.86 || rate < 1_400_000*0.84 {
		t.Fatalf("30%% loss: rate %v moved %v, want about 0.85 × 1.4 Mbit/s", rate, moved)
	}
	if got := f.remb(1_450_000); got != rate {
		t.Errorf("a higher REMB under the loss bound handed on %v, want the bound %v", got, rate)
	}
	if r, moved := f.report(lost(0.05)); moved || r != rate {
		t.Errorf("5%% loss moved the rate to %v", r)
	}
	for range 30 {
		rate, _ = f.report(lost(0))
	}
	if rate != 1_450_000 {
		t.Errorf("after the loss ended the rate is %v, want the REMB", rate)
	}
}
