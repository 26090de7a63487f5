package codec

import (
	"strings"
	"sync"
	"sync/atomic"
)

// ParameterSetMemory keeps the latest parameter sets an H.264 or H.265
// stream sent in band — SPS and PPS, or VPS, SPS and PPS — so that a
// receiver that joins later can be given them before a keyframe that
// lacks them: cameras often send them with the first IDR only (libx265
// without repeat-headers), or before IDR pictures but not before CRA
// pictures (GStreamer's rtph265pay). Observe runs on the writer's path:
// a payload whose first NAL unit is no parameter set nor aggregation
// packet costs one byte test. Sets may be called from any goroutine. A
// nil *ParameterSetMemory (another codec) observes and returns nothing.
type ParameterSetMemory struct {
	h265 bool
	mu   sync.Mutex   // serialises Observe's writers
	sets [3][]byte    // VPS (H.265 only), SPS, PPS; guarded by mu
	all  atomic.Value // [][]byte: the complete sets in decoding order
}

// NewParameterSetMemory returns the memory of an H.264 or H.265 track, or
// nil for another MIME type.
func NewParameterSetMemory(mimeType string) *ParameterSetMemory {
	switch {
	case strings.EqualFold(mimeType, MimeH264):
		return &ParameterSetMemory{}
	case strings.EqualFold(mimeType, MimeH265):
		return &ParameterSetMemory{h265: true}
	}
	return nil
}

// Observe notes the parameter sets one RTP payload carries whole, as a
// single NAL unit packet or in an aggregation packet (RFC 6184 §5.6,
// §5.7.1; RFC 7798 §4.4.1, §4.4.2). Fragmented ones are not reassembled.
func (m *ParameterSetMemory) Observe(payload []byte) {
	if m == nil || len(payload) == 0 || !m.mayCarry(payload[0]) {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	changed := false
	note := func(nal []byte) bool {
		if i := m.slot(nal[0]); i >= 0 && string(m.sets[i]) != string(nal) {
			m.sets[i] = append([]byte(nil), nal...)
			changed = true
		}
		return true
	}
	if m.h265 {
		_ = WalkH265NALs(payload, note)
	} else {
		_ = WalkH264NALs(payload, note)
	}
	if !changed {
		return
	}
	first := 1
	if m.h265 {
		first = 0
	}
	all := make([][]byte, 0, 3)
	for _, s := range m.sets[first:] {
		if s == nil {
			return
		}
		all = append(all, s)
	}
	m.all.Store(all)
}

// Sets returns the latest complete parameter sets in decoding order (SPS
// and PPS; VPS, SPS and PPS), or nil before all were seen. The result
// must not be modified.
func (m *ParameterSetMemory) Sets() [][]byte {
	if m == nil {
		return nil
	}
	all, _ := m.all.Load().([][]byte)
	return all
}

// mayCarry tests a payload's first byte: a parameter set or an
// aggregation packet.
func (m *ParameterSetMemory) mayCarry(b byte) bool {
	if m.h265 {
		t := H265NALType(b)
		return t == H265AP || t >= H265VPS && t <= H265PPS
	}
	t := H264NALType(b)
	return t == H264STAPA || t == H264SPS || t == H264PPS
}

// slot is the index in sets of a parameter set's NAL header, or -1.
func (m *ParameterSetMemory) slot(header byte) int {
	if m.h265 {
		if t := H265NALType(header); t >= H265VPS && t <= H265PPS {
			return int(t - H265VPS)
		}
		return -1
	}
	switch H264NALType(header) {
	case H264SPS:
		return 1
	case H264PPS:
		return 2
	}
	return -1
}
