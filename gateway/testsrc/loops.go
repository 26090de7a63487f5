package testsrc

import (
	"time"

	"mediagate.dev/mediagate/gateway/stream"
	"mediagate.dev/mediagate/transcoder"
	"mediagate.dev/mediagate/transcoder/testpattern"
)

// waitStop waits for the next tick, Close or the stream's removal; it
// returns false when the source must stop.
func (s *Source) waitStop(tick <-chan time.Time) bool {
	select {
	case <-tick:
		return true
	case <-s.stop:
	case <-s.st.Closed():
		go s.Close()
	}
	return false
}

// runVideo draws and encodes one picture per frame interval while the
// video track has subscribers.
func (s *Source) runVideo() {
	pattern := testpattern.NewVideo(s.cfg.Width, s.cfg.Height)
	ticker := time.NewTicker(time.Second / time.Duration(s.cfg.FPS))
	defer ticker.Stop()
	track := s.st.Video
	lastClock := time.Time{}
	for s.waitStop(ticker.C) {
		if track.Subscribers() == 0 {
			continue
		}
		now := time.Now()
		pic := pattern.Frame(now.Sub(s.start), now)
		s.video.WritePicture(pic)
		if now.Sub(lastClock) >= time.Second {
			lastClock = now
			track.SetSenderClock(s.clock(track, now, pic.PTS))
		}
	}
}

// runAudio encodes the tone in 20 ms frames while the audio track has
// subscribers, catching up on ticks the scheduler delayed.
func (s *Source) runAudio() {
	tone := testpattern.NewTone(toneChannels(s.st.Audio))
	ticker := time.NewTicker(audioFrame)
	defer ticker.Stop()
	track := s.st.Audio
	const frame = transcoder.OpusClockRate / 50
	next := int64(-1) // the next sample index to encode
	lastClock := time.Time{}
	for s.waitStop(ticker.C) {
		if track.Subscribers() == 0 {
			next = -1
			continue
		}
		now := time.Now()
		due := testpattern.SampleIndex(now.Sub(s.start)) / frame * frame
		if next < 0 || due-next > 10*frame { // starting, or too far behind: skip ahead
			next = due
		}
		for ; next <= due; next += frame {
			s.audio.WriteSamples(tone.Samples(next, frame), uint32(next))
		}
		if now.Sub(lastClock) >= time.Second {
			lastClock = now
			track.SetSenderClock(s.clock(track, now, uint32(testpattern.SampleIndex(now.Sub(s.start)))))
		}
	}
}

// clock is the track's NTP↔RTP mapping at now (RFC 3550 §6.4.1), for the
// viewers' Sender Reports: both tracks derive from the same start time.
func (s *Source) clock(t *stream.Track, now time.Time, rtpTime uint32) stream.SenderClock {
	ssrc := uint32(0)
	if p := t.LastPacket(); p != nil {
		ssrc = p.SSRC
	}
	return stream.SenderClock{SSRC: ssrc, NTPTime: stream.NTPTime(now), RTPTime: rtpTime, Received: now}
}
