package gateway

import (
	"fmt"

	"mediagate.dev/mediagate/gateway/config"
	"mediagate.dev/mediagate/gateway/forward"
	"mediagate.dev/mediagate/gateway/whip"
)

// startForwards builds the [[stream.forward]] manager: its sessions use
// the viewers' ICE settings (interfaces, loopback, the shared UDP port),
// and the remotes' REMB joins the viewers' aggregate of each stream.
func (g *Gateway) startForwards() error {
	se, err := g.egress.SettingEngine()
	if err != nil {
		return fmt.Errorf("forward: %w", err)
	}
	g.fwdMetrics = forward.NewMetrics(g.reg)
	g.forwards = forward.NewManager(forward.ManagerConfig{
		Hub: g.hub, SettingEngine: se, QueueDepth: g.cfg.WebRTC.QueueDepth,
		OnREMB: g.remb.OnConsumerREMB, Renditions: g.renditions, Log: g.log.With("component", "forward"), Metrics: g.fwdMetrics,
	})
	return nil
}

// addWHEPStream creates a stream whose source pulls from a WHEP server on
// demand: its tracks follow [stream.video] and [stream.audio]; the pull
// connects when the first consumer subscribes. A stream of that name that
// exists already (its whep_* keys changed on reload) keeps its viewers;
// only its pull is replaced.
func (g *Gateway) addWHEPStream(sc config.Stream) error {
	st := g.hub.Get(sc.Name)
	if st == nil {
		st = g.newStream(sc)
		if err := g.hub.Add(st); err != nil {
			return err
		}
	}
	g.closePull(sc.Name)
	p, err := forward.StartPull(forward.PullConfig{
		Target: whip.Target{Stream: st, REMB: sc.REMB, KeyframeInterval: sc.KeyframeInterval.D()},
		URL:    sc.WHEPURL,
		Client: forward.Client{Token: forward.TokenSource(sc.WHEPToken, sc.WHEPTokenFile)},
		Linger: sc.WHEPLinger.D(), Publishers: g.whip.Publishers,
		Log: g.log.With("component", "pull"), Metrics: g.fwdMetrics,
	})
	if err != nil {
		g.hub.Remove(sc.Name)
		return fmt.Errorf("stream %q: %w", sc.Name, err)
	}
	g.mu.Lock()
	g.pulls[sc.Name] = p
	g.mu.Unlock()
	g.log.Info("stream configured", "stream", sc.Name, "source", config.SourceWHEP, "url", forward.Redact(sc.WHEPURL), "start", sc.Start.Mode)
	return nil
}

// closePull stops the named stream's pull, if it has one.
func (g *Gateway) closePull(name string) {
	g.mu.Lock()
	p := g.pulls[name]
	delete(g.pulls, name)
	g.mu.Unlock()
	if p != nil {
		p.Close()
	}
}

// closePulls stops every pull.
func (g *Gateway) closePulls() {
	g.mu.Lock()
	all := g.pulls
	g.pulls = map[string]*forward.Pull{}
	g.mu.Unlock()
	for _, p := range all {
		p.Close()
	}
}

// Forwards returns the running forwards of the named stream.
func (g *Gateway) Forwards(name string) []*forward.Forward { return g.forwards.Get(name) }

// Pull returns the WHEP pull of the named stream, or nil.
func (g *Gateway) Pull(name string) *forward.Pull {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.pulls[name]
}
