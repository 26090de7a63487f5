package rendition

import (
	"errors"

	"mediagate.dev/mediagate/gateway/config"
	"mediagate.dev/mediagate/gateway/stream"
	"mediagate.dev/mediagate/gateway/testsrc"
	"mediagate.dev/mediagate/transcoder"
)

// StartPattern starts the source of st, a testpattern stream defined by
// sc, which draws and encodes in process (gateway/testsrc), and keeps it
// until it stops (Close, or st's removal). Without codecs it logs that the
// stream stays down and returns nil. The caller adds st to the hub first,
// and removes it again when StartPattern fails.
func (m *Manager) StartPattern(st *stream.Stream, sc config.Stream) error {
	log := m.log.With("stream", sc.Name)
	src, err := testsrc.Start(testsrc.Config{
		Stream: st, Codecs: m.codecs, Metrics: m.metrics, Log: log,
		Bitrate: sc.Transcode.Bitrate * 1000, AudioBitrate: sc.Transcode.AudioBitrate * 1000,
	})
	switch {
	case errors.Is(err, transcoder.ErrUnavailable):
		log.Warn("test pattern unavailable: this build has no codecs (cgo)")
		return nil
	case err != nil:
		return err
	}
	m.addPattern(sc.Name, src)
	log.Info("stream configured", "source", config.SourceTestPattern)
	return nil
}

// PatternRunning reports whether the named stream's test pattern runs. A
// stream of that name that the hub still holds then needs no new source
// on reload: only settings the pattern does not use changed.
func (m *Manager) PatternRunning(name string) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.patterns[name] != nil
}

// addPattern records a running test pattern until it stops.
func (m *Manager) addPattern(name string, src *testsrc.Source) {
	m.mu.Lock()
	if m.closed {
		m.mu.Unlock()
		src.Close()
		return
	}
	m.patterns[name] = src
	m.mu.Unlock()
	go func() {
		<-src.Done()
		m.mu.Lock()
		if m.patterns[name] == src {
			delete(m.patterns, name)
		}
		m.mu.Unlock()
	}()
}
