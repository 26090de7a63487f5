package forward

import (
	"strings"
	"sync/atomic"

	"github.com/pion/webrtc/v4"

	"mediagate.dev/mediagate/gateway/stream"
)

// binding is what pion gave a track when the answer bound it: the SSRC
// and payload type to stamp and the writer that runs the interceptors and
// SRTP.
type binding struct {
	mime   string // the codec chosen: the source's or a rendition's
	ssrc   uint32
	pt     uint8
	writer webrtc.TrackLocalWriter
}

// localTrack is the webrtc.TrackLocal of one forwarded source track. It
// binds to the negotiated format of the first of its codecs the answer
// took (the source's, then its renditions') and hands the writer to the
// send loop, so that a packet goes out with one WriteRTP and no copy
// (outbound.Track builds the header).
type localTrack struct {
	kind  stream.Kind
	mimes []string // in order of preference, the source's first
	bound atomic.Pointer[binding]
}

// Bind picks the negotiated format of the most preferred codec.
func (t *localTrack) Bind(ctx webrtc.TrackLocalContext) (webrtc.RTPCodecParameters, error) {
	for _, mime := range t.mimes {
		for _, c := range ctx.CodecParameters() {
			if strings.EqualFold(c.MimeType, mime) {
				t.bound.Store(&binding{mime: mime, ssrc: uint32(ctx.SSRC()), pt: uint8(c.PayloadType),
					writer: ctx.WriteStream()})
				return c, nil
			}
		}
	}
	return webrtc.RTPCodecParameters{}, webrtc.ErrUnsupportedCodec
}

// Unbind forgets the binding; the send loop drops packets until the next.
func (t *localTrack) Unbind(webrtc.TrackLocalContext) error {
	t.bound.Store(nil)
	return nil
}

// ID is "video" or "audio".
func (t *localTrack) ID() string { return t.kind.String() }

// RID is empty: no simulcast.
func (t *localTrack) RID() string { return "" }

// StreamID groups the tracks into one MediaStream for the receiver.
func (t *localTrack) StreamID() string { return "mediagate" }

// Kind is the track's kind as pion names it.
func (t *localTrack) Kind() webrtc.RTPCodecType {
	if t.kind == stream.Video {
		return webrtc.RTPCodecTypeVideo
	}
	return webrtc.RTPCodecTypeAudio
}
