package whip

import (
	"time"

	"github.com/pion/rtcp"
	"github.com/pion/rtp"
	"github.com/pion/sdp/v3"
	"github.com/pion/webrtc/v4"

	"mediagate.dev/mediagate/gateway/bwe"
	"mediagate.dev/mediagate/gateway/stream"
	"mediagate.dev/mediagate/internal/codec"
)

// dedupeWindow is how many recent sequence numbers a reader remembers to
// drop duplicates (a retransmission of a packet that did arrive).
const dedupeWindow = 1024

// reader moves one remote track's packets into the stream's track of the
// same kind, feeding the bandwidth estimator on the way (video only).
type reader struct {
	p     *Publisher
	tr    *webrtc.TrackRemote
	recv  *webrtc.RTPReceiver
	kind  stream.Kind
	track *stream.Track // nil: the stream has no track of this kind

	clock     bwe.SendClock        // abs-send-time when negotiated, else RTP timestamps
	clockRate uint32               // the track's RTP clock, for RTP timestamps
	seen      [dedupeWindow]uint32 // sequence number + 1 per slot; 0 = empty
}

// onTrack starts the readers of a remote track; pion calls it once per
// track when its first packet arrives.
func (p *Publisher) onTrack(tr *webrtc.TrackRemote, recv *webrtc.RTPReceiver) {
	r := &reader{p: p, tr: tr, recv: recv, kind: stream.Audio, track: p.st.Audio}
	if tr.Kind() == webrtc.RTPCodecTypeVideo {
		r.kind, r.track, r.clockRate = stream.Video, p.st.Video, tr.Codec().ClockRate
		p.videoSSRC.Store(uint32(tr.SSRC()))
		for _, ext := range recv.GetParameters().HeaderExtensions {
			if ext.URI == sdp.ABSSendTimeURI {
				r.clock.ExtensionID = uint8(ext.ID)
			}
		}
	} else {
		p.audioSSRC.Store(uint32(tr.SSRC()))
	}
	p.log.Info("whip track", "kind", r.kind.String(), "codec", tr.Codec().MimeType, "ssrc", uint32(tr.SSRC()),
		"abs_send_time_id", r.clock.ExtensionID)
	p.spawn(r.readRTP)
	p.spawn(r.readRTCP)
	if r.kind == stream.Video {
		p.requestKeyframe() // viewers waiting for a keyframe need one now
	}
}

// readRTP reads the track until the PeerConnection closes.
func (r *reader) readRTP() {
	for {
		pkt, _, err := r.tr.ReadRTP()
		if err != nil {
			return
		}
		r.handle(pkt, time.Now())
	}
}

// handle estimates, filters and writes one packet.
func (r *reader) handle(pkt *rtp.Packet, now time.Time) {
	if r.kind == stream.Video {
		r.estimate(pkt, now)
	}
	switch {
	case r.track == nil:
		r.p.metrics.discard(discardNoTrack)
	case len(pkt.Payload) == 0:
		r.p.metrics.discard(discardPadding)
	case r.duplicate(pkt.SequenceNumber):
		r.p.metrics.discard(discardDuplicate)
	default:
		r.write(pkt, now)
	}
}

// estimate feeds the bandwidth estimator: by abs-send-time when the
// publisher stamps it, else by RTP timestamp (draft-ietf-rmcat-gcc-02 §5.2).
func (r *reader) estimate(pkt *rtp.Packet, now time.Time) {
	if send, ok := r.clock.SendTime(&pkt.Header, r.clockRate); ok {
		r.p.up.OnPacket(now, send, pkt.MarshalSize(), pkt.SequenceNumber)
	}
}

// duplicate reports whether seq arrived recently, remembering it.
func (r *reader) duplicate(seq uint16) bool {
	slot := &r.seen[int(seq)%dedupeWindow]
	if *slot == uint32(seq)+1 {
		return true
	}
	*slot = uint32(seq) + 1
	return false
}

// write hands the packet to the stream: the publisher's SSRC, sequence
// number and timestamp, the stream's payload type, and no header
// extensions or padding, as a camera would send it.
func (r *reader) write(pkt *rtp.Packet, now time.Time) {
	out := &stream.Packet{
		Header: rtp.Header{
			Version: 2, Marker: pkt.Marker, PayloadType: r.track.Codec.PayloadType,
			SequenceNumber: pkt.SequenceNumber, Timestamp: pkt.Timestamp, SSRC: pkt.SSRC,
		},
		Payload:  pkt.Payload,
		Arrival:  now,
		Keyframe: r.kind == stream.Video && codec.IsKeyframe(r.track.Codec.MimeType, pkt.Payload),
	}
	r.track.Write(out)
	r.p.metrics.received(int(r.kind), len(pkt.Payload))
	if !r.p.live.Load() && !r.p.live.Swap(true) { // a read per packet, a write once
		r.p.st.SetUp(true, map[string]string{"source": r.p.source, "remote": r.p.remote})
	}
}

// readRTCP reads the track's RTCP until the PeerConnection closes, keeping
// the publisher's Sender Report clock (RFC 3550 §6.4.1) for lip sync.
func (r *reader) readRTCP() {
	for {
		pkts, _, err := r.recv.ReadRTCP()
		if err != nil {
			return
		}
		for _, pk := range pkts {
			sr, ok := pk.(*rtcp.SenderReport)
			if ok && r.track != nil {
				r.track.SetSenderClock(stream.SenderClock{
					SSRC: sr.SSRC, NTPTime: sr.NTPTime, RTPTime: sr.RTPTime, Received: time.Now(),
				})
			}
		}
	}
}
