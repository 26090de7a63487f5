package gateway

import (
	"io"
	"slices"

	"github.com/pion/ice/v4"
	"github.com/pion/logging"
	"github.com/pion/webrtc/v4"

	"mediagate.dev/mediagate/gateway/config"
	"mediagate.dev/mediagate/gateway/whep"
	"mediagate.dev/mediagate/gateway/whip"
)

// newWHIP builds the WHIP handler (POST /whip/<stream>) and its publishers.
// It has the same per-client limits as WHEP.
func (g *Gateway) newWHIP() *whip.Handler {
	log := g.log.With("component", "whip")
	metrics := whip.NewMetrics(g.reg)
	return &whip.Handler{
		Publishers: whip.NewManager(whip.Config{
			SettingEngine: whipSettingEngine(g.cfg.WebRTC),
			SetupTimeout:  g.cfg.WebRTC.SetupTimeout.D(),
			Demand:        g.whipDemand,
			Log:           log,
			Metrics:       metrics,
		}),
		Lookup:        g.whipTarget,
		TokenValidFor: g.publishTokenValid,
		ICEServers:    g.iceServers,
		Signal: whep.Handler{
			CORSOrigins:  g.cfg.HTTP.CORSOrigins,
			MaxBodyBytes: g.cfg.HTTP.MaxBodyBytes,
			OpenTimeout:  openTimeout,
			MaxPerIP:     maxSessionsPerIP,
			PostRate:     postRatePerIP,
			PostBurst:    postBurstPerIP,
			PatchRate:    patchRatePerIP,
			PatchBurst:   patchBurstPerIP,
			Log:          log,
		},
		Metrics: metrics,
	}
}

// whipSettingEngine configures the publishers' ICE like the viewers': no
// mDNS, loopback only when asked, the configured interfaces. Publishers
// gather on ports of their own until egress shares its ICE sockets.
func whipSettingEngine(w config.WebRTC) webrtc.SettingEngine {
	var se webrtc.SettingEngine
	se.LoggerFactory = &logging.DefaultLoggerFactory{Writer: io.Discard, DefaultLogLevel: logging.LogLevelDisabled}
	se.SetICEMulticastDNSMode(ice.MulticastDNSModeDisabled)
	se.SetIncludeLoopbackCandidate(w.IncludeLoopback)
	se.SetNetworkTypes([]webrtc.NetworkType{webrtc.NetworkTypeUDP4, webrtc.NetworkTypeUDP6})
	if names := slices.Clone(w.Interfaces); len(names) > 0 {
		se.SetInterfaceFilter(func(name string) bool { return slices.Contains(names, name) })
	}
	return se
}

// whipDemand is what the named stream's consumers can take, for the REMB
// sent to its publisher: the lower of the passthrough viewers' aggregate
// REMB and the REMB of its [stream.output] receiver, when either has said.
func (g *Gateway) whipDemand(name string) (int, bool) {
	bps, ok := g.senderDemand(name)()
	if o := g.Output(name); o != nil {
		if r, rok := o.REMB(); rok && (!ok || r < bps) {
			bps, ok = r, true
		}
	}
	return bps, ok
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
	g.log.Info("stream configured", "stream", sc.Name, "source", config.SourceWHIP)
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
		if sc.Source == config.SourceWHIP && sc.PublishToken.IsSet() && whep.TokenEqual(token, sc.PublishToken.Reveal()) {
			return true
		}
	}
	return false
}
