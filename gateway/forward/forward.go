package forward

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pion/webrtc/v4"

	"mediagate.dev/mediagate/gateway/bwe"
	"mediagate.dev/mediagate/gateway/event"
	"mediagate.dev/mediagate/gateway/stream"
)

// Defaults of Config's zero fields.
const (
	DefaultRetryMin       = time.Second
	DefaultRetryMax       = 30 * time.Second
	DefaultConnectTimeout = 15 * time.Second
	DefaultQueueDepth     = 512
	// sourcePoll is how often an idle forward looks at its stream.
	sourcePoll = 250 * time.Millisecond
)

// Config sets up a Forward. Stream and URL are required.
type Config struct {
	// Stream is the stream published; SetStream moves the Forward to
	// another.
	Stream *stream.Stream
	// URL is the WHIP endpoint.
	URL string
	// Client sends the requests (token, timeout, redirect bound).
	Client Client
	// RetryMin and RetryMax bound the backoff between failed attempts;
	// zero means DefaultRetryMin and DefaultRetryMax.
	RetryMin, RetryMax time.Duration
	// ConnectTimeout bounds ICE and DTLS after the answer; zero means
	// DefaultConnectTimeout.
	ConnectTimeout time.Duration
	// SettingEngine configures pion's ICE (the gateway's: its interfaces,
	// loopback policy and shared UDP port).
	SettingEngine webrtc.SettingEngine
	// QueueDepth is each track subscription's queue, in packets; zero
	// means DefaultQueueDepth.
	QueueDepth int
	// OnREMB, when set, receives the remote's REMB as one more consumer's
	// demand on the stream's sender (bwe.Router.OnConsumerREMB).
	OnREMB func(c bwe.Consumer, bps float64)
	// Renditions, when set, supplies the transcoded renditions sent when
	// the endpoint refuses a source codec (gateway/rendition's Manager);
	// nil sends the source tracks only.
	Renditions Renditions
	// Log receives the Forward's logs; nil discards them.
	Log *slog.Logger
	// Metrics counts what the Forward does; nil counts nothing.
	Metrics *Metrics
}

// Forward publishes one stream to one WHIP endpoint (RFC 9725) while the
// stream has a source: one goroutine that waits for the source, connects,
// sends, and on failure retries with capped exponential backoff and
// jitter, or stops trying on a refusal that retrying cannot mend
// (Permanent). Start it with Start; Close ends it, with a DELETE of the
// session.
type Forward struct {
	cfg  Config
	url  string // the URL for logs, metrics and events: no query, no user info
	log  *slog.Logger
	ser  *series
	ctx  context.Context
	stop context.CancelFunc

	current atomic.Pointer[stream.Stream]
	moved   chan struct{}
	state   atomic.Value // string

	iceServers []webrtc.ICEServer // from the last answer; the run loop's
	attempts   int
	// renditionKinds are the kinds whose renditions the next attempts
	// offer after the source's codec (an endpoint refused it); the run
	// loop's, cleared when the source restarts and by PreferSource.
	renditionKinds map[stream.Kind]bool
	preferSource   atomic.Bool

	closeOnce sync.Once
	done      chan struct{}
}

// Start checks cfg and starts the Forward's goroutine.
func Start(cfg Config) (*Forward, error) {
	if cfg.Stream == nil || cfg.URL == "" {
		return nil, fmt.Errorf("%w: no stream or no url", ErrConfig)
	}
	withDefaults(&cfg.RetryMin, &cfg.RetryMax, &cfg.ConnectTimeout, &cfg.Log)
	if cfg.QueueDepth <= 0 {
		cfg.QueueDepth = DefaultQueueDepth
	}
	f := &Forward{cfg: cfg, url: Redact(cfg.URL), moved: make(chan struct{}, 1), done: make(chan struct{})}
	f.log = cfg.Log.With("stream", cfg.Stream.Name, "url", f.url)
	f.ser = cfg.Metrics.series(cfg.Stream.Name, "forward", f.url)
	f.ctx, f.stop = context.WithCancel(context.Background())
	f.current.Store(cfg.Stream)
	f.setState(StateIdle)
	go f.run()
	f.log.Info("forward started")
	return f, nil
}

// Stream returns the stream the Forward publishes now.
func (f *Forward) Stream() *stream.Stream { return f.current.Load() }

// SetStream moves the Forward to st, a stream rebuilt under its name: the
// running session (if any) ends with a DELETE and a new one starts once
// st has a source. It does not block.
func (f *Forward) SetStream(st *stream.Stream) {
	if st == nil || f.current.Swap(st) == st {
		return
	}
	f.preferSource.Store(true)
	select {
	case f.moved <- struct{}{}:
	default:
	}
}

// PreferSource makes the next session offer the source's codecs alone
// again, after an endpoint refused them and the Forward sent a rendition
// (a reload calls it); a session running now is left alone.
func (f *Forward) PreferSource() { f.preferSource.Store(true) }

// State is the Forward's state: StateIdle, StateConnecting, StateUp,
// StateRetrying or StateFailed.
func (f *Forward) State() string { return f.state.Load().(string) }

// URL is the endpoint as logs show it.
func (f *Forward) URL() string { return f.url }

// Close ends the session (DELETE) and the goroutine. It is idempotent.
func (f *Forward) Close() {
	f.closeOnce.Do(func() {
		f.stop()
		<-f.done
		f.ser.release()
		f.log.Info("forward stopped")
	})
}

// withDefaults fills the retry bounds, the connect timeout and the logger
// that Forward and Pull share.
func withDefaults(retryMin, retryMax, connect *time.Duration, log **slog.Logger) {
	if *retryMin <= 0 {
		*retryMin = DefaultRetryMin
	}
	if *retryMax < *retryMin {
		*retryMax = max(DefaultRetryMax, *retryMin)
	}
	if *connect <= 0 {
		*connect = DefaultConnectTimeout
	}
	if *log == nil {
		*log = slog.New(slog.DiscardHandler)
	}
}

func (f *Forward) setState(s string) {
	f.state.Store(s)
	f.ser.setState(s)
}

// run is the Forward's goroutine.
func (f *Forward) run() {
	defer close(f.done)
	bo := backoff{min: f.cfg.RetryMin, max: f.cfg.RetryMax}
	for {
		st := f.waitSource()
		if st == nil {
			return
		}
		if f.preferSource.Swap(false) {
			f.renditionKinds = nil
		}
		if f.attempts++; f.attempts > 1 {
			f.ser.reconnect()
		}
		f.setState(StateConnecting)
		wasUp, err := f.session(st)
		if wasUp {
			bo.reset()
		}
		var rf *refusal
		switch {
		case f.ctx.Err() != nil:
			return
		case err == nil:
			if !st.Up() || f.current.Load() != st {
				f.renditionKinds = nil // a new source: its own codecs first again
			}
			continue // the source went or the stream moved: wait for the next
		case errors.As(err, &rf):
			f.ser.failure("codec_refused")
			f.offerRenditions(rf.kinds)
			f.log.Warn("forward endpoint refused the source codec; offering a transcoded rendition",
				"cause", rf.cause, "kinds", fmt.Sprint(rf.kinds))
			continue // at once: switchable offers each kind once
		case Permanent(err):
			f.ser.failure(Reason(err))
			f.setState(StateFailed)
			f.log.Error("forward failed; no retry until the source restarts or the config changes",
				"reason", Reason(err), "err", err)
			f.waitSourceGone(st)
			f.renditionKinds = nil
		default:
			f.ser.failure(Reason(err))
			d := bo.wait()
			f.setState(StateRetrying)
			f.log.Warn("forward attempt failed; retrying", "reason", Reason(err), "err", err, "retry_in", d.Round(time.Millisecond))
			if !f.sleep(d) {
				return
			}
		}
	}
}

// waitSource returns the stream once it has a source, or nil when the
// Forward is closed.
func (f *Forward) waitSource() *stream.Stream {
	tick := time.NewTicker(sourcePoll)
	defer tick.Stop()
	for {
		if st := f.current.Load(); st.Up() {
			return st
		}
		if f.State() != StateIdle {
			f.setState(StateIdle)
		}
		select {
		case <-f.ctx.Done():
			return nil
		case <-f.moved:
		case <-tick.C:
		}
	}
}

// waitSourceGone returns once st has lost its source, the Forward moved
// to another stream, or it is closed.
func (f *Forward) waitSourceGone(st *stream.Stream) {
	tick := time.NewTicker(sourcePoll)
	defer tick.Stop()
	for st.Up() && f.current.Load() == st {
		select {
		case <-f.ctx.Done():
			return
		case <-f.moved:
		case <-tick.C:
		}
	}
}

// sleep waits d, or less when the Forward is closed (false) or moved.
func (f *Forward) sleep(d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-f.ctx.Done():
		return false
	case <-f.moved:
		return true
	case <-t.C:
		return true
	}
}

// publish sends a forward.up or forward.down event on the stream, with
// extra key/value pairs.
func (f *Forward) publish(st *stream.Stream, typ event.Type, reason string, extra ...string) {
	data := map[string]string{"url": f.url}
	if reason != "" {
		data["reason"] = reason
	}
	for i := 0; i+1 < len(extra); i += 2 {
		data[extra[i]] = extra[i+1]
	}
	st.Publish(event.Event{Type: typ, Data: data})
}
