package ingest

import (
	"net/netip"
	"time"

	"mediagate.dev/mediagate/gateway/config"
	"mediagate.dev/mediagate/gateway/event"
)

// latch is the sender the source listens to: symmetric RTP (RFC 4961) has
// no signalling, so the source learns the sender's address from its packets
// and sends its RTCP back there. Guarded by Source.mu.
type latch struct {
	policy       string
	relatchAfter time.Duration
	addr         netip.AddrPort // zero while not latched
	lastGood     time.Time      // last RTP packet accepted from addr
}

// is reports whether from is the latched sender.
func (l *latch) is(from netip.AddrPort) bool { return l.addr.IsValid() && from == l.addr }

// stale reports whether the latched sender has been silent for RelatchAfter.
func (l *latch) stale(now time.Time) bool { return now.Sub(l.lastGood) >= l.relatchAfter }

// mayTake reports whether a packet from from may (re-)latch the source:
// always when nothing is latched or from is the latched sender; another
// sender only under policy "first" and after RelatchAfter of silence. Policy
// "strict" waits for the source to time out, which releases the latch.
func (l *latch) mayTake(from netip.AddrPort, now time.Time) bool {
	switch {
	case !l.addr.IsValid(), from == l.addr:
		return true
	default:
		return l.policy == config.LatchFirst && l.stale(now)
	}
}

// latchOnto makes from the latched sender. A new address starts a new
// session: receive statistics, SSRCs and the RTCP return address are
// forgotten, and source.latched is published. Under SRTP the candidate's
// probe context becomes the receive context either way, so the replay
// window restarts with the sender (a restarted camera restarts its
// sequence numbers). Called with s.mu held.
func (s *Source) latchOnto(from netip.AddrPort, now time.Time) {
	prev := s.latch.addr
	s.latch.addr, s.latch.lastGood = from, now
	if s.srtp != nil {
		s.srtp.promote(from)
	}
	if prev == from {
		s.log.Debug("SRTP context renewed after silence", "remote", from.String())
		return
	}
	s.resetSession()
	s.met.latched.Set(1)
	data := map[string]string{"remote": from.String()}
	if prev.IsValid() {
		data["previous"] = prev.String()
		s.log.Info("re-latched to a new sender", "remote", from.String(), "previous", prev.String())
	} else {
		s.log.Info("latched", "remote", from.String())
	}
	s.st.Publish(event.Event{Type: event.SourceLatched, Data: data})
}

// unlatch releases the sender after SourceTimeout of silence and marks the
// stream down; the stream stays configured and its viewers stay connected.
// Called with s.mu held.
func (s *Source) unlatch(reason string) {
	prev := s.latch.addr
	s.latch.addr = netip.AddrPort{}
	s.met.latched.Set(0)
	if s.srtp != nil {
		s.srtp.rx = nil
	}
	s.resetSession()
	if s.up {
		s.up = false
		s.st.SetUp(false, map[string]string{"remote": prev.String(), "reason": reason})
	}
	if prev.IsValid() {
		s.log.Info("source released", "remote", prev.String(), "reason", reason)
	}
}

// resetSession forgets what belongs to one sender's session, the
// bandwidth estimate included.
func (s *Source) resetSession() {
	if s.remb != nil {
		s.remb.reset()
	}
	s.ssrcs.reset()
	for _, ts := range s.tracks {
		ts.forget()
	}
	s.rtcpRemote = netip.AddrPort{}
}

// minTick bounds how often the timer goroutine wakes.
const minTick = 10 * time.Millisecond

// timerLoop sends receiver reports and releases a silent sender until the
// source closes.
func (s *Source) timerLoop() {
	defer s.wg.Done()
	t := time.NewTicker(s.tickPeriod())
	defer t.Stop()
	for {
		select {
		case <-s.done:
			return
		case <-t.C:
			s.tick(time.Now())
		}
	}
}

// tickPeriod is short enough for the report interval, a timely source
// timeout (within a quarter of SourceTimeout) and, with REMB, the REMB
// interval. A REMB that reports a drop or a rise needs no faster timer:
// the RTP read loop looks for one after every batch (rembAfterBatch), and
// a latched camera's packets arrive many times a second.
func (s *Source) tickPeriod() time.Duration {
	p := min(s.cfg.ReceiverReportInterval, s.cfg.SourceTimeout/4)
	if s.remb != nil {
		p = min(p, s.remb.interval())
	}
	return max(p, minTick)
}

// tick does what is due at now: after SourceTimeout of silence the stream
// goes down and the latch is released; otherwise a receiver report goes out
// every ReceiverReportInterval (half a tick early rather than a tick late),
// and a REMB when one is due (carried by the receiver report when both go
// out).
func (s *Source) tick(now time.Time) {
	demand, limited := s.demand() // before s.mu: it takes other components' locks
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.latch.addr.IsValid() {
		return
	}
	if now.Sub(s.latch.lastGood) >= s.cfg.SourceTimeout {
		s.unlatch("timeout")
		return
	}
	rrDue := now.Sub(s.lastRR) >= s.cfg.ReceiverReportInterval-s.tickPeriod()/2
	if s.tickREMB(now, s.tickPeriod(), rrDue, demand, limited) {
		s.sendReceiverReport(now)
	}
}
