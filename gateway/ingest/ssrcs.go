package ingest

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"mediagate.dev/mediagate/gateway/stream"
	"mediagate.dev/mediagate/internal/codec"
)

// maxSSRCs bounds the SSRCs a source keeps statistics for: one per track
// and room for newcomers on probation. The least recently seen SSRC that is
// no track's current one makes room for a new one.
const maxSSRCs = 4

// windowSize is how many recent sequence numbers the duplicate filter
// remembers; it covers MAX_MISORDER, the oldest reordering A.1 accepts.
const windowSize = 128

// trackState is what the source knows about one of its stream's tracks.
// Guarded by Source.mu.
type trackState struct {
	track    *stream.Track
	keyframe func(payload []byte) bool // resolved once from the MIME type
	check    *payloadCheck             // nil for audio
	jitter   prometheus.Gauge
	ssrc     uint32 // the SSRC now feeding the track
	hasSSRC  bool
	lastSeen time.Time // last packet delivered to the track
	// switchedAt is when a new SSRC last took the track over.
	switchedAt time.Time
}

// maySwitch reports whether a new SSRC from the latched sender may take
// the track over at now. Only the latched address and port reach here
// (and, under SRTP, only packets that authenticated), so a new SSRC is the
// same camera restarted: it switches at once, as soon as it passes
// probation (RFC 3550 A.1). At most one such switch happens per
// relatchAfter; within that time a further SSRC waits until the current
// one has been silent for relatchAfter, so two SSRCs interleaved (or
// sprayed) at the latched address do not flap the track between them.
func (ts *trackState) maySwitch(now time.Time, relatchAfter time.Duration) bool {
	return ts.switchedAt.IsZero() || now.Sub(ts.switchedAt) >= relatchAfter ||
		now.Sub(ts.lastSeen) >= relatchAfter
}

func newTrackState(t *stream.Track, jitter prometheus.Gauge) *trackState {
	return &trackState{track: t, jitter: jitter, keyframe: codec.KeyframeDetector(t.Codec.MimeType),
		check: newPayloadCheck(t.Kind, t.Codec.MimeType)}
}

// forget drops the track's SSRC at the end of a sender's session.
func (ts *trackState) forget() { ts.ssrc, ts.hasSSRC, ts.switchedAt = 0, false, time.Time{} }

// ssrcTable holds the receive statistics of at most maxSSRCs SSRCs.
type ssrcTable struct {
	slots [maxSSRCs]rxStats
	inUse [maxSSRCs]bool
}

// find returns the statistics of ssrc, or nil.
func (t *ssrcTable) find(ssrc uint32) *rxStats {
	for i := range t.slots {
		if t.inUse[i] && t.slots[i].ssrc == ssrc {
			return &t.slots[i]
		}
	}
	return nil
}

// slot returns a slot for a new SSRC: a free one, or else the least
// recently seen one that feeds none of tracks.
func (t *ssrcTable) slot(tracks []*trackState) *rxStats {
	victim := -1
	for i := range t.slots {
		if !t.inUse[i] {
			t.inUse[i] = true
			return &t.slots[i]
		}
		if current(tracks, t.slots[i].ssrc) {
			continue
		}
		if victim < 0 || t.slots[i].lastSeen.Before(t.slots[victim].lastSeen) {
			victim = i
		}
	}
	if victim < 0 { // unreachable while tracks < maxSSRCs
		victim = 0
	}
	return &t.slots[victim]
}

func current(tracks []*trackState, ssrc uint32) bool {
	for _, ts := range tracks {
		if ts.hasSSRC && ts.ssrc == ssrc {
			return true
		}
	}
	return false
}

// reset forgets every SSRC.
func (t *ssrcTable) reset() { *t = ssrcTable{} }

// seqWindow remembers which of the last windowSize extended sequence
// numbers were received, as a ring of bits.
type seqWindow struct {
	top   int64
	bits  [windowSize / 64]uint64
	valid bool
}

func (w *seqWindow) reset() { *w = seqWindow{} }

// has reports whether ext was received. Numbers above the window's top or
// below its bottom are not known to be duplicates.
func (w *seqWindow) has(ext int64) bool {
	if !w.valid || ext > w.top || w.top-ext >= windowSize {
		return false
	}
	i := uint64(ext) % windowSize
	return w.bits[i/64]>>(i%64)&1 == 1
}

// add records ext, sliding the window forward when ext is a new top.
func (w *seqWindow) add(ext int64) {
	switch {
	case !w.valid:
		w.valid, w.top = true, ext
	case ext > w.top && ext-w.top >= windowSize:
		w.bits = [windowSize / 64]uint64{}
		w.top = ext
	case ext > w.top:
		for e := w.top + 1; e <= ext; e++ {
			i := uint64(e) % windowSize
			w.bits[i/64] &^= 1 << (i % 64)
		}
		w.top = ext
	case w.top-ext >= windowSize:
		return
	}
	i := uint64(ext) % windowSize
	w.bits[i/64] |= 1 << (i % 64)
}
