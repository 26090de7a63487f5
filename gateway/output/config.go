package output

import (
	"fmt"
	"log/slog"
	"net/netip"
	"time"

	"github.com/pion/srtp/v3"

	"mediagate.dev/mediagate/gateway/stream"
)

// Defaults of Config's zero fields.
const (
	// DefaultQueueDepth is each track subscription's queue, in packets.
	DefaultQueueDepth = 512
	// DefaultHistory is how many sent packets each track keeps for NACKs:
	// about a second of a 4 Mbit/s stream.
	DefaultHistory = 512
	// DefaultNACKBudget is how many packets per second the receiver may have
	// retransmitted, with a burst of one second's worth.
	DefaultNACKBudget = 400
	// DefaultREMBTimeout is how long a REMB from the receiver holds without
	// a newer one.
	DefaultREMBTimeout = 3 * time.Second
	// DefaultReportInterval is how often each track sends a Sender Report.
	DefaultReportInterval = time.Second
	// DefaultReadBuffer is the largest RTCP datagram read; larger ones are
	// dropped as oversize.
	DefaultReadBuffer = 1500
)

// maxHistory bounds Config.History: the history is indexed by sequence
// number modulo its size, which must divide 2^16.
const maxHistory = 1 << 15

// Config sets up an Output. Only Stream and Remote are required.
type Config struct {
	// Name labels the metrics and logs; empty means the stream's name.
	Name string
	// Stream is the stream sent; SetStream moves the Output to another.
	Stream *stream.Stream
	// Remote is the receiver's address: RTP and RTCP go there (RTCP muxed,
	// RFC 5761), and RTCP is accepted from there alone.
	Remote netip.AddrPort
	// Listen is the local address to bind, such as "0.0.0.0:6000"; empty
	// means an ephemeral port on every address of Remote's family.
	Listen string
	// SRTP, when set, protects the media sent and authenticates the
	// receiver's SRTCP, both with the same master key.
	SRTP *SRTPConfig
	// VideoPayloadType and AudioPayloadType are stamped on the packets
	// sent; 0 means the track's own (the [stream.video] and [stream.audio]
	// tables').
	VideoPayloadType, AudioPayloadType uint8
	// QueueDepth, History, NACKBudget, REMBTimeout, ReportInterval and
	// ReadBuffer override the defaults above when positive.
	QueueDepth     int
	History        int
	NACKBudget     int
	REMBTimeout    time.Duration
	ReportInterval time.Duration
	ReadBuffer     int
	// OnREMB, when set, is called with every REMB bitrate the receiver
	// sends, in bits per second, from the RTCP read goroutine.
	OnREMB func(bps int)
	// Log receives the Output's logs; nil discards them.
	Log *slog.Logger
	// Metrics counts what the Output does; nil counts nothing.
	Metrics *Metrics
}

// SRTPConfig is the SRTP keying of an Output (RFC 3711).
type SRTPConfig struct {
	// Profile is the protection profile (crypto suite).
	Profile srtp.ProtectionProfile
	// Key and Salt are the master key and salt, of the profile's lengths.
	Key, Salt []byte
}

// withDefaults checks c and fills its zero fields.
func (c Config) withDefaults() (Config, error) {
	if c.Stream == nil {
		return c, fmt.Errorf("%w: no stream", ErrConfig)
	}
	if !c.Remote.IsValid() || c.Remote.Port() == 0 || c.Remote.Addr().IsUnspecified() {
		return c, fmt.Errorf("%w: receiver address %q", ErrConfig, c.Remote.String())
	}
	if c.QueueDepth < 0 || c.History < 0 || c.NACKBudget < 0 || c.REMBTimeout < 0 ||
		c.ReportInterval < 0 || c.ReadBuffer < 0 {
		return c, fmt.Errorf("%w: negative bound", ErrConfig)
	}
	c.Remote = netip.AddrPortFrom(c.Remote.Addr().Unmap(), c.Remote.Port())
	c.Name = orDefault(c.Name, c.Stream.Name)
	c.QueueDepth = orDefault(c.QueueDepth, DefaultQueueDepth)
	c.History = historySize(orDefault(c.History, DefaultHistory))
	c.NACKBudget = orDefault(c.NACKBudget, DefaultNACKBudget)
	c.REMBTimeout = orDefault(c.REMBTimeout, DefaultREMBTimeout)
	c.ReportInterval = orDefault(c.ReportInterval, DefaultReportInterval)
	c.ReadBuffer = min(orDefault(c.ReadBuffer, DefaultReadBuffer), 1<<16)
	if c.Log == nil {
		c.Log = slog.New(slog.DiscardHandler)
	}
	return c, nil
}

// listenAddr is the address the socket binds: Listen, or an ephemeral
// port on every address of Remote's family.
func (c Config) listenAddr() string {
	switch {
	case c.Listen != "":
		return c.Listen
	case c.Remote.Addr().Is6():
		return "[::]:0"
	default:
		return "0.0.0.0:0"
	}
}

// historySize rounds n up to a power of two no larger than maxHistory, so
// that it divides 2^16.
func historySize(n int) int {
	size := 1
	for size < n && size < maxHistory {
		size <<= 1
	}
	return size
}

func orDefault[T comparable](v, def T) T {
	var zero T
	if v == zero {
		return def
	}
	return v
}
