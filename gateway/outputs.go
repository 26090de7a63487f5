package gateway

import (
	"errors"
	"fmt"
	"net"
	"reflect"
	"sync"
	"time"

	"mediagate.dev/mediagate/gateway/config"
	"mediagate.dev/mediagate/gateway/event"
	"mediagate.dev/mediagate/gateway/output"
	"mediagate.dev/mediagate/gateway/stream"
)

// outputs runs the [stream.output] of the configured streams: one
// output.Output per stream that has the table, started when the stream is
// and kept in step with the config on every reload (syncOutputs).
type outputs struct {
	metrics *output.Metrics

	mu      sync.Mutex
	running map[string]*runningOutput
	closed  bool

	stop chan struct{} // closed by stopOutputs
	done chan struct{} // closed when followStreams ends
}

// followEvery is how often followStreams checks every Output against the
// hub, in case the bus dropped a stream.up event.
const followEvery = 2 * time.Second

// runningOutput is one running Output and the settings it was started
// with.
type runningOutput struct {
	key outputKey
	out *output.Output
}

// outputKey is what an Output is started from: a change restarts it.
type outputKey struct {
	table            config.Output
	videoPT, audioPT int
}

func keyOf(sc config.Stream) outputKey {
	k := outputKey{table: *sc.Output, videoPT: -1, audioPT: -1}
	if sc.Video != nil {
		k.videoPT = sc.Video.PayloadType
	}
	if sc.Audio != nil {
		k.audioPT = sc.Audio.PayloadType
	}
	return k
}

// startOutputs sets up the outputs and starts following stream.up events,
// so that an Output moves to a stream rebuilt under its name (a publisher
// connecting). New calls it before the first syncOutputs.
func (g *Gateway) startOutputs() {
	g.outputs = &outputs{
		metrics: output.NewMetrics(g.reg),
		running: make(map[string]*runningOutput),
		stop:    make(chan struct{}),
		done:    make(chan struct{}),
	}
	events, cancel := g.bus.Subscribe(64)
	go g.followStreams(events, cancel)
}

// followStreams moves an Output to the hub's stream of its name when that
// stream goes up, and checks them all every followEvery, until
// stopOutputs.
func (g *Gateway) followStreams(events <-chan event.Event, cancel func()) {
	defer close(g.outputs.done)
	defer cancel()
	ticker := time.NewTicker(followEvery)
	defer ticker.Stop()
	for {
		select {
		case <-g.outputs.stop:
			return
		case e := <-events:
			if e.Type == event.StreamUp {
				g.followStream(e.Stream)
			}
		case <-ticker.C:
			for _, name := range g.outputNames() {
				g.followStream(name)
			}
		}
	}
}

// followStream moves the named stream's Output to the hub's stream of that
// name when it is another.
func (g *Gateway) followStream(name string) {
	o, st := g.Output(name), g.hub.Get(name)
	if o != nil && st != nil && o.Stream() != st {
		o.SetStream(st)
	}
}

// outputNames lists the streams that have a running Output.
func (g *Gateway) outputNames() []string {
	g.outputs.mu.Lock()
	defer g.outputs.mu.Unlock()
	names := make([]string, 0, len(g.outputs.running))
	for name := range g.outputs.running {
		names = append(names, name)
	}
	return names
}

// syncOutputs makes the running outputs match the running config: an
// Output for every stream in the hub whose table has [stream.output],
// restarted when that table or the payload types changed, moved when the
// stream was rebuilt, stopped when the table or the stream is gone. It
// returns the outputs that failed to start; the next call tries again.
func (g *Gateway) syncOutputs() []error {
	outs := g.outputs
	outs.mu.Lock()
	defer outs.mu.Unlock()
	if outs.closed {
		return nil
	}
	want := make(map[string]bool)
	var failed []error
	for _, sc := range g.config().Streams {
		st := g.hub.Get(sc.Name)
		if sc.Output == nil || st == nil {
			continue
		}
		want[sc.Name] = true
		if err := g.syncOutput(sc, st); err != nil {
			failed = append(failed, err)
		}
	}
	for name, r := range outs.running {
		if !want[name] {
			_ = r.out.Close()
			delete(outs.running, name)
		}
	}
	return failed
}

// syncOutput brings the Output of one stream in line with sc; outs.mu is
// held.
func (g *Gateway) syncOutput(sc config.Stream, st *stream.Stream) error {
	outs := g.outputs
	key := keyOf(sc)
	if r := outs.running[sc.Name]; r != nil {
		if reflect.DeepEqual(r.key, key) {
			if r.out.Stream() != st {
				r.out.SetStream(st)
			}
			return nil
		}
		_ = r.out.Close()
		delete(outs.running, sc.Name)
	}
	cfg, err := g.outputConfig(sc, st)
	if err != nil {
		return err
	}
	out, err := output.Start(cfg)
	if err != nil {
		return fmt.Errorf("stream %q: output: %w", sc.Name, err)
	}
	outs.running[sc.Name] = &runningOutput{key: key, out: out}
	return nil
}

// outputConfig turns a stream's [stream.output] table into an
// output.Config: the receiver's name resolved, the SRTP key decoded.
func (g *Gateway) outputConfig(sc config.Stream, st *stream.Stream) (output.Config, error) {
	oc := sc.Output
	ua, err := net.ResolveUDPAddr("udp", oc.Address)
	if err != nil {
		return output.Config{}, fmt.Errorf("stream %q: output.address: %w", sc.Name, err)
	}
	cfg := output.Config{
		Name: sc.Name, Stream: st, Remote: ua.AddrPort(), Listen: oc.Listen,
		Log:     g.log.With("stream", sc.Name, "component", "output"),
		Metrics: g.outputs.metrics,
	}
	if sc.Video != nil {
		cfg.VideoPayloadType = uint8(sc.Video.PayloadType)
	}
	if sc.Audio != nil {
		cfg.AudioPayloadType = uint8(sc.Audio.PayloadType)
	}
	if oc.SRTP != nil {
		profile, err1 := config.SRTPProfile(oc.SRTP.Suite)
		key, salt, err2 := oc.SRTP.MasterKeySalt()
		if err := errors.Join(err1, err2); err != nil {
			return output.Config{}, fmt.Errorf("stream %q: output.srtp: %w", sc.Name, err)
		}
		cfg.SRTP = &output.SRTPConfig{Profile: profile, Key: key, Salt: salt}
	}
	return cfg, nil
}

// Output returns the running Output of the named stream, or nil.
func (g *Gateway) Output(name string) *output.Output {
	if g.outputs == nil {
		return nil
	}
	g.outputs.mu.Lock()
	defer g.outputs.mu.Unlock()
	if r := g.outputs.running[name]; r != nil {
		return r.out
	}
	return nil
}

// outputREMB is the REMB of the named stream's RTP receiver, the demand
// the REMB router honours beside the viewers'; ok is false while it has
// sent none.
func (g *Gateway) outputREMB(name string) (bps int, ok bool) {
	if out := g.Output(name); out != nil {
		return out.REMB()
	}
	return 0, false
}

// stopOutputs closes every Output and ends the event subscription. It is
// idempotent.
func (g *Gateway) stopOutputs() {
	outs := g.outputs
	if outs == nil {
		return
	}
	outs.mu.Lock()
	if outs.closed {
		outs.mu.Unlock()
		return
	}
	outs.closed = true
	running := outs.running
	outs.running = map[string]*runningOutput{}
	outs.mu.Unlock()
	for _, r := range running {
		_ = r.out.Close()
	}
	close(outs.stop)
	<-outs.done
}
