package transcoder

import (
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"

	"github.com/pion/rtp"
)

// AACFrameSamples is the samples per channel of one AAC-LC access unit
// (ISO/IEC 14496-3 §4.5.1.1; the 960-sample variant is not used over RTP).
const AACFrameSamples = 1024

// AACParams are the RFC 3640 §4.1 fmtp parameters of an mpeg4-generic
// stream that the depacketizer and decoder need.
type AACParams struct {
	Mode                                      string // "AAC-hbr" or "AAC-lbr"
	SizeLength, IndexLength, IndexDeltaLength int
	// Config is the AudioSpecificConfig ("config", hex in the SDP).
	Config []byte
}

// ParseAACParams reads the RFC 3640 parameters from an a=fmtp value. Only
// the AAC modes without CTS/DTS or auxiliary data are supported.
func ParseAACParams(fmtp string) (AACParams, error) {
	p := AACParams{}
	for _, kv := range strings.Split(fmtp, ";") {
		k, v, _ := strings.Cut(strings.TrimSpace(kv), "=")
		k, v = strings.ToLower(strings.TrimSpace(k)), strings.TrimSpace(v)
		var err error
		switch k {
		case "mode":
			p.Mode = v
		case "sizelength":
			p.SizeLength, err = smallInt(v)
		case "indexlength":
			p.IndexLength, err = smallInt(v)
		case "indexdeltalength":
			p.IndexDeltaLength, err = smallInt(v)
		case "config":
			p.Config, err = hex.DecodeString(v)
		case "ctsdeltalength", "dtsdeltalength", "auxiliarydatasizelength":
			if n, _ := smallInt(v); n != 0 {
				err = fmt.Errorf("%s is not supported", k)
			}
		}
		if err != nil {
			return p, fmt.Errorf("%w: fmtp %s: %v", ErrUnsupported, k, err)
		}
	}
	if !strings.EqualFold(p.Mode, "AAC-hbr") && !strings.EqualFold(p.Mode, "AAC-lbr") {
		return p, fmt.Errorf("%w: mpeg4-generic mode %q (AAC-hbr or AAC-lbr)", ErrUnsupported, p.Mode)
	}
	if p.SizeLength < 1 || p.SizeLength > 16 || p.IndexLength > 8 || p.IndexDeltaLength > 8 {
		return p, fmt.Errorf("%w: AU header sizes %d/%d/%d", ErrUnsupported, p.SizeLength, p.IndexLength, p.IndexDeltaLength)
	}
	return p, nil
}

func smallInt(s string) (int, error) {
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 || n > 32 {
		return 0, fmt.Errorf("%q is not a small integer", s)
	}
	return n, nil
}

// aacDepacketizer splits RFC 3640 packets (AU header section, then the
// access units, §3.2) into AAC frames, and reassembles a frame fragmented
// over several packets (§3.2.3). Interleaving is not supported: AU-Index
// deltas are assumed to be zero.
type aacDepacketizer struct {
	frameAssembler
	p       AACParams
	frag    []byte
	fragLen int // the fragmented frame's whole size; 0 when none is open
	fragTS  uint32
	sizes   []int
}

func newAACDepacketizer(fmtp string) (*aacDepacketizer, error) {
	p, err := ParseAACParams(fmtp)
	if err != nil {
		return nil, err
	}
	return &aacDepacketizer{p: p}, nil
}

// Push implements Depacketizer.
func (d *aacDepacketizer) Push(h *rtp.Header, payload []byte, emit func(*AccessUnit)) {
	ok, gap := d.accept(h)
	if !ok {
		return
	}
	if gap && d.fragLen > 0 {
		d.dropFragment(fmt.Errorf("%w: fragment lost", ErrMalformed), emit)
	}
	data, err := d.headers(payload)
	if err != nil {
		d.emitDamaged(h.Timestamp, err, emit)
		return
	}
	if len(d.sizes) == 1 && (d.sizes[0] > len(data) || d.fragLen > 0) {
		d.fragment(h, data, emit)
		return
	}
	for i, n := range d.sizes {
		if n > len(data) {
			d.emitDamaged(h.Timestamp, fmt.Errorf("%w: AU of %d bytes, %d left", ErrMalformed, n, len(data)), emit)
			return
		}
		d.au = AccessUnit{Data: data[:n], PTS: h.Timestamp + uint32(i)*AACFrameSamples, Keyframe: true}
		emit(&d.au)
		data = data[n:]
	}
}

// headers parses the AU header section (RFC 3640 §3.2.1) into d.sizes and
// returns the data after it.
func (d *aacDepacketizer) headers(p []byte) ([]byte, error) {
	if len(p) < 2 {
		return nil, fmt.Errorf("%w: RFC 3640 payload of %d bytes", ErrMalformed, len(p))
	}
	nbits := int(p[0])<<8 | int(p[1])
	nbytes := (nbits + 7) / 8
	if nbits == 0 || 2+nbytes > len(p) {
		return nil, fmt.Errorf("%w: AU header section of %d bits", ErrMalformed, nbits)
	}
	r := &bits{b: p[2 : 2+nbytes]}
	d.sizes = d.sizes[:0]
	for used := 0; used < nbits; {
		idx := d.p.IndexDeltaLength
		if used == 0 {
			idx = d.p.IndexLength
		}
		if used+d.p.SizeLength+idx > nbits {
			break
		}
		d.sizes = append(d.sizes, int(r.u(d.p.SizeLength)))
		r.u(idx)
		used += d.p.SizeLength + idx
	}
	if len(d.sizes) == 0 || r.err != nil {
		return nil, fmt.Errorf("%w: no AU header in %d bits", ErrMalformed, nbits)
	}
	return p[2+nbytes:], nil
}

// fragment adds one fragment of a frame split over packets; the frame is
// complete when its announced size has arrived.
func (d *aacDepacketizer) fragment(h *rtp.Header, data []byte, emit func(*AccessUnit)) {
	size := d.sizes[0]
	if d.fragLen > 0 && (d.fragTS != h.Timestamp || d.fragLen != size) {
		d.dropFragment(fmt.Errorf("%w: fragment of another frame", ErrMalformed), emit)
	}
	if d.fragLen == 0 {
		d.fragLen, d.fragTS, d.frag = size, h.Timestamp, d.frag[:0]
	}
	d.frag = append(d.frag, data...)
	switch {
	case len(d.frag) > d.fragLen:
		d.dropFragment(fmt.Errorf("%w: fragments exceed the frame size", ErrMalformed), emit)
	case len(d.frag) == d.fragLen:
		d.au = AccessUnit{Data: d.frag, PTS: d.fragTS, Keyframe: true}
		d.fragLen = 0
		emit(&d.au)
	case h.Marker:
		d.dropFragment(fmt.Errorf("%w: last fragment short", ErrMalformed), emit)
	}
}

func (d *aacDepacketizer) dropFragment(err error, emit func(*AccessUnit)) {
	d.emitDamaged(d.fragTS, err, emit)
	d.fragLen = 0
}

func (d *aacDepacketizer) emitDamaged(ts uint32, err error, emit func(*AccessUnit)) {
	d.au = AccessUnit{PTS: ts, Damaged: true, Err: err}
	emit(&d.au)
}

// aacRates are the sampling frequencies of an AudioSpecificConfig's
// samplingFrequencyIndex (ISO/IEC 14496-3 §1.6.3.4).
var aacRates = []int{96000, 88200, 64000, 48000, 44100, 32000, 24000, 22050, 16000, 12000, 11025, 8000, 7350}

// AACFmtp returns the a=fmtp value of AAC-LC at rate and channels in
// AAC-hbr mode (RFC 3640 §3.3.6), with the AudioSpecificConfig built from
// them: what a camera configured with only a rate and a channel count
// sends. ok is false for a rate without a frequency index.
func AACFmtp(rate, channels int) (fmtp string, ok bool) {
	idx := -1
	for i, r := range aacRates {
		if r == rate {
			idx = i
		}
	}
	if idx < 0 || channels < 1 || channels > 7 {
		return "", false
	}
	// audioObjectType 2 (AAC LC), 5 bits; frequency index, 4; channel
	// configuration, 4; then frameLengthFlag, dependsOnCoreCoder and
	// extensionFlag, all 0.
	asc := uint16(2)<<11 | uint16(idx)<<7 | uint16(channels)<<3
	return fmt.Sprintf("streamtype=5;profile-level-id=1;mode=AAC-hbr;sizelength=13;indexlength=3;indexdeltalength=3;config=%04x", asc), true
}

// bits reads the fixed-width fields of RFC 3640 §3.2.1 AU headers, MSB
// first. A read past the end sets err and returns zero, so a parser checks
// err once.
type bits struct {
	b   []byte
	pos int
	err error
}

func (r *bits) u(n int) uint32 {
	var v uint32
	for range n {
		if r.pos >= 8*len(r.b) {
			r.err = fmt.Errorf("%w: bitstream ends early", ErrMalformed)
			return 0
		}
		v = v<<1 | uint32(r.b[r.pos/8]>>(7-r.pos%8))&1
		r.pos++
	}
	return v
}
