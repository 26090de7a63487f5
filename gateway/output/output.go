package output

import (
	"fmt"
	"net"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pion/srtp/v3"

	"mediagate.dev/mediagate/gateway/outbound"
	"mediagate.dev/mediagate/gateway/stream"
	"mediagate.dev/mediagate/internal/ratelog"
)

// replayWindow is the SRTCP replay window (RFC 3711 §3.3.2 asks for at
// least 64); pion/srtp leaves replay protection off unless asked.
const replayWindow = 64

// Output sends one stream to one RTP or SRTP receiver and honours the RTCP
// the receiver sends back. Start it with Start; Close ends it.
type Output struct {
	cfg  Config
	met  *outputMetrics
	errs *ratelog.Logger
	conn *net.UDPConn
	link link // the send loop's

	senders [2]*trackSender // by stream.Kind; the send loop's
	ssrcs   [2]uint32       // the senders' SSRCs, fixed at Start
	current atomic.Pointer[stream.Stream]

	// The read loop's: SRTCP decryption, the NACK budget, a buffer, what
	// the receiver's RTCP does.
	srtcp    *srtp.Context
	budget   tokenBucket
	plain    []byte
	feedback outbound.Feedback

	remb  rembState
	nacks chan nackRequest

	moveMu sync.Mutex
	moveTo *stream.Stream
	moved  chan struct{} // signalled by SetStream

	stop      chan struct{}
	closeOnce sync.Once
	wg        sync.WaitGroup
}

// Start binds the Output's socket, subscribes to the stream's tracks and
// starts sending. On error nothing is left open.
func Start(cfg Config) (*Output, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	o := &Output{
		cfg:    cfg,
		met:    cfg.Metrics.forOutput(cfg.Name),
		errs:   ratelog.New(cfg.Log),
		budget: newTokenBucket(cfg.NACKBudget),
		remb:   rembState{timeout: cfg.REMBTimeout},
		nacks:  make(chan nackRequest, nackBacklog),
		moved:  make(chan struct{}, 1),
		stop:   make(chan struct{}),
	}
	o.feedback = o.rtcpFeedback()
	o.senders[stream.Video] = newTrackSender(stream.Video, cfg.VideoPayloadType, cfg.History, &o.link)
	o.senders[stream.Audio] = newTrackSender(stream.Audio, cfg.AudioPayloadType, cfg.History, &o.link)
	for k, s := range o.senders {
		o.ssrcs[k] = s.out.SSRC
	}
	if err := o.keySRTP(); err != nil {
		return nil, err
	}
	if err := o.bind(); err != nil {
		return nil, err
	}
	o.link = link{conn: o.conn, remote: cfg.Remote, srtp: o.link.srtp, met: o.met, errs: o.errs}
	o.current.Store(cfg.Stream)
	o.wg.Add(2)
	go o.run()
	go o.readLoop()
	cfg.Log.Info("output started", "remote", cfg.Remote.String(), "local", o.LocalAddr().String(),
		"srtp", cfg.SRTP != nil, "video_ssrc", o.ssrcs[stream.Video], "audio_ssrc", o.ssrcs[stream.Audio])
	return o, nil
}

// keySRTP creates the send and receive SRTP contexts when keyed.
func (o *Output) keySRTP() error {
	k := o.cfg.SRTP
	if k == nil {
		return nil
	}
	tx, err := srtp.CreateContext(k.Key, k.Salt, k.Profile)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrSRTP, err)
	}
	rx, err := srtp.CreateContext(k.Key, k.Salt, k.Profile, srtp.SRTCPReplayProtection(replayWindow))
	if err != nil {
		return fmt.Errorf("%w: %w", ErrSRTP, err)
	}
	o.link.srtp, o.srtcp = tx, rx
	return nil
}

// bind opens the UDP socket: IPv4 only for an IPv4 address, dual-stack for
// a wildcard or IPv6 one.
func (o *Output) bind() error {
	addr := o.cfg.listenAddr()
	ua, err := net.ResolveUDPAddr("udp", addr)
	if err != nil {
		return fmt.Errorf("%w: %s: %w", ErrListen, addr, err)
	}
	network := "udp"
	if ua.IP.To4() != nil {
		network = "udp4"
	}
	c, err := net.ListenUDP(network, ua)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrListen, err)
	}
	o.conn = c
	return nil
}

// LocalAddr is the address the Output sends from and reads RTCP on.
func (o *Output) LocalAddr() netip.AddrPort {
	return o.conn.LocalAddr().(*net.UDPAddr).AddrPort()
}

// SSRC returns the SSRC the Output sends the track of kind with. It is
// chosen at random at Start (RFC 3550 §8.1) and never changes; a receiver
// that must be told it (GStreamer's srtpdec) finds it in the log too.
func (o *Output) SSRC(kind stream.Kind) uint32 { return o.ssrcs[kind] }

// Stream returns the stream the Output sends now.
func (o *Output) Stream() *stream.Stream { return o.current.Load() }

// SetStream moves the Output to st, a stream that replaced its own (the
// same name, rebuilt): it subscribes to st's tracks and keeps each track's
// SSRC, sequence numbers and timestamps continuous. It does not block.
func (o *Output) SetStream(st *stream.Stream) {
	if st == nil {
		return
	}
	o.moveMu.Lock()
	o.moveTo = st
	o.moveMu.Unlock()
	select {
	case o.moved <- struct{}{}:
	default:
	}
}

// REMB returns the receiver's latest REMB bitrate in bits per second, and
// false when it sent none within Config.REMBTimeout.
func (o *Output) REMB() (bps int, ok bool) { return o.remb.get(time.Now()) }

// Close sends a BYE for each track (RFC 3550 §6.6), leaves the stream and
// closes the socket. It is idempotent and always returns nil.
func (o *Output) Close() error {
	o.closeOnce.Do(func() {
		close(o.stop)
		o.wg.Wait()
		o.met.release()
		o.cfg.Log.Info("output stopped", "remote", o.cfg.Remote.String())
	})
	return nil
}
