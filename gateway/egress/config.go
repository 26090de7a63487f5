package egress

import (
	"log/slog"
	"time"

	"github.com/pion/ice/v4"
	"github.com/pion/logging"
	"github.com/pion/webrtc/v4"
)

// Defaults applied to zero Config fields.
const (
	DefaultSetupTimeout = 30 * time.Second
	DefaultQueueDepth   = 512
)

// Config configures a Manager. The zero value works: a random UDP port on
// every non-loopback address, no ICE-TCP, no caps, the defaults above.
type Config struct {
	// Log receives the manager's and every session's logs; pion's own logs
	// arrive at debug level. Nil discards.
	Log *slog.Logger
	// Metrics counts per stream; nil counts nothing.
	Metrics *Metrics
	// UDPPort is the one UDP port of all ICE traffic, bound on every usable
	// local address (IPv4 and IPv6) or on the Interfaces' addresses; 0 picks
	// a free port.
	UDPPort int
	// TCPPort is the passive ICE-TCP port (RFC 6544), bound on the same
	// addresses as UDPPort; 0 disables ICE-TCP.
	TCPPort int
	// Interfaces restricts ICE to these interfaces; empty means all.
	Interfaces []string
	// PublicIPs are announced instead of the local addresses (1:1 NAT): a
	// bare address replaces every local address of its family, "pub/local"
	// replaces one.
	PublicIPs []string
	// IncludeLoopback gathers loopback candidates and accepts loopback
	// remote candidates (tests, single-host setups).
	IncludeLoopback bool
	// MaxSessions caps the sessions of all streams together; 0 is no cap.
	MaxSessions int
	// SetupTimeout closes a session that has not reached ICE connected this
	// long after it was created; 0 means DefaultSetupTimeout.
	SetupTimeout time.Duration
	// QueueDepth is the stream.Subscription depth of each viewer track; 0
	// means DefaultQueueDepth.
	QueueDepth int
	// Renditions, when set, supplies transcoded renditions for viewers that
	// cannot take a source's codec; nil passes every source through and
	// refuses such viewers.
	Renditions Renditions
	// Bridges, when set, starts viewers who join between a source's
	// keyframes on a key frame of the current picture (start.go); nil
	// makes them wait for the source's next keyframe.
	Bridges Bridges
	// OnREMB, when set, receives the bitrate a viewer can take, in bits per
	// second: every REMB (draft-alvestrand-rmcat-remb) it sends, bounded by
	// the loss its receiver reports show (GCC's loss-based rule, see
	// feedback.go), and again whenever that loss moves the bound. It runs
	// on the viewer's RTCP goroutine: it must not block, and must not call
	// Viewer.Close.
	OnREMB func(v *Viewer, bitrate float64)
	// DisableFastPath sends every viewer's RTP through pion, one goroutine
	// and one write per packet per viewer, instead of the fan-out's one
	// pass per packet with sendmmsg (fan.go, fastlink.go).
	DisableFastPath bool
}

func (c *Config) withDefaults() Config {
	out := *c
	if out.Log == nil {
		out.Log = slog.New(slog.DiscardHandler)
	}
	if out.SetupTimeout <= 0 {
		out.SetupTimeout = DefaultSetupTimeout
	}
	if out.QueueDepth <= 0 {
		out.QueueDepth = DefaultQueueDepth
	}
	return out
}

// settingEngine configures pion for a gateway: the shared ICE sockets, no
// mDNS (candidates carry addresses; RFC 8839 §5.1 .local names would hide
// them), loopback only when asked, no active ICE-TCP (the gateway never
// connects out), remote candidates filtered like trickled ones, and pion's
// logs bridged into slog.
func (c *Config) settingEngine(s *iceSockets, lf logging.LoggerFactory, policy candidatePolicy) (webrtc.SettingEngine, error) {
	var se webrtc.SettingEngine
	se.LoggerFactory = lf
	se.SetICEMulticastDNSMode(ice.MulticastDNSModeDisabled)
	se.SetIncludeLoopbackCandidate(c.IncludeLoopback)
	se.SetICEUDPMux(s.udp)
	if s.tcp != nil {
		se.SetICETCPMux(s.tcp)
	}
	se.DisableActiveTCP(true)
	se.SetNetworkTypes(s.networks)
	if len(c.Interfaces) > 0 {
		names := append([]string(nil), c.Interfaces...)
		se.SetInterfaceFilter(func(name string) bool {
			for _, n := range names {
				if n == name {
					return true
				}
			}
			return false
		})
	}
	se.SetRemoteIPFilter(policy.usableIP)
	if len(c.PublicIPs) > 0 {
		rules, err := addressRewriteRules(c.PublicIPs)
		if err != nil {
			return se, err
		}
		if err := se.SetICEAddressRewriteRules(rules...); err != nil {
			return se, err
		}
	}
	return se, nil
}
