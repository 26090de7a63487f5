package senders

import (
	"fmt"
	"net"
	"net/netip"
	"slices"

	"mediagate.dev/mediagate/gateway/api"
	"mediagate.dev/mediagate/gateway/config"
	"mediagate.dev/mediagate/gateway/sendersdp"
)

// StreamSDP returns the SDP a sender of the named stream uses: for a
// stream created through the API the answer or offer it was created with,
// for a configured stream a description of its [[stream]] table, keys
// included, advertising its listen address (or, when that is a wildcard,
// the first of webrtc.public_ips, else local).
func (s *Streams) StreamSDP(name string, local netip.Addr) (string, error) {
	s.mu.Lock()
	a, ok := s.streams[name]
	var text string
	if ok {
		text = a.sdp
	}
	s.mu.Unlock()
	if ok {
		return text, nil
	}
	cfg := s.Config()
	sc := configured(cfg, name)
	if sc == nil || s.Hub.Get(name) == nil {
		return "", fmt.Errorf("%q: %w", name, api.ErrUnknownStream)
	}
	return describeStream(*sc, cfg.WebRTC.PublicIPs, local)
}

// describeStream writes the SDP of a configured stream.
func describeStream(sc config.Stream, publicIPs []string, local netip.Addr) (string, error) {
	ap, err := netip.ParseAddrPort(sc.Listen)
	if err != nil {
		return "", fmt.Errorf("stream %q: listen %q: %w", sc.Name, sc.Listen, err)
	}
	d := sendersdp.Description{Name: "mediagate " + sc.Name, Addr: advertise(ap.Addr().String(), publicIPs, local),
		Port: int(ap.Port()), Video: sc.Video, Audio: sc.Audio}
	if sc.RTCPListen != "" {
		d.RTCPPort, _ = portOf(sc.RTCPListen)
	}
	if sc.SRTP != nil {
		key, salt, err := sc.SRTP.MasterKeySalt()
		if err != nil {
			return "", fmt.Errorf("stream %q: %w", sc.Name, err)
		}
		d.Crypto = &sendersdp.Crypto{Tag: 1, Suite: sc.SRTP.Suite, Key: append(slices.Clip(key), salt...)}
	}
	return d.Marshal()
}

// advertise picks the address a sender should send to: host when it is a
// specific address, else the first of publicIPs, else local (the address
// the API request arrived on). The result is never unspecified unless all
// three are.
func advertise(host string, publicIPs []string, local netip.Addr) netip.Addr {
	if a, err := netip.ParseAddr(host); err == nil && !a.IsUnspecified() {
		return a.Unmap()
	}
	for _, ip := range publicIPs {
		if a, err := netip.ParseAddr(ip); err == nil {
			return a.Unmap()
		}
	}
	return local
}

// HostHasAddr reports whether a is an address of one of this host's
// interfaces, loopback included. It is what Streams.IsLocal defaults to.
func HostHasAddr(a netip.Addr) bool {
	addrs, err := net.InterfaceAddrs()
	if err != nil {
		return a.IsLoopback()
	}
	for _, ia := range addrs {
		if p, err := netip.ParsePrefix(ia.String()); err == nil && p.Addr().Unmap() == a.Unmap() {
			return true
		}
	}
	return false
}
