package ingest

import (
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pion/rtp"

	"mediagate.dev/mediagate/gateway/stream"
	"mediagate.dev/mediagate/internal/udpbatch"
)

// datagramWriter is the sending half of a UDP socket; tests without sockets
// put a recorder in its place.
type datagramWriter interface {
	WriteToUDPAddrPort(b []byte, addr netip.AddrPort) (int, error)
}

// Source receives one stream's RTP or SRTP from a camera or encoder and
// writes it into the stream's tracks. It owns the stream's UDP sockets, one
// read goroutine per socket and one timer goroutine for receiver reports
// and the source timeout. It is safe for concurrent use.
type Source struct {
	cfg     SourceConfig
	st      *stream.Stream
	log     *slog.Logger
	met     *sourceMetrics
	epoch   time.Time
	ourSSRC uint32
	cname   string

	rtpConn, rtcpConn *net.UDPConn     // rtcpConn is nil when RTCP is muxed
	rtpIn, rtcpIn     *udpbatch.Reader // their read loops' batch readers
	rtpOut, rtcpOut   datagramWriter   // where RTCP is sent from
	tracks            []*trackState    // video first
	video             *trackState      // nil without video
	dropGates         [numDropReasons]gate
	dropsSinceLog     [numDropReasons]atomic.Int64
	rejectGate        gate
	rejects           rejectLog
	readErrGate       gate
	sendErrGate       gate

	mu         sync.Mutex // guards everything below
	latch      latch
	up         bool
	ssrcs      ssrcTable
	srtp       *srtpState
	scratch    rtp.Packet
	rtcpRemote netip.AddrPort // the sender's RTCP address when RTCP has its own port
	kf         keyframeState
	remb       *rembState // nil without REMB
	lastRR     time.Time
	started    bool
	closed     bool

	done      chan struct{}
	wg        sync.WaitGroup
	closeOnce sync.Once
	closeErr  error
}

// NewSource binds the sockets of cfg and returns a source that feeds st; it
// installs itself as st's keyframe requester. log should already carry the
// stream's name (the gateway scopes it with .With("stream", name)); m may be
// nil. Errors wrap ErrConfig, ErrNoTracks, ErrSRTP or ErrListen.
func NewSource(cfg SourceConfig, st *stream.Stream, log *slog.Logger, m *Metrics) (*Source, error) {
	s, err := newSource(cfg, st, log, m)
	if err != nil {
		return nil, err
	}
	if err := s.bind(); err != nil {
		return nil, err
	}
	st.SetKeyframeRequester(s)
	return s, nil
}

// newSource builds a source without sockets.
func newSource(cfg SourceConfig, st *stream.Stream, log *slog.Logger, m *Metrics) (*Source, error) {
	cfg = cfg.withDefaults()
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	s := &Source{
		cfg:     cfg,
		st:      st,
		log:     log.With("component", "ingest"),
		met:     m.forStream(cfg.Name),
		epoch:   time.Now(),
		ourSSRC: rand.Uint32(),
		latch:   latch{policy: cfg.Latch, relatchAfter: cfg.RelatchAfter},
		remb:    newREMBState(cfg.REMB),
		done:    make(chan struct{}),
	}
	s.cname = fmt.Sprintf("mediagate-%08x", s.ourSSRC)
	if s.remb != nil {
		s.met.follows.Set(1) // no REMB sent yet: nothing ignored
	}
	if err := s.addTracks(); err != nil {
		return nil, err
	}
	if cfg.SRTP != nil {
		keys, err := newSRTPState(*cfg.SRTP)
		if err != nil {
			return nil, err
		}
		s.srtp = keys
	}
	return s, nil
}

func (s *Source) addTracks() error {
	if v := s.st.Video; v != nil {
		s.video = newTrackState(v, s.met.jitterVideo)
		s.tracks = append(s.tracks, s.video)
	}
	if a := s.st.Audio; a != nil {
		if s.video != nil && a.Codec.PayloadType == s.video.track.Codec.PayloadType {
			return fmt.Errorf("%w: video and audio share payload type %d", ErrNoTracks, a.Codec.PayloadType)
		}
		s.tracks = append(s.tracks, newTrackState(a, s.met.jitterAudio))
	}
	if len(s.tracks) == 0 {
		return fmt.Errorf("%w: stream %q", ErrNoTracks, s.st.Name)
	}
	return nil
}

// Start starts the read goroutines and the timer goroutine. It does nothing
// after the first call or after Close.
func (s *Source) Start() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.started || s.closed {
		return
	}
	s.started = true
	if s.rtpConn != nil {
		s.wg.Add(1)
		go s.readLoop(s.rtpConn, s.rtpIn, false)
	}
	if s.rtcpConn != nil {
		s.wg.Add(1)
		go s.readLoop(s.rtcpConn, s.rtcpIn, true)
	}
	s.wg.Add(1)
	go s.timerLoop()
}

// Close stops the goroutines, closes the sockets, waits for the goroutines
// to end and marks the stream down. It is idempotent and returns the
// sockets' close error, the same on every call.
func (s *Source) Close() error {
	s.closeOnce.Do(func() {
		s.mu.Lock()
		s.closed = true
		s.mu.Unlock()
		close(s.done)
		var errs []error
		for _, c := range []*net.UDPConn{s.rtpConn, s.rtcpConn} {
			if c != nil {
				errs = append(errs, c.Close())
			}
		}
		s.wg.Wait()
		s.mu.Lock()
		s.unlatch("closed")
		s.mu.Unlock()
		s.closeErr = errors.Join(errs...)
	})
	return s.closeErr
}

// LocalAddr returns the address of the RTP socket.
func (s *Source) LocalAddr() net.Addr {
	if s.rtpConn == nil {
		return nil
	}
	return s.rtpConn.LocalAddr()
}

// Latched returns the address of the sender the source is latched onto, or
// the zero AddrPort.
func (s *Source) Latched() netip.AddrPort {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.latch.addr
}
