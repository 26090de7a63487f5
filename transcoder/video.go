package transcoder

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"time"
)

// errNoSize means no SPS or VP8 key frame has given the picture size yet.
var errNoSize = errors.New("picture size not known yet")

// videoStage decodes access units and encodes the pictures. It is used
// under the pipeline's mutex.
type videoStage struct {
	p   *Pipeline
	dec VideoDecoder
	enc VideoEncoder
	pkt *packetizer

	encW, encH int // the open encoder's size
	encFPS     int // the frame rate it plans with
	rate       frameRate
	encFailed  bool // the encoder failed to open at encW×encH
	applied    int  // the bitrate the encoder runs at

	spsSize        func(sps []byte) (width, height int, err error) // the source codec's
	waitKey        bool                                            // drop until a keyframe: the source must resync us
	w, h           int                                             // picture size from the bitstream
	asked, forced  mediaThrottle
	sourceKeyframe func()

	priming bool     // decode only (Pipeline.Prime)
	held    *Picture // the latest picture decoded while priming, valid until the next Decode
}

func newVideoStage(p *Pipeline) (*videoStage, error) {
	if !SameCodec(p.cfg.To, VP8) && !SameCodec(p.cfg.To, H264) {
		return nil, fmt.Errorf("%w: encode %s", ErrUnsupported, p.cfg.To)
	}
	if p.cfg.Codecs.NewVideoDecoder == nil || p.cfg.Codecs.NewVideoEncoder == nil {
		return nil, ErrUnavailable
	}
	v := &videoStage{p: p, waitKey: true, sourceKeyframe: p.cfg.RequestKeyframe, spsSize: spsSizer(p.cfg.From)}
	var err error
	v.pkt, err = newPacketizer(p.cfg.To, p.cfg.PayloadType, p.cfg.SSRC, p.cfg.MTU, uint16(rand.Uint32()), p.cfg.Output)
	if err != nil || SameCodec(p.cfg.From, RawVideo) {
		return v, err
	}
	v.dec, err = p.cfg.Codecs.NewVideoDecoder(VideoDecoderConfig{Codec: p.cfg.From, MaxPixels: p.cfg.MaxPixels})
	return v, err
}

// accessUnit decodes one access unit and encodes what comes out.
func (v *videoStage) accessUnit(au *AccessUnit) {
	switch {
	case au.Damaged:
		v.resync(au.PTS, DropDamaged, au.Err)
		return
	case v.waitKey && !au.Keyframe:
		v.p.drop(DropWaitKey, nil)
		v.askSource(au.PTS)
		return
	}
	if err := v.checkSize(au); err != nil {
		reason := DropTooLarge
		if errors.Is(err, errNoSize) || errors.Is(err, ErrMalformed) {
			reason = DropDamaged
		}
		v.resync(au.PTS, reason, err)
		return
	}
	pic, err := v.dec.Decode(au.Data, au.PTS)
	if err != nil {
		v.resync(au.PTS, DropDecode, err)
		return
	}
	v.waitKey = false
	switch {
	case v.priming:
		v.held = pic
	case pic != nil:
		v.encode(pic)
	}
}

// prime turns decode-only on or off. Turning it off encodes the latest
// picture decoded meanwhile, forced to a key frame, and reports whether
// one went out.
func (v *videoStage) prime(on bool) (encoded bool) {
	v.priming = on
	pic := v.held
	v.held = nil
	if on || pic == nil || v.dec == nil {
		return false
	}
	v.p.forceKey.Store(true)
	v.forced = mediaThrottle{}
	before := v.p.stats.out.Load()
	v.encode(pic)
	return v.p.stats.out.Load() > before
}

// resync drops a frame and everything up to the next keyframe, which it
// asks the source for.
func (v *videoStage) resync(pts uint32, reason string, err error) {
	v.held = nil
	v.p.drop(reason, err)
	v.waitKey = true
	v.askSource(pts)
}

// askSource asks the source for a keyframe, at most once per
// sourceKeyframeGap of its pictures' time.
func (v *videoStage) askSource(pts uint32) {
	if v.sourceKeyframe != nil && v.asked.allow(pts, sourceKeyframeGap) {
		v.sourceKeyframe()
	}
}

// checkSize reads the picture size from the access unit's SPS or VP8 key
// frame header and checks it before the decoder sees the access unit.
func (v *videoStage) checkSize(au *AccessUnit) error {
	switch {
	case au.SPS != nil:
		w, h, err := v.spsSize(au.SPS)
		if err != nil {
			return err
		}
		v.w, v.h = w, h
	case au.Width > 0 || au.Height > 0:
		v.w, v.h = au.Width, au.Height
	}
	if v.w == 0 {
		return errNoSize
	}
	return CheckSize(v.w, v.h, v.p.cfg.MaxPixels)
}

// encode encodes one picture, cropped to even sides, and packetizes it.
func (v *videoStage) encode(pic *Picture) {
	crop := *pic
	crop.Width, crop.Height = pic.Width&^1, pic.Height&^1
	v.rate.add(pic.PTS)
	if !v.ensureEncoder(crop.Width, crop.Height) {
		v.p.drop(DropEncode, nil)
		return
	}
	v.applyBitrate()
	force := v.takeKeyframe(pic.PTS)
	start := time.Now()
	f, err := v.enc.Encode(&crop, force)
	took := time.Since(start)
	if err != nil {
		v.p.drop(DropEncode, err)
		return
	}
	if len(f.Data) == 0 {
		v.p.drop(DropRate, nil)
		return
	}
	n := v.pkt.packetize(f.Data, pic.PTS, f.Keyframe)
	v.p.sent(n, took)
}

// ensureEncoder opens the encoder for w×h, or again when the size changed
// or the source's frame rate turned out other than the encoder plans with.
func (v *videoStage) ensureEncoder(w, h int) bool {
	same := w == v.encW && h == v.encH
	if v.enc != nil && same && !v.rate.drifted(v.encFPS) {
		return true
	}
	if v.encFailed && same {
		return false
	}
	v.closeEncoder()
	v.encW, v.encH, v.encFPS = w, h, v.rate.fps(DefaultFPS)
	bps := int(v.p.bitrate.Load())
	enc, err := v.p.cfg.Codecs.NewVideoEncoder(VideoEncoderConfig{
		Codec: v.p.cfg.To, Width: w, Height: h, FPS: v.encFPS, Bitrate: bps, MaxPixels: v.p.cfg.MaxPixels,
	})
	if err != nil {
		v.encFailed = true
		v.p.errs.Warn("transcoder cannot open its encoder", "codec", v.p.cfg.To, "width", w, "height", h, "err", err)
		return false
	}
	v.enc, v.encFailed, v.applied = enc, false, bps
	v.p.log.Info("transcoder encoder opened", "codec", v.p.cfg.To, "width", w, "height", h, "fps", v.encFPS, "bitrate", bps)
	return true
}

func (v *videoStage) applyBitrate() {
	bps := int(v.p.bitrate.Load())
	if bps == v.applied {
		return
	}
	if err := v.enc.SetBitrate(bps); err != nil {
		v.p.errs.Warn("transcoder cannot change its bitrate", "bitrate", bps, "err", err)
		return
	}
	v.applied = bps
	v.p.m.bitrate.Set(float64(bps))
}

// takeKeyframe reports whether the picture at pts must be a forced key
// frame: one was asked for and KeyframeGap has passed since the last.
func (v *videoStage) takeKeyframe(pts uint32) bool {
	if !v.p.forceKey.Load() || !v.forced.allow(pts, v.p.cfg.KeyframeGap) {
		return false
	}
	v.p.forceKey.Store(false)
	v.p.stats.keyframes.Add(1)
	v.p.m.keyframes.Inc()
	return true
}

// mapTimestamp is the identity: video keeps its 90 kHz timestamps.
func (v *videoStage) mapTimestamp(ts uint32) uint32 { return ts }

func (v *videoStage) closeEncoder() {
	if v.enc != nil {
		_ = v.enc.Close()
		v.enc = nil
	}
}

func (v *videoStage) close() {
	v.closeEncoder()
	if v.dec != nil {
		_ = v.dec.Close()
	}
}

// mediaThrottle lets an action happen at most once per gap of media time,
// measured on the pictures' 90 kHz timestamps (so that it behaves the same
// whether pictures arrive live or faster, as in tests). A timestamp that
// goes back or jumps far, as when the source restarts, lets it happen.
type mediaThrottle struct {
	last uint32
	done bool
}

func (m *mediaThrottle) allow(pts uint32, gap time.Duration) bool {
	d := int64(int32(pts - m.last))
	if m.done && d >= 0 && d < gap.Microseconds()*VideoClockRate/1e6 {
		return false
	}
	m.last, m.done = pts, true
	return true
}
