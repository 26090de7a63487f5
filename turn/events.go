package turn

import (
	"log/slog"
	"net"
	"slices"
	"sync/atomic"

	pionturn "github.com/pion/turn/v5"

	"mediagate.dev/mediagate/internal/ratelog"
)

// events turns pion's allocation lifecycle callbacks into metrics and log
// lines: an allocation's creation and end at info level, permissions and
// channels at debug level.
type events struct {
	log      *slog.Logger
	m        *Metrics
	tlsPorts []int // local ports of the TLS listeners
	limiter  *limiter
	errLog   *ratelog.Logger
	fast     *fastPath
	live     atomic.Int64 // allocations created and not yet ended
}

// handler returns the pion EventHandler.
func (e *events) handler() pionturn.EventHandler {
	return pionturn.EventHandler{
		OnAuth: func(src, _ net.Addr, _, username, _, method string, verdict bool) {
			if !verdict {
				e.m.authFailures.WithLabelValues(authIntegrity).Inc()
				e.limiter.allow(src)
				e.errLog.Warn("turn credentials refused", "reason", authIntegrity, "client", addrString(src),
					"username", username, "method", method)
			}
		},
		OnAllocationCreated: func(src, dst net.Addr, _, user, _ string, relay net.Addr, _ int) {
			t := e.transport(dst)
			e.live.Add(1)
			e.m.allocations.WithLabelValues(t).Inc()
			e.m.allocationsTotal.WithLabelValues(t).Inc()
			e.log.Info("turn allocation created", "user", user, "client", addrString(src),
				"transport", t, "relay", addrString(relay))
		},
		OnAllocationDeleted: func(src, dst net.Addr, _, user, _ string) {
			t := e.transport(dst)
			e.m.allocations.WithLabelValues(t).Dec()
			e.log.Info("turn allocation ended", "user", user, "client", addrString(src), "transport", t)
			e.live.Add(-1) // last: Close waits for this, so nothing logs after it returns
		},
		OnAllocationError: func(net.Addr, net.Addr, string, string) {
			e.m.requestErrors.Inc()
		},
		OnPermissionCreated: func(src, _ net.Addr, _, user, _ string, relay net.Addr, peer net.IP) {
			e.log.Debug("turn permission created", "user", user, "client", addrString(src),
				"relay", addrString(relay), "peer", peer.String())
		},
		OnChannelCreated: func(src, dst net.Addr, _, user, _ string, relay, peer net.Addr, ch uint16) {
			e.fast.bound(src, dst, relay, peer, ch)
			e.log.Debug("turn channel bound", "user", user, "client", addrString(src),
				"relay", addrString(relay), "peer", addrString(peer), "channel", ch)
		},
		OnChannelDeleted: func(src, _ net.Addr, _, _, _ string, relay, peer net.Addr, ch uint16) {
			e.fast.unbound(src, relay, peer, ch)
		},
	}
}

// transport names the listener an allocation's client uses, from the
// server side of its 5-tuple.
func (e *events) transport(local net.Addr) string {
	switch a := local.(type) {
	case *net.UDPAddr:
		return "udp"
	case *net.TCPAddr:
		if slices.Contains(e.tlsPorts, a.Port) {
			return "tls"
		}
	}
	return "tcp"
}
