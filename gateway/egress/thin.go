package egress

import "mediagate.dev/mediagate/gateway/stream"

// Thinning: a viewer whose own REMB lies below the stream's floor cannot
// take the shared bitrate, and must not drag the shared encoder or the
// camera below that floor for everyone else. Such a viewer alone is thinned
// to key frames: its video forwarder passes whole key frames and drops the
// frames between them, keeping its sequence numbers continuous so that the
// browser sees a slow stream, not loss to NACK or PLI about.

// SetKeyframesOnly turns thinning of v's video to key frames on or off. It
// is safe to call from any goroutine, typically the REMB hook's.
func (v *Viewer) SetKeyframesOnly(on bool) {
	if v.keyOnly.Swap(on) != on {
		v.log.Info("viewer thinned to key frames", "on", on)
	}
}

// KeyframesOnly reports whether v is thinned to key frames.
func (v *Viewer) KeyframesOnly() bool { return v.keyOnly.Load() }

// thinner decides, packet by packet, what a thinned video track passes: a
// frame (the packets of one RTP timestamp) that starts with a key frame.
type thinner struct {
	keyTS uint32 // timestamp of the key frame being passed
	inKey bool   // keyTS is valid
}

// pass reports whether p goes out while thinning is on.
func (t *thinner) pass(p *stream.Packet) bool {
	if p.Keyframe {
		t.keyTS, t.inKey = p.Timestamp, true
		return true
	}
	if t.inKey && p.Timestamp == t.keyTS {
		return true
	}
	t.inKey = false
	return false
}
