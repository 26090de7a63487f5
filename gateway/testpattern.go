package gateway

import (
	"errors"
	"fmt"

	"mediagate.dev/mediagate/gateway/config"
	"mediagate.dev/mediagate/gateway/testsrc"
	"mediagate.dev/mediagate/transcoder"
)

// addTestPattern creates a testpattern stream and starts its source, which
// draws and encodes in process (gateway/testsrc). Without codecs the
// stream exists but stays down. A stream of that name already running a
// pattern is left alone: only settings the pattern does not use changed.
func (g *Gateway) addTestPattern(sc config.Stream) error {
	tc := g.transcoding
	if st := g.hub.Get(sc.Name); st != nil && tc.pattern(sc.Name) != nil {
		return nil
	}
	st := g.newStream(sc)
	if err := g.hub.Add(st); err != nil {
		return fmt.Errorf("stream %q: %w", sc.Name, err)
	}
	log := g.log.With("stream", sc.Name)
	src, err := testsrc.Start(testsrc.Config{
		Stream: st, Codecs: tc.codecs, Metrics: tc.metrics, Log: log,
		Bitrate: sc.Transcode.Bitrate * 1000, AudioBitrate: sc.Transcode.AudioBitrate * 1000,
	})
	switch {
	case errors.Is(err, transcoder.ErrUnavailable):
		log.Warn("test pattern unavailable: this build has no codecs (cgo)")
		return nil
	case err != nil:
		g.hub.Remove(sc.Name)
		return fmt.Errorf("stream %q: %w", sc.Name, err)
	}
	tc.addPattern(sc.Name, src)
	log.Info("stream configured", "source", config.SourceTestPattern)
	return nil
}

// pattern returns the running test pattern of a stream, or nil.
func (tc *transcoding) pattern(name string) *testsrc.Source {
	tc.mu.Lock()
	defer tc.mu.Unlock()
	return tc.patterns[name]
}

// addPattern records a running test pattern until it stops.
func (tc *transcoding) addPattern(name string, src *testsrc.Source) {
	tc.mu.Lock()
	if tc.closed {
		tc.mu.Unlock()
		src.Close()
		return
	}
	tc.patterns[name] = src
	tc.mu.Unlock()
	go func() {
		<-src.Done()
		tc.mu.Lock()
		if tc.patterns[name] == src {
			delete(tc.patterns, name)
		}
		tc.mu.Unlock()
	}()
}
