package forward

import (
	"fmt"
	"strings"

	"mediagate.dev/mediagate/gateway/stream"
	"mediagate.dev/mediagate/internal/codec"
)

// ReasonRefused is why a forward sends a transcoded rendition, as
// transcoding.active and forward.up report it.
const ReasonRefused = "transcoded: codec refused"

// Renditions supplies the transcoded renditions a forward sends when its
// endpoint refuses a source codec; gateway/rendition's Manager is one.
type Renditions interface {
	// Targets returns the MIME types src, a track of st, can be
	// transcoded to now; none when the stream does not transcode.
	Targets(st *stream.Stream, src *stream.Track) []string
	// Acquire returns the rendition of src in mime, starting it when none
	// runs, and the function that gives it back (called once).
	Acquire(st *stream.Stream, src *stream.Track, mime, reason string) (*stream.Rendition, func(), error)
}

// targets returns the codecs src can be sent as instead of its own: the
// renditions' targets other than its codec that the codec table holds.
func (f *Forward) targets(st *stream.Stream, src *stream.Track) []string {
	if f.cfg.Renditions == nil {
		return nil
	}
	var out []string
	for _, mime := range f.cfg.Renditions.Targets(st, src) {
		if _, ok := codec.FormatOf(mime); ok && !strings.EqualFold(mime, src.Codec.MimeType) {
			out = append(out, mime)
		}
	}
	return out
}

// switchable returns the kinds among refused whose source track st can
// send as a rendition and that the forward does not offer renditions of
// yet: the kinds a retry may mend.
func (f *Forward) switchable(st *stream.Stream, refused []stream.Kind) []stream.Kind {
	var out []stream.Kind
	for _, t := range st.Tracks() {
		for _, k := range refused {
			if k == t.Kind && !f.renditionKinds[k] && len(f.targets(st, t)) > 0 {
				out = append(out, k)
			}
		}
	}
	return out
}

// offerRenditions makes the next attempts offer the renditions of kinds
// after the source's codec.
func (f *Forward) offerRenditions(kinds []stream.Kind) {
	if f.renditionKinds == nil {
		f.renditionKinds = make(map[stream.Kind]bool)
	}
	for _, k := range kinds {
		f.renditionKinds[k] = true
	}
}

// offerCodecs returns the codecs to offer for src: its own, then, when
// its kind was refused, its renditions' formats under payload types that
// no other codec of the session takes.
func (f *Forward) offerCodecs(st *stream.Stream, src *stream.Track, used map[uint8]bool) []stream.Codec {
	out := []stream.Codec{src.Codec}
	if !f.renditionKinds[src.Kind] {
		return out
	}
	for _, mime := range f.targets(st, src) {
		fm, _ := codec.FormatOf(mime)
		pt := fm.PayloadType
		for used[pt] && pt < 127 {
			pt++
		}
		used[pt] = true
		out = append(out, stream.Codec{MimeType: fm.MimeType, ClockRate: fm.ClockRate, Channels: fm.Channels,
			PayloadType: pt, Fmtp: fm.Fmtp})
	}
	return out
}

// bindRenditions gives each sender whose answer chose a rendition's codec
// that rendition: its track is sent instead of the source's, its encoder
// gets the keyframe requests, and the session gives it back at its end.
func (s *session) bindRenditions() error {
	for _, snd := range s.senders {
		b := snd.local.bound.Load()
		if b == nil || strings.EqualFold(b.mime, snd.src.Codec.MimeType) {
			continue
		}
		if s.f.cfg.Renditions == nil {
			return fmt.Errorf("%w: answer chose %s", ErrAnswer, b.mime)
		}
		r, release, err := s.f.cfg.Renditions.Acquire(s.st, snd.src, b.mime, ReasonRefused)
		if err != nil {
			return fmt.Errorf("forward: %s rendition: %w", b.mime, err)
		}
		snd.track, snd.rendition, snd.release = r.Track, r, release
		snd.out.Follow(r.Track)
	}
	return nil
}

// Renditions returns the renditions the session sends, so that the
// remote's REMB sets their encoders' bitrate (bwe.Router); none when it
// sends the source.
func (s *session) Renditions() []*stream.Rendition {
	var out []*stream.Rendition
	for _, snd := range s.senders {
		if snd.rendition != nil {
			out = append(out, snd.rendition)
		}
	}
	return out
}

// transcoded describes the renditions the session sends, for its log
// line and forward.up: "video/H264→video/VP8", or empty.
func (s *session) transcoded() string {
	var parts []string
	for _, snd := range s.senders {
		if snd.rendition != nil {
			parts = append(parts, snd.src.Codec.MimeType+"→"+snd.track.Codec.MimeType)
		}
	}
	return strings.Join(parts, ",")
}
