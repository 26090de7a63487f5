package senders

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"time"

	"mediagate.dev/mediagate/gateway/config"
	"mediagate.dev/mediagate/gateway/ingest"
	"mediagate.dev/mediagate/gateway/stream"
)

// requestKeys are the stream keys an API request sets itself; a problem
// with one of them is the request's fault (400), any other the offer's
// media (422).
var requestKeys = []string{"name", "viewer_token", "allow_from"}

// checkStream fills the defaults of sc and validates it as the config file
// would, in a copy of the running config holding sc alone, with a
// placeholder port. Problems name sc's keys without the "stream[0]."
// prefix. When mediaFromRequest (the gateway's offer, shaped by ?codec=
// and ?audio=), every problem is the request's.
func checkStream(cfg *config.Config, sc *config.Stream, mediaFromRequest bool) error {
	sc.Source = config.SourceRTP
	sc.FillDefaults()
	probe := *cfg
	one := *sc
	first, _, _ := cfg.Ingest.Ports()
	one.Listen = portString(cfg.Senders.ListenIP, first)
	probe.Streams = []config.Stream{one}
	err := probe.Validate()
	if err == nil {
		return nil
	}
	var msgs []string
	class := errBadStreamMedia
	if mediaFromRequest {
		class = errBadStreamRequest
	}
	for _, e := range unjoin(err) {
		var fe *config.FieldError
		if !errors.As(e, &fe) || !strings.HasPrefix(fe.Key, "stream[0]") {
			continue // a global setting; the running config has been valid
		}
		key := strings.TrimPrefix(strings.TrimPrefix(fe.Key, "stream[0]"), ".")
		if key == "listen" {
			continue // a placeholder; place picks the port
		}
		if slices.Contains(requestKeys, strings.SplitN(key, "[", 2)[0]) {
			class = errBadStreamRequest
		}
		msgs = append(msgs, strings.TrimPrefix(key+": "+fe.Msg, ": "))
	}
	if len(msgs) == 0 {
		return nil
	}
	return fmt.Errorf("%w: %s", class, strings.Join(msgs, "; "))
}

// unjoin returns the errors errors.Join combined, or err alone.
func unjoin(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	return []error{err}
}

// place binds sc to the next free port of ingest.port_range and starts it.
// The name must be free among the configured and the running streams. It
// returns the port.
func (s *Streams) place(cfg *config.Config, sc config.Stream) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case cfg.Senders.MaxStreams == 0:
		return 0, errSendersOff
	case len(s.streams) >= cfg.Senders.MaxStreams:
		return 0, fmt.Errorf("%w (%d)", errTooManyStreams, cfg.Senders.MaxStreams)
	case configured(cfg, sc.Name) != nil || s.Hub.Get(sc.Name) != nil:
		return 0, fmt.Errorf("%q: %w", sc.Name, stream.ErrExists)
	}
	first, last, _ := cfg.Ingest.Ports()
	taken := configuredPorts(cfg)
	for i := range last - first + 1 {
		port := first + (s.cursor+i)%(last-first+1)
		if taken[port] {
			continue
		}
		sc.Listen = portString(cfg.Senders.ListenIP, port)
		err := s.Add(sc)
		if errors.Is(err, ingest.ErrListen) {
			continue // another process, or a stream of another family, holds it
		}
		if err != nil {
			return 0, err
		}
		s.cursor = (s.cursor + i + 1) % (last - first + 1)
		if s.streams == nil {
			s.streams = make(map[string]*apiStream)
		}
		s.streams[sc.Name] = &apiStream{token: sc.ViewerToken.Reveal(), silentSince: time.Now()}
		return port, nil
	}
	return 0, fmt.Errorf("%w (%s)", errNoPort, cfg.Ingest.PortRange)
}

// configuredPorts are the UDP ports the config binds itself: the ICE port
// and every stream's RTP and RTCP ports.
func configuredPorts(cfg *config.Config) map[int]bool {
	taken := map[int]bool{cfg.WebRTC.UDPPort: true}
	for _, st := range cfg.Streams {
		for _, addr := range []string{st.Listen, st.RTCPListen} {
			if p, ok := portOf(addr); ok {
				taken[p] = true
			}
		}
	}
	return taken
}

// portOf returns the port of a host:port address.
func portOf(addr string) (int, bool) {
	_, p, err := net.SplitHostPort(addr)
	if err != nil {
		return 0, false
	}
	n, err := strconv.Atoi(p)
	return n, err == nil
}

// portString formats ip:port for a socket.
func portString(ip string, port int) string {
	a, err := netip.ParseAddr(ip)
	if err != nil {
		a = netip.IPv4Unspecified()
	}
	return netip.AddrPortFrom(a, uint16(port)).String()
}
