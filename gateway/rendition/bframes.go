package rendition

import (
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"mediagate.dev/mediagate/gateway/stream"
	"mediagate.dev/mediagate/internal/codec"
	"mediagate.dev/mediagate/transcoder"
)

// B-frame detection bounds. Browsers (Safari above all) play H.264 with
// B-frames badly over WebRTC — black or stuttering video — so a source
// that sends them is transcoded to constrained baseline for browsers.
const (
	// bframeWait is how long the first viewer's offer waits for a verdict.
	bframeWait = 500 * time.Millisecond
	// bframeVerdict is how many P slices without a B slice clear a source.
	bframeVerdict = 8
	// bframeWatch is how many P slices the probe watches before it rests.
	bframeWatch = 300
)

// bframeProbe watches an H.264 track's slice headers for B slices.
type bframeProbe struct {
	seen    atomic.Bool
	decided chan struct{}
	once    sync.Once
}

func (b *bframeProbe) decide() { b.once.Do(func() { close(b.decided) }) }

// bframes reports whether src, an H.264 track of st, carries B-frames. The
// first call for a track starts a probe and waits up to bframeWait for its
// verdict; baseline sources cannot have B-frames and are not probed.
func (m *Manager) bframes(st *stream.Stream, src *stream.Track) bool {
	if !strings.EqualFold(src.Codec.MimeType, transcoder.H264) || baselineSource(src.Codec) {
		return false
	}
	m.mu.Lock()
	probe := m.probes[src]
	if probe == nil {
		probe = &bframeProbe{decided: make(chan struct{})}
		m.probes[src] = probe
		go m.probe(st, src, probe)
	}
	m.mu.Unlock()
	select {
	case <-probe.decided:
	case <-time.After(bframeWait):
	}
	return probe.seen.Load()
}

// baselineSource reports a source whose fmtp says baseline profile, which
// has no B-frames (H.264 §A.2.1).
func baselineSource(c stream.Codec) bool {
	p, _, _, ok := codec.ProfileLevelID(c.Fmtp)
	return ok && p == 66
}

// probe reads slice types until it has a verdict and has watched a while,
// then keeps the verdict until the stream's removal. Without a verdict (the
// source sent nothing), it forgets the track at once, so that the next
// viewer probes again.
func (m *Manager) probe(st *stream.Stream, src *stream.Track, b *bframeProbe) {
	defer func() {
		m.mu.Lock()
		delete(m.probes, src)
		m.mu.Unlock()
	}()
	verdict := m.watchSlices(st, src, b)
	b.decide()
	if verdict {
		<-st.Closed()
	}
}

// watchSlices reads the track's slice types; it reports whether it reached
// a verdict: a B slice, or bframeVerdict P slices without one.
func (m *Manager) watchSlices(st *stream.Stream, src *stream.Track, b *bframeProbe) bool {
	sub := src.Subscribe(64)
	defer sub.Close()
	timeout := time.NewTimer(10 * time.Second)
	defer timeout.Stop()
	pSlices := 0
	for pSlices < bframeWatch {
		select {
		case p := <-sub.Packets():
			switch t, ok := payloadSliceType(p.Payload); {
			case !ok:
			case t == 1:
				b.seen.Store(true)
				m.log.Info("source sends B-frames: browsers get constrained baseline", "stream", st.Name)
				return true
			case t == 0:
				if pSlices++; pSlices == bframeVerdict {
					b.decide()
				}
			}
		case <-timeout.C:
			return pSlices >= bframeVerdict
		case <-st.Closed():
			return false
		}
	}
	return true
}

// payloadSliceType reads the slice type at the start of an RTP payload:
// a single slice NAL unit or the first fragment of an FU-A (RFC 6184 §5.6,
// §5.8), parsed by internal/codec.
func payloadSliceType(p []byte) (int, bool) {
	if fu, err := codec.ParseH264FUA(p); err == nil {
		if !fu.Start || len(fu.Data) == 0 {
			return 0, false
		}
		return codec.SliceType(fu.NALHead(16))
	}
	return codec.SliceType(p)
}
