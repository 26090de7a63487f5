package senders

import "time"

// reapPeriod is how often the silence of API-created streams is checked;
// senders.idle_timeout is at least a second.
const reapPeriod = 250 * time.Millisecond

// reapSilent removes, until stop closes, every API-created stream whose
// sender has been silent for senders.idle_timeout; it closes done when it
// returns.
func (s *Streams) reapSilent(stop <-chan struct{}, done chan<- struct{}) {
	defer close(done)
	t := time.NewTicker(reapPeriod)
	defer t.Stop()
	for {
		select {
		case <-stop:
			return
		case now := <-t.C:
			for _, name := range s.silent(now) {
				s.drop(name, "idle")
			}
		}
	}
}

// silent returns the API-created streams silent for longer than
// senders.idle_timeout at now, and forgets those that are gone.
func (s *Streams) silent(now time.Time) []string {
	idle := s.Config().Senders.IdleTimeout.D()
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for name, a := range s.streams {
		st := s.Hub.Get(name)
		if st == nil {
			delete(s.streams, name)
			continue
		}
		if a.silence(st.Up(), now, s.SourceTimeout) >= idle {
			out = append(out, name)
		}
	}
	return out
}

// silence updates the stream's silence clock with its state at now and
// returns how long its sender has been silent. A stream goes down after
// ingest.source_timeout of silence, so the silence began that long before
// it is first seen down.
func (a *apiStream) silence(up bool, now time.Time, sourceTimeout time.Duration) time.Duration {
	switch {
	case up:
		a.silentSince = time.Time{}
		return 0
	case a.silentSince.IsZero():
		a.silentSince = now.Add(-sourceTimeout)
	}
	return now.Sub(a.silentSince)
}
