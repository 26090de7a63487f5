package output

import (
	"net"
	"net/netip"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pion/rtcp"
	"github.com/pion/rtp"
	"github.com/pion/srtp/v3"
	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"mediagate.dev/mediagate/gateway/stream"
)

// testKey is an AES_CM_128_HMAC_SHA1_80 master key (16 bytes) and salt (14).
var testKey = &SRTPConfig{
	Profile: srtp.ProtectionProfileAes128CmHmacSha1_80,
	Key:     []byte("0123456789abcdef"),
	Salt:    []byte("0123456789abcd"),
}

// fixture is an Output sending a two-track stream to a fake receiver
// socket on loopback.
type fixture struct {
	t         *testing.T
	st        *stream.Stream
	out       *Output
	met       *Metrics
	recv      *net.UDPConn
	keyframes atomic.Int64
	rx, tx    *srtp.Context // the receiver's SRTP contexts, when keyed
	srcSeq    uint16
	srcTS     uint32
}

// newFixture starts an Output to a fresh receiver socket; edit adjusts the
// Config before Start.
func newFixture(t *testing.T, key *SRTPConfig, edit func(*Config)) *fixture {
	t.Helper()
	recv, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = recv.Close() })
	f := &fixture{t: t, recv: recv, met: NewMetrics(prometheus.NewRegistry()), srcSeq: 1000, srcTS: 5000}
	f.st = newTestStream("cam")
	f.st.SetKeyframeRequester(stream.KeyframeRequesterFunc(func() { f.keyframes.Add(1) }))
	cfg := Config{
		Stream: f.st, Remote: recv.LocalAddr().(*net.UDPAddr).AddrPort(), Listen: "127.0.0.1:0",
		SRTP: key, VideoPayloadType: 100, Metrics: f.met,
	}
	if edit != nil {
		edit(&cfg)
	}
	if key != nil {
		f.rx = mustContext(t, key, srtp.SRTPReplayProtection(64))
		f.tx = mustContext(t, key)
	}
	if f.out, err = Start(cfg); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = f.out.Close() })
	return f
}

func newTestStream(name string) *stream.Stream {
	video := stream.NewTrack(stream.Video, stream.Codec{MimeType: "video/VP8", ClockRate: 90000, PayloadType: 97})
	audio := stream.NewTrack(stream.Audio, stream.Codec{MimeType: "audio/opus", ClockRate: 48000, Channels: 2, PayloadType: 111})
	return stream.New(name, video, audio, nil)
}

func mustContext(t *testing.T, k *SRTPConfig, opts ...srtp.ContextOption) *srtp.Context {
	t.Helper()
	c, err := srtp.CreateContext(k.Key, k.Salt, k.Profile, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// writeVideo writes the next source video packet; ssrc 0 means 0x1111.
func (f *fixture) writeVideo(keyframe bool, payload byte) {
	f.srcSeq++
	f.srcTS += 3000
	p := &stream.Packet{Payload: []byte{payload, 1, 2, 3}, Keyframe: keyframe, Arrival: time.Now()}
	p.Version, p.SSRC, p.PayloadType = 2, 0x1111, 97
	p.SequenceNumber, p.Timestamp, p.Marker = f.srcSeq, f.srcTS, true
	f.st.Video.Write(p)
}

// waitSubscribed waits until the Output subscribed to the stream's tracks.
func (f *fixture) waitSubscribed(st *stream.Stream) {
	f.t.Helper()
	waitFor(f.t, "output subscribed", func() bool { return st.Video.Subscribers() == 1 && st.Audio.Subscribers() == 1 })
}

// readRTP returns the next RTP packet the receiver gets, skipping RTCP,
// and the datagram that carried it.
func (f *fixture) readRTP() (*rtp.Packet, []byte) {
	f.t.Helper()
	wire := f.readRaw()
	b := wire
	if f.rx != nil {
		plain, err := f.rx.DecryptRTP(nil, wire, nil)
		if err != nil {
			f.t.Fatalf("receiver cannot decrypt SRTP: %v", err)
		}
		b = plain
	}
	p := &rtp.Packet{}
	if err := p.Unmarshal(b); err != nil {
		f.t.Fatal(err)
	}
	return p, wire
}

// readRaw returns the next datagram that is not RTCP, as it arrived.
func (f *fixture) readRaw() []byte {
	f.t.Helper()
	for {
		if b := f.read(); !isRTCP(b) {
			return b
		}
	}
}

// readRTCP returns the packets of the next RTCP datagram the receiver gets.
func (f *fixture) readRTCP() []rtcp.Packet {
	f.t.Helper()
	for {
		b := f.read()
		if !isRTCP(b) {
			continue
		}
		if f.rx != nil {
			plain, err := f.rx.DecryptRTCP(nil, b, nil)
			if err != nil {
				f.t.Fatalf("receiver cannot decrypt SRTCP: %v", err)
			}
			b = plain
		}
		pkts, err := rtcp.Unmarshal(b)
		if err != nil {
			f.t.Fatal(err)
		}
		return pkts
	}
}

func (f *fixture) read() []byte {
	f.t.Helper()
	buf := make([]byte, 2048)
	_ = f.recv.SetReadDeadline(time.Now().Add(5 * time.Second))
	n, err := f.recv.Read(buf)
	if err != nil {
		f.t.Fatalf("receiver: %v", err)
	}
	return buf[:n]
}

// sendRTCP sends pkts from the receiver socket to the Output, as SRTCP
// when keyed.
func (f *fixture) sendRTCP(pkts ...rtcp.Packet) {
	f.t.Helper()
	f.sendRTCPFrom(f.recv, pkts...)
}

func (f *fixture) sendRTCPFrom(c *net.UDPConn, pkts ...rtcp.Packet) {
	f.t.Helper()
	b, err := rtcp.Marshal(pkts)
	if err != nil {
		f.t.Fatal(err)
	}
	if f.tx != nil {
		if b, err = f.tx.EncryptRTCP(nil, b, nil); err != nil {
			f.t.Fatal(err)
		}
	}
	if _, err := c.WriteToUDPAddrPort(b, localTo(f.out.LocalAddr())); err != nil {
		f.t.Fatal(err)
	}
}

// localTo is addr with a wildcard address made loopback.
func localTo(addr netip.AddrPort) netip.AddrPort {
	if addr.Addr().IsUnspecified() {
		return netip.AddrPortFrom(netip.MustParseAddr("127.0.0.1"), addr.Port())
	}
	return addr
}

// dropped reads one of the fixture's drop counters.
func (f *fixture) dropped(reason string) float64 {
	return value(f.met.dropped.WithLabelValues("cam", reason))
}

func (f *fixture) rtcpCount(kind string) float64 {
	return value(f.met.rtcp.WithLabelValues("cam", kind))
}

// waitFor polls cond every few milliseconds for up to 5 s.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// value reads a counter or gauge.
func value(c prometheus.Metric) float64 {
	var m dto.Metric
	if err := c.Write(&m); err != nil {
		return -1
	}
	if m.Counter != nil {
		return m.Counter.GetValue()
	}
	return m.Gauge.GetValue()
}

// netipLoopback is 127.0.0.1:port.
func netipLoopback(port uint16) netip.AddrPort {
	return netip.AddrPortFrom(netip.MustParseAddr("127.0.0.1"), port)
}
