package egress

import (
	"strings"
	"sync"
	"sync/atomic"

	"github.com/pion/webrtc/v4"

	"mediagate.dev/mediagate/gateway/stream"
)

// binding is what pion gave a track when it bound it to a sender: the SSRC
// and payload type to stamp on every packet and the writer that runs the
// interceptors and SRTP.
type binding struct {
	ssrc uint32
	pt   uint8
	// bridgePT is the payload type of the plan's bridge format, when pion
	// negotiated it; 0 when there is none.
	bridgePT uint8
	codec    webrtc.RTPCodecParameters
	writer   webrtc.TrackLocalWriter
}

// outTrack is a webrtc.TrackLocal that carries one source track to one
// viewer. Unlike pion's TrackLocalStaticRTP it binds to the codec egress
// chose (the plan's first format pion negotiated) and hands its forwarder
// the writer itself, so a packet goes out with one WriteRTP and no copy.
type outTrack struct {
	kind     stream.Kind
	id       string
	streamID string
	prefer   []webrtc.RTPCodecParameters
	bridge   *webrtc.RTPCodecParameters // the plan's bridge format, or nil

	bound     atomic.Pointer[binding]
	boundOnce sync.Once
	boundCh   chan struct{} // closed at the first Bind
}

func newOutTrack(plan *trackPlan, streamID string) *outTrack {
	return &outTrack{
		kind:     plan.src.Kind,
		id:       plan.src.Kind.String(),
		streamID: streamID,
		prefer:   plan.prefer,
		bridge:   plan.bridge,
		boundCh:  make(chan struct{}),
	}
}

// Bind picks the first preferred format among those pion negotiated.
func (t *outTrack) Bind(ctx webrtc.TrackLocalContext) (webrtc.RTPCodecParameters, error) {
	negotiated := ctx.CodecParameters()
	for _, want := range t.prefer {
		for _, c := range negotiated {
			if c.PayloadType == want.PayloadType && strings.EqualFold(c.MimeType, want.MimeType) {
				b := &binding{ssrc: uint32(ctx.SSRC()), pt: uint8(c.PayloadType), codec: c, writer: ctx.WriteStream(),
					bridgePT: t.bridgePT(negotiated)}
				t.bound.Store(b)
				t.boundOnce.Do(func() { close(t.boundCh) })
				return c, nil
			}
		}
	}
	return webrtc.RTPCodecParameters{}, webrtc.ErrUnsupportedCodec
}

// bridgePT finds the bridge format among the negotiated ones.
func (t *outTrack) bridgePT(negotiated []webrtc.RTPCodecParameters) uint8 {
	if t.bridge == nil {
		return 0
	}
	for _, c := range negotiated {
		if c.PayloadType == t.bridge.PayloadType && strings.EqualFold(c.MimeType, t.bridge.MimeType) {
			return uint8(c.PayloadType)
		}
	}
	return 0
}

// Unbind forgets the binding; the forwarder drops packets until the next.
func (t *outTrack) Unbind(webrtc.TrackLocalContext) error {
	t.bound.Store(nil)
	return nil
}

// ID is "video" or "audio".
func (t *outTrack) ID() string { return t.id }

// RID is empty: egress sends no simulcast.
func (t *outTrack) RID() string { return "" }

// StreamID is the msid every track of the session shares (RFC 9725 §4.4.2:
// one MediaStream).
func (t *outTrack) StreamID() string { return t.streamID }

// Kind is the track's media kind.
func (t *outTrack) Kind() webrtc.RTPCodecType {
	if t.kind == stream.Audio {
		return webrtc.RTPCodecTypeAudio
	}
	return webrtc.RTPCodecTypeVideo
}
