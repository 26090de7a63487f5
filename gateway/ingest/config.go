package ingest

import (
	"fmt"
	"net/netip"
	"time"

	"github.com/pion/srtp/v3"

	"mediagate.dev/mediagate/gateway/config"
)

// Defaults NewSource gives the zero fields of a SourceConfig. They match the
// defaults of the config file (gateway/config).
const (
	// DefaultReadBuffer is the largest datagram accepted by default: a
	// 1500-byte MTU's worth with room to spare.
	DefaultReadBuffer = 2048
	// DefaultRelatchAfter is the silence after which policy "first" lets
	// another sender take over.
	DefaultRelatchAfter = 3 * time.Second
	// DefaultKeyframeInterval is the least time between keyframe requests.
	DefaultKeyframeInterval = time.Second
	// DefaultSourceTimeout is the silence after which the stream goes down.
	DefaultSourceTimeout = 5 * time.Second
	// DefaultReceiverReportInterval is how often receiver reports go out.
	DefaultReceiverReportInterval = time.Second
	// DefaultHeartbeatInterval is how often a read loop reports itself
	// alive when SourceConfig.Heartbeat is set.
	DefaultHeartbeatInterval = time.Second
)

// maxDatagram is the largest UDP payload IPv4 can carry (65535 - 20 - 8).
const maxDatagram = 65507

// minRTP is the size of an RTP header without CSRCs (RFC 3550 §5.1).
const minRTP = 12

// SourceConfig is everything one Source needs, already resolved from the
// config file by SourceConfigFrom: addresses parsed, durations converted and
// SRTP keys decoded. Zero fields take the defaults above; Latch and
// KeyframeRequest default to "first" and "pli".
type SourceConfig struct {
	// Name is the stream's name, used in metric labels and log lines.
	Name string
	// Listen is the UDP address RTP arrives on ("0.0.0.0:5004",
	// "[::]:5004"). RTCP is multiplexed on the same port (RFC 5761) unless
	// RTCPListen is set.
	Listen string
	// RTCPListen is a separate UDP address for RTCP; empty means muxed.
	RTCPListen string
	// AllowFrom lists the networks a sender may use; empty admits any
	// address.
	AllowFrom []netip.Prefix
	// Latch is the latching policy: "first" re-latches to another sender
	// after RelatchAfter of silence, "strict" only after SourceTimeout
	// (when the stream has gone down).
	Latch string
	// RelatchAfter is the silence of the latched sender after which policy
	// "first" lets another sender take over, and after which a new SSRC may
	// replace a track's current one.
	RelatchAfter time.Duration
	// KeyframeRequest is "pli" (RFC 4585 §6.3.1) or "fir" (RFC 5104 §4.3.1).
	KeyframeRequest string
	// KeyframeInterval is the least time between two keyframe requests sent
	// to the sender.
	KeyframeInterval time.Duration
	// SRTP holds the keying of an SRTP sender; nil means plain RTP.
	SRTP *SRTPConfig
	// ReadBuffer is the largest datagram accepted; larger ones are dropped.
	ReadBuffer int
	// SocketBuffer sets SO_RCVBUF on each socket; 0 keeps the OS default.
	SocketBuffer int
	// SourceTimeout is the silence after which the stream goes down and
	// the latch is released.
	SourceTimeout time.Duration
	// ReceiverReportInterval is how often receiver reports go back to the
	// sender.
	ReceiverReportInterval time.Duration
	// Heartbeat, when set, is called by each read loop ("rtp" or "rtcp",
	// the socket it reads) at least once per HeartbeatInterval, also while
	// nothing arrives: a watchdog's proof that the loop still runs. It is
	// called on the read goroutine, so a Heartbeat that blocks stalls the
	// loop.
	Heartbeat func(loop string)
	// HeartbeatInterval is the longest a read loop waits for a datagram
	// before it calls Heartbeat.
	HeartbeatInterval time.Duration
	// REMB, when set, runs a bandwidth estimator (gateway/bwe) on the
	// sender's packets and sends it REMB; nil means no REMB.
	REMB *REMBConfig
}

// SRTPConfig is the SDES keying of an SRTP sender (RFC 3711, RFC 4568). The
// same master key protects the RTCP the gateway sends back.
type SRTPConfig struct {
	// Profile is the protection profile (crypto suite).
	Profile srtp.ProtectionProfile
	// Key and Salt are the master key and master salt, of the lengths the
	// profile requires, that the sender protects its media with.
	Key, Salt []byte
	// SendKey and SendSalt protect the RTCP the source sends back; nil means
	// Key and Salt (one key for both directions, as configured cameras use).
	SendKey, SendSalt []byte
}

// withDefaults returns c with every zero field set to its default.
func (c SourceConfig) withDefaults() SourceConfig {
	if c.Latch == "" {
		c.Latch = config.LatchFirst
	}
	if c.KeyframeRequest == "" {
		c.KeyframeRequest = config.KeyframePLI
	}
	setDefault(&c.RelatchAfter, DefaultRelatchAfter)
	setDefault(&c.KeyframeInterval, DefaultKeyframeInterval)
	setDefault(&c.SourceTimeout, DefaultSourceTimeout)
	setDefault(&c.ReceiverReportInterval, DefaultReceiverReportInterval)
	setDefault(&c.HeartbeatInterval, DefaultHeartbeatInterval)
	if c.ReadBuffer == 0 {
		c.ReadBuffer = DefaultReadBuffer
	}
	return c
}

func setDefault(d *time.Duration, def time.Duration) {
	if *d == 0 {
		*d = def
	}
}

// validate checks a config that already has its defaults.
func (c SourceConfig) validate() error {
	switch {
	case c.Latch != config.LatchFirst && c.Latch != config.LatchStrict:
		return fmt.Errorf("%w: latch %q is not first or strict", ErrConfig, c.Latch)
	case c.KeyframeRequest != config.KeyframePLI && c.KeyframeRequest != config.KeyframeFIR:
		return fmt.Errorf("%w: keyframe request %q is not pli or fir", ErrConfig, c.KeyframeRequest)
	case c.ReadBuffer < minRTP || c.ReadBuffer > maxDatagram:
		return fmt.Errorf("%w: read buffer %d is outside %d-%d", ErrConfig, c.ReadBuffer, minRTP, maxDatagram)
	case c.SocketBuffer < 0:
		return fmt.Errorf("%w: negative socket buffer", ErrConfig)
	case c.RelatchAfter < 0, c.KeyframeInterval < 0, c.SourceTimeout < 0, c.ReceiverReportInterval < 0,
		c.HeartbeatInterval < 0:
		return fmt.Errorf("%w: negative duration", ErrConfig)
	}
	if err := c.REMB.validate(); err != nil {
		return err
	}
	return c.SRTP.validate()
}

// validate checks key and salt lengths against the profile; nil is valid.
func (k *SRTPConfig) validate() error {
	if k == nil {
		return nil
	}
	keyLen, err := k.Profile.KeyLen()
	if err != nil {
		return fmt.Errorf("%w: %w", ErrSRTP, err)
	}
	saltLen, err := k.Profile.SaltLen()
	if err != nil {
		return fmt.Errorf("%w: %w", ErrSRTP, err)
	}
	if len(k.Key) != keyLen || len(k.Salt) != saltLen {
		return fmt.Errorf("%w: %s needs a %d-byte key and a %d-byte salt, got %d and %d",
			ErrSRTP, k.Profile, keyLen, saltLen, len(k.Key), len(k.Salt))
	}
	return nil
}
