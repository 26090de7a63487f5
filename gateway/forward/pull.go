package forward

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"mediagate.dev/mediagate/gateway/event"
	"mediagate.dev/mediagate/gateway/stream"
	"mediagate.dev/mediagate/gateway/whip"
)

// Pull defaults.
const (
	// DefaultLinger is how long a pull stays after its last consumer
	// left, when PullConfig.Linger is zero.
	DefaultLinger = 10 * time.Second
	// demandPoll is how often a pull looks at its stream's consumers,
	// besides the stream's subscriber hook.
	demandPoll = time.Second
)

// Offerer creates the receiving session of a pull; *whip.Manager is one.
type Offerer interface {
	Offer(ctx context.Context, req whip.OfferRequest) (*whip.Publisher, string, error)
}

// PullConfig sets up a Pull. Stream, URL and Publishers are required.
type PullConfig struct {
	// Target is the stream the media goes into, with the REMB bounds and
	// keyframe interval of the REMB and PLI sent to the server.
	Target whip.Target
	// URL is the WHEP endpoint of the stream to pull.
	URL string
	// Client sends the requests (token, timeout, redirect bound).
	Client Client
	// Publishers creates the receiving sessions (the gateway's WHIP
	// publishers: the media path is a publisher's).
	Publishers Offerer
	// Linger is how long the session stays after the last consumer left;
	// zero means DefaultLinger.
	Linger time.Duration
	// RetryMin, RetryMax and ConnectTimeout are as in Config.
	RetryMin, RetryMax, ConnectTimeout time.Duration
	// Log receives the Pull's logs; nil discards them.
	Log *slog.Logger
	// Metrics counts what the Pull does; nil counts nothing.
	Metrics *Metrics
}

// Pull is the source of a stream whose source is "whep": it pulls the
// stream from a WHEP server (draft-ietf-wish-whep, RFC 9725's HTTP rules)
// while something consumes it — a viewer, an output, a forward, a
// transcoder — and lets go Linger after the last consumer left. Its media
// enters the stream as a WHIP publisher's does (gateway/whip): keyframe
// flags, Sender Report clocks, REMB to the server from bwe.Upstream's
// rule (the link estimate, lowered to the edge's consumers' demand) and
// PLI when a viewer needs a keyframe. A failed attempt is retried with
// capped exponential backoff and jitter; a refusal that retrying cannot
// mend waits for the consumers to leave and return.
type Pull struct {
	cfg  PullConfig
	st   *stream.Stream
	url  string
	log  *slog.Logger
	ser  *series
	ctx  context.Context
	stop context.CancelFunc
	wake chan struct{}

	state     atomic.Value // string
	attempts  int
	closeOnce sync.Once
	done      chan struct{}
}

// StartPull starts pulling on demand.
func StartPull(cfg PullConfig) (*Pull, error) {
	if cfg.Target.Stream == nil || cfg.URL == "" || cfg.Publishers == nil {
		return nil, fmt.Errorf("%w: a pull needs a stream, a url and publishers", ErrConfig)
	}
	if cfg.Linger <= 0 {
		cfg.Linger = DefaultLinger
	}
	withDefaults(&cfg.RetryMin, &cfg.RetryMax, &cfg.ConnectTimeout, &cfg.Log)
	st := cfg.Target.Stream
	p := &Pull{cfg: cfg, st: st, url: Redact(cfg.URL), wake: make(chan struct{}, 1), done: make(chan struct{})}
	p.log = cfg.Log.With("stream", st.Name, "url", p.url)
	p.ser = cfg.Metrics.series(st.Name, "pull", p.url)
	p.ctx, p.stop = context.WithCancel(context.Background())
	p.setState(StateIdle)
	st.OnSubscribers(p.poke)
	go p.run()
	p.log.Info("whep pull configured")
	return p, nil
}

// State is the Pull's state, as a Forward's.
func (p *Pull) State() string { return p.state.Load().(string) }

// Close ends the session (DELETE) and the goroutine. It is idempotent.
func (p *Pull) Close() {
	p.closeOnce.Do(func() {
		p.st.OnSubscribers(nil)
		p.stop()
		<-p.done
		p.ser.release()
	})
}

func (p *Pull) poke() {
	select {
	case p.wake <- struct{}{}:
	default:
	}
}

func (p *Pull) setState(s string) {
	p.state.Store(s)
	p.ser.setState(s)
}

func (p *Pull) wanted() bool { return p.st.Subscribers() > 0 }

// run is the Pull's goroutine.
func (p *Pull) run() {
	defer close(p.done)
	bo := backoff{min: p.cfg.RetryMin, max: p.cfg.RetryMax}
	for {
		if !p.waitFor(p.ctx, true, 0) {
			return
		}
		if p.attempts++; p.attempts > 1 {
			p.ser.reconnect()
		}
		p.setState(StateConnecting)
		wasUp, err := p.session()
		if wasUp {
			bo.reset()
		}
		switch {
		case p.ctx.Err() != nil:
			return
		case err == nil:
			p.setState(StateIdle)
		case Permanent(err):
			p.ser.failure(Reason(err))
			p.setState(StateFailed)
			p.log.Error("whep pull failed; no retry until the consumers leave and return or the config changes",
				"reason", Reason(err), "err", err)
			if !p.waitFor(p.ctx, false, 0) {
				return
			}
		default:
			p.ser.failure(Reason(err))
			d := bo.wait()
			p.setState(StateRetrying)
			p.log.Warn("whep pull attempt failed; retrying", "reason", Reason(err), "err", err, "retry_in", d.Round(time.Millisecond))
			t := time.NewTimer(d)
			select {
			case <-p.ctx.Done():
				t.Stop()
				return
			case <-t.C:
			}
		}
	}
}

// waitFor waits until the stream is wanted (or not, for want false) and
// has been for hold; false when the Pull is closed.
func (p *Pull) waitFor(ctx context.Context, want bool, hold time.Duration) bool {
	tick := time.NewTicker(demandPoll)
	defer tick.Stop()
	var since time.Time
	for {
		if p.wanted() == want {
			if since.IsZero() {
				since = time.Now()
			}
			if time.Since(since) >= hold {
				return true
			}
		} else {
			since = time.Time{}
		}
		wait := demandPoll
		if !since.IsZero() {
			wait = min(wait, hold-time.Since(since))
		}
		t := time.NewTimer(max(wait, time.Millisecond))
		select {
		case <-ctx.Done():
			t.Stop()
			return false
		case <-p.wake:
		case <-t.C:
		}
		t.Stop()
	}
}

// session runs one WHEP session from the POST to its end. It returns
// whether media flowed, and nil when it ended because no one consumes
// the stream any more.
func (p *Pull) session() (wasUp bool, err error) {
	pub, offer, err := p.cfg.Publishers.Offer(p.ctx, whip.OfferRequest{
		ID: fmt.Sprintf("pull-%d", p.attempts), Target: p.cfg.Target, Remote: p.url, Source: "whep",
	})
	if err != nil {
		return false, err
	}
	ans, err := p.cfg.Client.Create(p.ctx, p.cfg.URL, offer)
	if err != nil {
		pub.Abort()
		return false, err
	}
	defer p.delete(ans.Resource)
	if err := pub.Accept(ans.SDP); err != nil {
		return false, fmt.Errorf("%w: %v", ErrAnswer, err)
	}
	defer pub.Close()
	if err := p.waitMedia(pub); err != nil {
		return false, err
	}
	p.setState(StateUp)
	p.publish(event.PullUp, "")
	p.log.Info("whep pull up", "resource", Redact(ans.Resource.URL))
	reason, err := p.hold(pub)
	p.publish(event.PullDown, reason)
	p.log.Info("whep pull down", "reason", reason)
	return true, err
}

// waitMedia waits for the first media packet (the stream goes up).
func (p *Pull) waitMedia(pub *whip.Publisher) error {
	deadline := time.NewTimer(p.cfg.ConnectTimeout)
	defer deadline.Stop()
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for !p.st.Up() {
		select {
		case <-p.ctx.Done():
			return p.ctx.Err()
		case <-pub.Done():
			return fmt.Errorf("%w: session ended before media arrived", errICE)
		case <-deadline.C:
			return fmt.Errorf("%w: no media within %v", errICE, p.cfg.ConnectTimeout)
		case <-tick.C:
		}
	}
	return nil
}

// hold keeps the session until the consumers have been gone for Linger,
// the Pull closes, or the session drops (an error: reconnect).
func (p *Pull) hold(pub *whip.Publisher) (string, error) {
	ctx, cancel := context.WithCancel(p.ctx)
	defer cancel()
	idle := make(chan bool, 1)
	go func() { idle <- p.waitFor(ctx, false, p.cfg.Linger) }()
	select {
	case <-pub.Done():
		return "session ended", fmt.Errorf("%w: the session ended", errICE)
	case ok := <-idle:
		if ok {
			return "no consumers", nil
		}
		return "pull removed", nil
	}
}

// delete ends the session on the server.
func (p *Pull) delete(r *Resource) {
	ctx, cancel := context.WithTimeout(context.Background(), deleteTimeout)
	defer cancel()
	if err := p.cfg.Client.Delete(ctx, r); err != nil {
		p.log.Warn("whep pull DELETE failed", "err", err)
	}
}

func (p *Pull) publish(typ event.Type, reason string) {
	data := map[string]string{"url": p.url}
	if reason != "" {
		data["reason"] = reason
	}
	p.st.Publish(event.Event{Type: typ, Data: data})
}
