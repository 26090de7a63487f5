package egress

import (
	"strings"
	"time"

	"mediagate.dev/mediagate/gateway/stream"
	"mediagate.dev/mediagate/internal/codec"
)

// Instant start: a viewer who joins between the source's keyframes should
// see the current picture at once, not wait up to a GOP. When its video
// track goes live, the forwarder looks at the source's GOP memory
// (stream.Track.GOP):
//
//   - the keyframe is at most replayFrames pictures old: the GOP is replayed
//     to the viewer (a few frames, within the jitter buffer's reach);
//   - it is older: the viewer starts on the stream's bridge (Bridges),
//     whose first packet is a key frame of the current picture, and
//     switches to the source at its next keyframe, with its sequence
//     numbers, timestamps and SSRC continuing (outbound.Track.Switch);
//   - no GOP is remembered, the stream waits by config, or the bridges are
//     at their bound: it waits for the next keyframe, as before.
//
// Audio starts at once; transcoded renditions start on their encoder's
// key frame.

// Bridges starts viewers on a bridge (gateway/rendition implements it).
type Bridges interface {
	// Bridge returns a subscription of depth packets to the bridge of src,
	// a video track of st, whose first key frame is the current picture,
	// and the function that gives the viewer's place back (called once).
	// With an error the viewer waits for the source's keyframe.
	Bridge(st *stream.Stream, src *stream.Track, depth int) (*stream.Subscription, func(), error)
	// Warm gets src's bridge ready for a viewer who is still connecting.
	Warm(st *stream.Stream, src *stream.Track)
}

// The start modes, as mediagate_start_joins_total labels them.
const (
	startBridge    = "bridge"
	startKeyframe  = "keyframe"
	startWait      = "wait"
	startRendition = "rendition"
)

var startModes = []string{startBridge, startKeyframe, startWait, startRendition}

// replayFrames is the most pictures a GOP may have to be replayed to a
// joiner rather than bridged: at 30 fps a replay of three pictures puts
// the viewer 100 ms behind, which its jitter buffer absorbs.
const replayFrames = 3

// starter is the start state of one video forwarder.
type starter struct {
	mode     string     // how the track started; "" until it went live
	joinedAt time.Time  // when it went live
	sentAny  bool       // its first decodable frame went out
	replay   stream.GOP // the GOP replayed: live packets it holds were sent already
	release  func()     // gives the bridge back; nil when not on one
	// bridgePT stamps the bridge's packets when its format is not the
	// source's (an H.265 source's bridge is H.264); 0 keeps the binding's.
	bridgePT uint8
}

// warm readies the stream's bridge while the viewer connects, when its
// join will need one.
func (f *forwarder) warm() {
	if f.plan.rendition != nil || f.v.m.cfg.Bridges == nil {
		return
	}
	if bridgedInH264(f.plan.src) && f.plan.bridge == nil {
		return
	}
	if gop := f.plan.src.GOP(); gop.Frames() > replayFrames {
		f.v.m.cfg.Bridges.Warm(f.v.stream, f.plan.src)
	}
}

// bridgedInH264 reports whether src's bridge is in another codec than src
// (an H.265 camera's is H.264), so that it needs a payload type of its own.
func bridgedInH264(src *stream.Track) bool {
	return strings.EqualFold(src.Codec.MimeType, codec.MimeH265)
}

// start picks how a video track that just went live starts, and replays
// the GOP when that is the way.
func (f *forwarder) start(now time.Time) {
	f.st.joinedAt = now
	f.st.mode = startWait
	if f.plan.rendition != nil {
		f.st.mode = startRendition
		f.v.metrics.starts[f.st.mode].Inc()
		return
	}
	gop := f.plan.src.GOP()
	switch {
	case len(gop.Packets) == 0:
	case gop.Frames() <= replayFrames:
		f.st.mode = startKeyframe
		for _, p := range gop.Packets {
			f.forward(p, now)
		}
		f.st.replay = gop
	case f.v.m.cfg.Bridges != nil:
		f.bridge()
	}
	f.v.metrics.starts[f.st.mode].Inc()
}

// bridge starts the track on the stream's bridge, or leaves it waiting.
func (f *forwarder) bridge() {
	var pt uint8
	if bridgedInH264(f.plan.src) {
		b := f.track.bound.Load()
		if b == nil || b.bridgePT == 0 {
			return // the viewer negotiated no H.264 beside H.265
		}
		pt = b.bridgePT
	}
	sub, release, err := f.v.m.cfg.Bridges.Bridge(f.v.stream, f.plan.src, f.v.m.cfg.QueueDepth)
	if err != nil {
		f.v.log.Debug("viewer waits for a keyframe", "why", err)
		return
	}
	if pt == 0 && !strings.EqualFold(sub.Track().Codec.MimeType, f.plan.src.Codec.MimeType) {
		sub.Close() // a bridge in a codec the viewer did not negotiate
		release()
		return
	}
	f.st.mode, f.st.release, f.st.bridgePT = startBridge, release, pt
	f.bridgeFeed.Use(sub)
	f.out.Switch(sub.Track())
}

// fromBridge sends one packet of the bridge while the track is on it.
func (f *forwarder) fromBridge(p *stream.Packet) {
	b := f.track.bound.Load()
	if b == nil || f.st.release == nil {
		return
	}
	f.use(b)
	if f.st.bridgePT != 0 {
		f.out.PayloadType = f.st.bridgePT
	}
	f.out.Forward(f, p, time.Now())
}

// onBridge reports whether the track is on the bridge and p, a source
// packet, is not the keyframe that ends it; at that keyframe the track
// leaves the bridge and follows the source again.
func (f *forwarder) onBridge(p *stream.Packet) bool {
	if f.st.release == nil {
		return false
	}
	if !p.Keyframe {
		return true
	}
	f.leaveBridge()
	f.out.Switch(f.plan.src)
	return false
}

// leaveBridge gives the bridge back, if the track is on it. The bridge's
// feed, which the forwarder's goroutine selects on, is closed there
// (closeBridgeFeed): leaveBridge may run on the fan's.
func (f *forwarder) leaveBridge() {
	if f.st.release == nil {
		return
	}
	f.st.release()
	f.st.release, f.st.bridgePT = nil, 0
}

// closeBridgeFeed closes the bridge's subscription once the track has left
// the bridge, counting what its queue dropped; it runs on the forwarder's
// goroutine.
func (f *forwarder) closeBridgeFeed() {
	f.v.metrics.queueDropped.Add(float64(f.bridgeFeed.Close()))
}

// replayed reports whether p was sent already, by the GOP replay.
func (f *forwarder) replayed(p *stream.Packet) bool {
	if len(f.st.replay.Packets) == 0 {
		return false
	}
	if f.st.replay.Holds(p) {
		return true
	}
	f.st.replay = stream.GOP{}
	return false
}

// sent observes the first decodable frame's time from the connection.
func (f *forwarder) sent() {
	if f.st.sentAny || f.st.mode == "" {
		return
	}
	f.st.sentAny = true
	f.v.metrics.firstFrame[f.st.mode].Observe(time.Since(f.st.joinedAt).Seconds())
}
