package bwe

import "time"

// Incoming-rate window, draft-ietf-rmcat-gcc-02 §5.5: R(i) is measured over
// the last 500 ms, here in ten 50 ms bins.
const (
	rateBins     = 10
	rateBinWidth = 50 * time.Millisecond
	rateWindow   = rateBins * rateBinWidth
)

// rateMeter measures the received bit rate over a sliding window without
// allocating. Times are offsets from the estimator's origin.
type rateMeter struct {
	bytes   [rateBins + 1]int64 // one more slot for the bin still filling
	index   [rateBins + 1]int64
	first   int64 // bin of the first packet
	started bool
}

// add counts size bytes received at offset at.
func (m *rateMeter) add(at time.Duration, size int) {
	n := int64(at / rateBinWidth)
	if !m.started {
		m.started, m.first = true, n
	}
	slot := n % (rateBins + 1)
	if m.index[slot] != n {
		m.index[slot], m.bytes[slot] = n, 0
	}
	m.bytes[slot] += int64(size)
}

// rate returns the bit rate over the complete bins of the window ending at
// offset now; the bin now falls into is still filling and is left out. Until
// the window has filled once, the rate is taken over the bins seen so far.
func (m *rateMeter) rate(now time.Duration) float64 { return m.rateOver(now, rateBins) }

// recentBins is the span of the recent rate: 200 ms, short enough to show
// a bottleneck's rate within a few hundred ms of a change.
const recentBins = 4

// recent returns the bit rate over the last recentBins complete bins.
func (m *rateMeter) recent(now time.Duration) float64 { return m.rateOver(now, recentBins) }

// rateOver returns the bit rate over the last bins complete bins before
// the one now falls into (fewer until that many have been seen).
func (m *rateMeter) rateOver(now time.Duration, bins int64) float64 {
	n := int64(now / rateBinWidth)
	span := min(n-m.first, bins)
	if !m.started || span <= 0 {
		return 0
	}
	var sum int64
	for i := range m.index {
		if idx := m.index[i]; idx < n && idx >= n-span {
			sum += m.bytes[i]
		}
	}
	return float64(sum*8) / (time.Duration(span) * rateBinWidth).Seconds()
}
