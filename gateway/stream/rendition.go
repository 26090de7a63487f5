package stream

import (
	"fmt"
	"strings"
	"sync"
)

// RenditionControl is what the producer of a rendition (a transcoder
// pipeline) offers the rendition's viewers and the bandwidth estimation.
type RenditionControl interface {
	// RequestKeyframe makes the encoder produce a key frame soon.
	RequestKeyframe()
	// SetBitrate sets the encoder's target in bits per second, clamped to
	// the stream's bounds, and returns the target set.
	SetBitrate(bps int) int
	// Bitrate returns the encoder's current target.
	Bitrate() int
}

// Rendition is a derived track of a stream: one of its source tracks
// transcoded to another codec, shared by every viewer who needs that codec
// and written into the same fan-out as any source. Its producer is an
// ordinary subscriber of Source.
type Rendition struct {
	// Source is the track the rendition is made from.
	Source *Track
	// Track carries the transcoded packets; its Codec is the output's.
	Track *Track
	// Reason says why the rendition exists, as transcoding.active reports.
	Reason string
	ctl    RenditionControl
}

// NewRendition returns a rendition of source written to track, controlled
// through ctl.
func NewRendition(source, track *Track, reason string, ctl RenditionControl) *Rendition {
	return &Rendition{Source: source, Track: track, Reason: reason, ctl: ctl}
}

// RequestKeyframe asks the rendition's encoder for a key frame (a viewer's
// PLI or FIR, or a viewer joining).
func (r *Rendition) RequestKeyframe() { r.ctl.RequestKeyframe() }

// SetBitrate sets the encoder's target and returns the target set.
func (r *Rendition) SetBitrate(bps int) int { return r.ctl.SetBitrate(bps) }

// Bitrate returns the encoder's current target in bits per second.
func (r *Rendition) Bitrate() int { return r.ctl.Bitrate() }

// renditionSet is a stream's running renditions.
type renditionSet struct {
	mu   sync.Mutex
	list []*Rendition
}

// AddRendition registers r. A stream has at most one rendition per source
// track and output codec; adding a second returns ErrExists.
func (s *Stream) AddRendition(r *Rendition) error {
	s.renditions.mu.Lock()
	defer s.renditions.mu.Unlock()
	for _, o := range s.renditions.list {
		if o.Source == r.Source && strings.EqualFold(o.Track.Codec.MimeType, r.Track.Codec.MimeType) {
			return fmt.Errorf("%s rendition of %q: %w", r.Track.Codec.MimeType, s.Name, ErrExists)
		}
	}
	s.renditions.list = append(s.renditions.list, r)
	return nil
}

// RemoveRendition unregisters r; removing one that is not there does
// nothing.
func (s *Stream) RemoveRendition(r *Rendition) {
	s.renditions.mu.Lock()
	defer s.renditions.mu.Unlock()
	for i, o := range s.renditions.list {
		if o == r {
			s.renditions.list = append(s.renditions.list[:i], s.renditions.list[i+1:]...)
			return
		}
	}
}

// Rendition returns the running rendition of source in the codec mime
// (case-insensitive), or nil.
func (s *Stream) Rendition(source *Track, mime string) *Rendition {
	s.renditions.mu.Lock()
	defer s.renditions.mu.Unlock()
	for _, r := range s.renditions.list {
		if r.Source == source && strings.EqualFold(r.Track.Codec.MimeType, mime) {
			return r
		}
	}
	return nil
}

// Renditions returns the stream's running renditions.
func (s *Stream) Renditions() []*Rendition {
	s.renditions.mu.Lock()
	defer s.renditions.mu.Unlock()
	return append([]*Rendition(nil), s.renditions.list...)
}
