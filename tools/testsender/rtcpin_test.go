package main

import (
	"io"
	"log/slog"
	"net/netip"
	"strings"
	"syscall"
	"testing"

	"github.com/pion/rtcp"
	"github.com/pion/srtp/v3"
)

var (
	gatewayAddr = netip.MustParseAddrPort("127.0.0.1:5004")
	otherAddr   = netip.MustParseAddrPort("127.0.0.1:5005")
)

// rtcpCases are datagrams arriving on the sender's socket; they seed the
// fuzz target too.
var rtcpCases = []struct {
	name   string
	raw    []byte
	flags  int
	from   netip.AddrPort
	srtp   bool
	reason string // "" when accepted
}{
	{"RR and REMB", mustRTCP(&rtcp.ReceiverReport{SSRC: 1}, &rtcp.ReceiverEstimatedMaximumBitrate{Bitrate: 1e6}), 0, gatewayAddr, false, ""},
	{"PLI", mustRTCP(&rtcp.PictureLossIndication{MediaSSRC: 2}), 0, gatewayAddr, false, ""},
	{"SRTCP REMB", mustSRTCP(&rtcp.ReceiverReport{SSRC: 1}, &rtcp.ReceiverEstimatedMaximumBitrate{Bitrate: 1e6}), 0, gatewayAddr, true, ""},
	{"plain RTCP on SRTP", mustRTCP(&rtcp.ReceiverReport{SSRC: 1}), 0, gatewayAddr, true, "SRTCP refused"},
	{"truncated", mustRTCP(&rtcp.ReceiverReport{SSRC: 1}), syscall.MSG_TRUNC, gatewayAddr, false, "truncated"},
	{"another address", mustRTCP(&rtcp.ReceiverReport{SSRC: 1}), 0, otherAddr, false, "not from the remote"},
	{"v4-mapped remote", mustRTCP(&rtcp.ReceiverReport{SSRC: 1}), 0, netip.MustParseAddrPort("[::ffff:127.0.0.1]:5004"), false, ""},
	{"RTP", []byte{0x80, 96, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1}, 0, gatewayAddr, false, "not RTCP"},
	{"short", []byte{0x80, 201, 0}, 0, gatewayAddr, false, "not RTCP"},
	{"STUN", []byte{0, 1, 0, 0, 0x21, 0x12, 0xa4, 0x42}, 0, gatewayAddr, false, "not RTCP"},
	{"bad length", []byte{0x80, 201, 0, 9, 0, 0, 0, 1}, 0, gatewayAddr, false, "malformed RTCP"},
}

var testSRTPKey = make([]byte, 16)
var testSRTPSalt = make([]byte, 14)

func mustRTCP(pkts ...rtcp.Packet) []byte {
	b, err := rtcp.Marshal(pkts)
	if err != nil {
		panic(err)
	}
	return b
}

func mustSRTCP(pkts ...rtcp.Packet) []byte {
	c, err := srtp.CreateContext(testSRTPKey, testSRTPSalt, srtp.ProtectionProfileAes128CmHmacSha1_80)
	if err != nil {
		panic(err)
	}
	b, err := c.EncryptRTCP(nil, mustRTCP(pkts...), nil)
	if err != nil {
		panic(err)
	}
	return b
}

// testTransport is a transport with no socket, for parseRTCP.
func testTransport(t testing.TB, withSRTP bool) *transport {
	tr := &transport{remote: gatewayAddr, log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	if withSRTP {
		err := tr.openSRTP(&srtpKeys{profile: srtp.ProtectionProfileAes128CmHmacSha1_80, key: testSRTPKey, salt: testSRTPSalt})
		if err != nil {
			t.Fatal(err)
		}
	}
	return tr
}

func TestParseRTCP(t *testing.T) {
	for _, tc := range rtcpCases {
		t.Run(tc.name, func(t *testing.T) {
			tr := testTransport(t, tc.srtp)
			pkts, why := tr.parseRTCP(append([]byte(nil), tc.raw...), tc.flags, tc.from)
			if !strings.HasPrefix(why, tc.reason) || (tc.reason == "") != (why == "") {
				t.Fatalf("reason %q, want %q", why, tc.reason)
			}
			if why == "" && len(pkts) == 0 {
				t.Error("accepted with no packets")
			}
		})
	}
	// A replayed SRTCP packet is refused (RFC 3711 §3.3.2).
	tr := testTransport(t, true)
	raw := mustSRTCP(&rtcp.ReceiverReport{SSRC: 1})
	if _, why := tr.parseRTCP(append([]byte(nil), raw...), 0, gatewayAddr); why != "" {
		t.Fatal(why)
	}
	if _, why := tr.parseRTCP(append([]byte(nil), raw...), 0, gatewayAddr); !strings.HasPrefix(why, "SRTCP refused") {
		t.Errorf("replay: reason %q", why)
	}
}

func FuzzParseRTCP(f *testing.F) {
	for _, tc := range rtcpCases {
		f.Add(tc.raw, tc.srtp)
	}
	f.Fuzz(func(t *testing.T, raw []byte, withSRTP bool) {
		tr := testTransport(t, withSRTP)
		pkts, why := tr.parseRTCP(raw, 0, gatewayAddr)
		if why == "" {
			newControl(1e6, 1e5, 4e6, tr.log).onRTCP(pkts)
		}
	})
}
