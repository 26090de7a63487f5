package transcoder

import (
	"fmt"
	"math/rand/v2"
	"time"
)

// audioStage decodes AAC, resampled to 48 kHz, and encodes it to Opus in
// 20 ms frames. It is used under the pipeline's mutex.
type audioStage struct {
	p   *Pipeline
	dec AudioDecoder
	enc AudioEncoder
	pkt *packetizer

	inRate    int
	channels  int     // interleaved channels of pcm and of the encoder
	pcm       []int16 // decoded samples not yet encoded, interleaved
	outTS     uint32  // output timestamp of pcm[0]
	applied   int
	started   bool
	nextIn    uint32 // source timestamp expected next
	anchorIn  uint32 // source and output timestamps of one instant
	anchorOut uint32
}

func newAudioStage(p *Pipeline) (*audioStage, error) {
	if p.cfg.Codecs.NewAudioDecoder == nil || p.cfg.Codecs.NewAudioEncoder == nil {
		return nil, ErrUnavailable
	}
	a := &audioStage{p: p, inRate: p.cfg.ClockRate, channels: p.cfg.Channels, applied: p.cfg.Bitrate}
	if SameCodec(p.cfg.From, RawAudio) {
		a.inRate = OpusClockRate
	} else if err := a.openDecoder(); err != nil {
		return nil, err
	}
	if a.channels != 1 && a.channels != 2 {
		a.close()
		return nil, fmt.Errorf("%w: %d channels", ErrUnsupported, a.channels)
	}
	var err error
	a.enc, err = p.cfg.Codecs.NewAudioEncoder(AudioEncoderConfig{Codec: Opus, Channels: a.channels, Bitrate: p.cfg.Bitrate})
	if err == nil {
		a.pkt, err = newPacketizer(Opus, p.cfg.PayloadType, p.cfg.SSRC, p.cfg.MTU, uint16(rand.Uint32()), p.cfg.Output)
	}
	if err != nil {
		a.close()
		return nil, err
	}
	return a, nil
}

// openDecoder opens the AAC decoder from the source's RFC 3640 parameters.
func (a *audioStage) openDecoder() error {
	params, err := ParseAACParams(a.p.cfg.Fmtp)
	if err != nil {
		return err
	}
	if a.inRate < 8000 || a.inRate > 96000 {
		return fmt.Errorf("%w: AAC at %d Hz", ErrUnsupported, a.inRate)
	}
	a.dec, err = a.p.cfg.Codecs.NewAudioDecoder(AudioDecoderConfig{
		Codec: AAC, Config: params.Config, SampleRate: a.inRate, Channels: a.channels,
	})
	if err != nil {
		return err
	}
	a.channels = a.dec.Channels()
	return nil
}

// accessUnit decodes one AAC frame and encodes every whole Opus frame
// buffered.
func (a *audioStage) accessUnit(au *AccessUnit) {
	if au.Damaged {
		a.p.drop(DropDamaged, au.Err)
		return
	}
	if !a.started || au.PTS != a.nextIn {
		a.resync(au.PTS)
	}
	a.nextIn = au.PTS + AACFrameSamples
	samples, err := a.dec.Decode(au.Data)
	if err != nil {
		a.p.drop(DropDecode, err)
		return
	}
	a.encodeBuffered(samples)
}

// samples takes raw 48 kHz samples starting at output timestamp ts.
func (a *audioStage) samples(pcm []int16, ts uint32) {
	if !a.started || ts != a.nextIn {
		a.resync(ts)
	}
	a.nextIn = ts + uint32(len(pcm)/a.channels)
	a.encodeBuffered(pcm)
}

// encodeBuffered appends samples to the buffer and encodes every whole
// Opus frame in it.
func (a *audioStage) encodeBuffered(samples []int16) {
	a.pcm = append(a.pcm, samples...)
	a.applyBitrate()
	frame := a.enc.FrameSize() * a.channels
	for len(a.pcm) >= frame {
		a.encodeFrame(a.pcm[:frame])
		a.pcm = a.pcm[:copy(a.pcm, a.pcm[frame:])]
	}
}

// resync restarts the output clock at a source timestamp that does not
// follow the last one: the first frame, a loss, or a source restart.
// Samples still buffered are dropped.
func (a *audioStage) resync(ts uint32) {
	if !a.started {
		a.anchorIn, a.anchorOut = ts, ts
	}
	a.started = true
	a.outTS = a.mapTimestamp(ts)
	a.pcm = a.pcm[:0]
	if d := int32(ts - a.anchorIn); d > 1<<30 || d < -(1<<30) {
		a.anchorIn, a.anchorOut = ts, a.outTS
	}
}

func (a *audioStage) encodeFrame(pcm []int16) {
	start := time.Now()
	out, err := a.enc.Encode(pcm)
	took := time.Since(start)
	ts := a.outTS
	a.outTS += uint32(a.enc.FrameSize())
	if err != nil {
		a.p.drop(DropEncode, err)
		return
	}
	n := a.pkt.packetize(out, ts, false)
	a.p.sent(n, took)
}

func (a *audioStage) applyBitrate() {
	bps := int(a.p.bitrate.Load())
	if bps == a.applied {
		return
	}
	if err := a.enc.SetBitrate(bps); err != nil {
		a.p.errs.Warn("transcoder cannot change its bitrate", "bitrate", bps, "err", err)
		return
	}
	a.applied = bps
	a.p.m.bitrate.Set(float64(bps))
}

// mapTimestamp converts a source timestamp to the 48 kHz output clock
// through the anchor: the instant both clocks were read together.
func (a *audioStage) mapTimestamp(ts uint32) uint32 {
	d := int64(int32(ts - a.anchorIn))
	return a.anchorOut + uint32(d*OpusClockRate/int64(a.inRate))
}

func (a *audioStage) close() {
	if a.enc != nil {
		_ = a.enc.Close()
	}
	if a.dec != nil {
		_ = a.dec.Close()
	}
}
