package gateway

import (
	"fmt"
	"time"

	"mediagate.dev/mediagate/gateway/config"
	"mediagate.dev/mediagate/gateway/ingest"
	"mediagate.dev/mediagate/gateway/stream"
)

// LoopStuckAfter is how long a media loop may go without a heartbeat
// before StuckLoops names it. Loops beat every
// ingest.DefaultHeartbeatInterval, so this allows several missed beats.
const LoopStuckAfter = 5 * ingest.DefaultHeartbeatInterval

// StuckLoops names the media loops ("cam1/rtp") that have not reported
// for LoopStuckAfter; empty means every loop is alive, also when no camera
// sends. cmd/mediagate sends systemd's WATCHDOG=1 only while it is empty.
func (g *Gateway) StuckLoops() []string {
	return g.health.Stuck(time.Now(), LoopStuckAfter)
}

// newSource builds the ingest source of one configured stream, feeding st,
// with its heartbeat wired to the watchdog. Ingest settings come from the
// config the gateway started with: they need a restart to change.
func (g *Gateway) newSource(sc config.Stream, st *stream.Stream) (*ingest.Source, error) {
	scfg, err := ingest.SourceConfigFrom(sc, g.reload.boot.Ingest)
	if err != nil {
		return nil, fmt.Errorf("stream %q: %w", sc.Name, err)
	}
	scfg.Heartbeat = g.health.Heartbeat(sc.Name)
	if scfg.REMB != nil {
		scfg.REMB.Demand = func() (int, bool) { return g.remb.Demand(sc.Name) }
	}
	src, err := ingest.NewSource(scfg, st, g.log.With("stream", sc.Name), g.ingestMetrics)
	if err != nil {
		g.health.Forget(sc.Name)
		return nil, fmt.Errorf("stream %q: %w", sc.Name, err)
	}
	return src, nil
}

// closeSource stops the named stream's source: it releases the source's
// loops from the watchdog (and from a stall) first, so Close can join them.
func (g *Gateway) closeSource(name string, src *ingest.Source) {
	g.health.Forget(name)
	_ = src.Close()
}
