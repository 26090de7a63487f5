package gateway

import (
	"fmt"

	"mediagate.dev/mediagate/gateway/config"
	"mediagate.dev/mediagate/gateway/signal"
	"mediagate.dev/mediagate/gateway/whip"
)

// newWHIP builds the WHIP handler (POST /whip/<stream>) and its publishers.
// It has the same per-client limits as WHEP.
func (g *Gateway) newWHIP() (*whip.Handler, error) {
	log := g.log.With("component", "whip")
	se, err := g.egress.SettingEngine()
	if err != nil {
		return nil, fmt.Errorf("whip: %w", err)
	}
	metrics := whip.NewMetrics(g.reg)
	return &whip.Handler{
		Publishers: whip.NewManager(whip.Config{
			SettingEngine: se,
			SetupTimeout:  g.cfg.WebRTC.SetupTimeout.D(),
			Demand:        g.remb.Demand,
			Log:           log,
			Metrics:       metrics,
		}),
		Lookup:        g.whipTarget,
		TokenValidFor: g.publishTokenValid,
		ICEServers:    g.turn.ICEServers,
		Signal:        g.signalling(log),
		Metrics:       metrics,
	}, nil
}

// closeWHIP ends every publisher.
func (g *Gateway) closeWHIP() {
	if g.whip == nil {
		return
	}
	g.whip.Publishers.Close()
	g.whip.Close()
}

// addWHIPStream creates a stream whose source is a WHIP publisher: its
// tracks follow [stream.video] and [stream.audio] and stay empty, the
// stream down, until someone publishes. A stream of that name that exists
// already is kept, with its publisher: only settings read per request
// (tokens, REMB bounds) changed.
func (g *Gateway) addWHIPStream(sc config.Stream) error {
	if g.hub.Get(sc.Name) != nil {
		return nil
	}
	if err := g.hub.Add(g.newStream(sc)); err != nil {
		return err
	}
	g.log.Info("stream configured", "stream", sc.Name, "source", config.SourceWHIP, "start", sc.Start.Mode)
	return nil
}

// whipTarget returns the WHIP stream name and what its publisher follows.
func (g *Gateway) whipTarget(name string) (whip.Target, bool) {
	for _, sc := range g.config().Streams {
		if sc.Name != name || sc.Source != config.SourceWHIP {
			continue
		}
		st := g.hub.Get(name)
		return whip.Target{
			Stream:           st,
			PublishToken:     sc.PublishToken.Reveal(),
			REMB:             sc.REMB,
			KeyframeInterval: sc.KeyframeInterval.D(),
		}, st != nil
	}
	return whip.Target{}, false
}

// publishTokenValid reports whether token publishes to some WHIP stream (so
// that using it for another stream is 403, not 401).
func (g *Gateway) publishTokenValid(token string) bool {
	for _, sc := range g.config().Streams {
		if sc.Source == config.SourceWHIP && sc.PublishToken.IsSet() && signal.TokenEqual(token, sc.PublishToken.Reveal()) {
			return true
		}
	}
	return false
}
