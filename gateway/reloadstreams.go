package gateway

import (
	"fmt"
	"reflect"

	"mediagate.dev/mediagate/gateway/config"
)

// applyStreams removes, changes and adds the streams ch names, then makes
// the result the running config: cfg, except that a stream that failed to
// start is left out (or kept at its old definition when that could be
// restored), so the next reload tries it again. It returns the failures.
func (g *Gateway) applyStreams(cfg *config.Config, ch config.Changes, added map[string]prepared) []error {
	running := g.config()
	for _, name := range ch.Removed {
		g.removeStream(name)
	}
	var failed []error
	kept := make(map[string]*config.Stream) // a stream's definition that is running, when not cfg's
	for _, name := range ch.Changed {
		old, next := *streamNamed(running, name), *streamNamed(cfg, name)
		if restored, err := g.changeStream(old, next); err != nil {
			failed = append(failed, err)
			kept[name] = restored
		}
	}
	for _, name := range ch.Added {
		var err error
		if p, ok := added[name]; ok {
			err = g.startPrepared(p)
		} else {
			err = g.addStream(*streamNamed(cfg, name))
		}
		if err != nil {
			failed = append(failed, err)
			kept[name] = nil
		}
	}
	g.setConfig(withStreams(cfg, kept))
	return failed
}

// withStreams returns cfg with the streams in kept replaced by their
// running definition, or left out where that is nil.
func withStreams(cfg *config.Config, kept map[string]*config.Stream) *config.Config {
	if len(kept) == 0 {
		return cfg
	}
	out := *cfg
	out.Streams = nil
	for _, sc := range cfg.Streams {
		k, ok := kept[sc.Name]
		switch {
		case !ok:
			out.Streams = append(out.Streams, sc)
		case k != nil:
			out.Streams = append(out.Streams, *k)
		}
	}
	return &out
}

func (g *Gateway) setConfig(cfg *config.Config) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.cfg = cfg
}

// removeStream stops the named stream's source and removes the stream,
// which ends its viewers' sessions.
func (g *Gateway) removeStream(name string) {
	g.mu.Lock()
	src := g.sources[name]
	delete(g.sources, name)
	g.mu.Unlock()
	if src != nil {
		g.closeSource(name, src)
	}
	g.closePull(name)
	g.hub.Remove(name)
	g.log.Info("stream removed", "stream", name)
}

// changeStream moves a running stream from old to next. When only ingest
// settings changed, the stream and its viewers stay and the source is
// replaced; when its media changed, the stream is removed and added again.
// On error it returns the definition that is running afterwards: old when
// it could be restored, else nil.
func (g *Gateway) changeStream(old, next config.Stream) (*config.Stream, error) {
	if st := g.hub.Get(next.Name); st != nil && st.Video != nil {
		st.Video.SetGOPLimits(gopLimits(next))
	}
	switch {
	case !sameMedia(old, next):
		g.removeStream(old.Name)
		return g.startOrRestore(old, next, g.addStream)
	case sameIngest(old, next):
		return nil, nil // only viewer-side settings changed; they are read per request
	}
	st := g.hub.Get(old.Name)
	g.mu.Lock()
	src := g.sources[old.Name]
	delete(g.sources, old.Name)
	g.mu.Unlock()
	if st == nil || src == nil {
		return g.startOrRestore(old, next, g.addStream)
	}
	g.closeSource(old.Name, src)
	return g.startOrRestore(old, next, func(sc config.Stream) error {
		s, err := g.newSource(sc, st)
		if err != nil {
			return err
		}
		g.mu.Lock()
		g.sources[sc.Name] = s
		g.mu.Unlock()
		s.Start()
		g.log.Info("stream source replaced; viewers stay", "stream", sc.Name, "listen", s.LocalAddr().String())
		return nil
	})
}

// startOrRestore starts next with start and, if that fails, old again.
func (g *Gateway) startOrRestore(old, next config.Stream, start func(config.Stream) error) (*config.Stream, error) {
	err := start(next)
	if err == nil {
		return nil, nil
	}
	if rerr := start(old); rerr != nil {
		g.log.Error("stream lost: neither the new nor the old definition starts",
			"stream", old.Name, "err", err, "restore_err", rerr)
		return nil, err
	}
	g.log.Warn("stream change failed; kept the old definition", "stream", old.Name, "err", err)
	return &old, err
}

// startPrepared registers and starts an added stream whose source
// prepareAdded bound.
func (g *Gateway) startPrepared(p prepared) error {
	if err := g.hub.Add(p.st); err != nil {
		g.closeSource(p.sc.Name, p.src)
		return fmt.Errorf("stream %q: %w", p.sc.Name, err)
	}
	g.mu.Lock()
	g.sources[p.sc.Name] = p.src
	g.mu.Unlock()
	p.src.Start()
	g.log.Info("stream configured", "stream", p.sc.Name, "listen", p.src.LocalAddr().String(), "start", p.sc.Start.Mode)
	return nil
}

// sameMedia reports whether two definitions of a stream give it the same
// tracks and viewer cap, so that its viewers can stay.
func sameMedia(a, b config.Stream) bool {
	return reflect.DeepEqual(a.Video, b.Video) && reflect.DeepEqual(a.Audio, b.Audio) &&
		a.MaxViewers == b.MaxViewers
}

// sameIngest reports whether two definitions of a stream configure its
// ingest source the same: everything but the viewer-side settings.
func sameIngest(a, b config.Stream) bool {
	a.ViewerToken, b.ViewerToken = "", ""
	a.MaxViewers, b.MaxViewers = 0, 0
	a.Transcode, b.Transcode = config.Transcode{}, config.Transcode{} // read when a rendition starts
	a.Output, b.Output = nil, nil                                     // outputs.Sync restarts the output
	a.Forward, b.Forward = nil, nil                                   // forwards.Sync restarts the forward
	a.Video, b.Video, a.Audio, b.Audio = nil, nil, nil, nil
	return reflect.DeepEqual(a, b)
}
