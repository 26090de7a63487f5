package egress

import (
	"bytes"
	"net"
	"net/netip"
	"testing"
	"time"

	"github.com/pion/rtp"
	"github.com/pion/srtp/v3"

	"mediagate.dev/mediagate/gateway/stream"
)

// TestBatchSends: a pass's packets for two viewers, sealed into the
// arena, arrive whole and in order at each (a viewer's run of equal sizes
// goes as one GSO message: internal/udpbatch's tests check the runs), and
// a packet sealed into a buffer of its own is sent as it is.
func TestBatchSends(t *testing.T) {
	recv := func() (*net.UDPConn, *fastDest) {
		c, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = c.Close() })
		return c, &fastDest{ap: netip.MustParseAddrPort(c.LocalAddr().String())}
	}
	sock, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	defer sock.Close()
	fs, err := newFastSocket(sock)
	if err != nil {
		t.Fatal(err)
	}
	r1, d1 := recv()
	r2, d2 := recv()
	d1.sock, d2.sock = fs, fs

	var b batch
	sizes := map[*fastDest][]int{d1: {1000, 1000, 600, 1000}, d2: {500}}
	for _, d := range []*fastDest{d1, d2} {
		for i, n := range sizes[d] {
			b.add(d, append(b.slot(), bytes.Repeat([]byte{byte(n/100 + i)}, n)...))
		}
	}
	b.add(d2, bytes.Repeat([]byte{9}, 300)) // sealed outside the arena
	sizes[d2] = append(sizes[d2], 300)
	b.flush(nil)
	for _, c := range []struct {
		conn *net.UDPConn
		d    *fastDest
	}{{r1, d1}, {r2, d2}} {
		buf := make([]byte, 2000)
		for i, n := range sizes[c.d] {
			_ = c.conn.SetReadDeadline(time.Now().Add(2 * time.Second))
			got, err := c.conn.Read(buf)
			if err != nil {
				t.Fatalf("datagram %d of %v: %v", i, sizes[c.d], err)
			}
			want := byte(n/100 + i)
			if n == 300 {
				want = 9
			}
			if got != n || buf[0] != want || buf[got-1] != want {
				t.Fatalf("datagram %d: %d bytes of %d, want %d of %d", i, got, buf[0], n, want)
			}
		}
	}
}

// TestPassFlushesAsItGoes: a pass over more viewers than fanFlush sends as
// it goes, so its arena stays at about fanFlush packets, and every viewer
// gets the frame whole, in order, under its own keys.
func TestPassFlushesAsItGoes(t *testing.T) {
	const viewers, frame = 3*fanFlush + 5, 4
	sink, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	defer sink.Close()
	_ = sink.SetReadBuffer(4 << 20)
	profile := srtp.ProtectionProfileAeadAes128Gcm
	legs := fastLegs(t, profile, viewers, netip.MustParseAddrPort(sink.LocalAddr().String()))
	var burst []*stream.Packet
	for i := range frame {
		p := &stream.Packet{Header: rtp.Header{Version: 2, PayloadType: 96, SSRC: 7, SequenceNumber: uint16(100 + i), Marker: i == frame-1},
			Payload: bytes.Repeat([]byte{byte(i)}, 1000), Arrival: time.Now()}
		p.Payload[0], p.Payload[1] = 0x7c, 0x05 // FU-A of an IDR
		if i == 0 {
			p.Payload[1], p.Keyframe = 0x85, true
		}
		if i == frame-1 {
			p.Payload[1] = 0x45
		}
		burst = append(burst, p)
	}
	var b batch
	b.pass(legs, burst, time.Now())
	if limit := (fanFlush + 2*frame) * maxPacket; len(b.arena) > limit {
		t.Errorf("arena of %d bytes after a pass over %d viewers, want at most %d", len(b.arena), viewers, limit)
	}
	got := map[uint32][]uint16{}
	ctxs := map[uint32]*srtp.Context{}
	buf := make([]byte, 2000)
	for range viewers * frame {
		_ = sink.SetReadDeadline(time.Now().Add(2 * time.Second))
		n, err := sink.Read(buf)
		if err != nil {
			t.Fatalf("after %d datagrams: %v", len(got), err)
		}
		var h rtp.Header
		if _, err := h.Unmarshal(buf[:n]); err != nil {
			t.Fatal(err)
		}
		ctx := ctxs[h.SSRC]
		if ctx == nil {
			if ctx, err = srtpKeys(profile, int(h.SSRC)-1); err != nil {
				t.Fatal(err)
			}
			ctxs[h.SSRC] = ctx
		}
		plain, err := ctx.DecryptRTP(nil, buf[:n], nil)
		if err != nil {
			t.Fatalf("viewer %d: %v", h.SSRC, err)
		}
		if len(plain) != rtpHeaderSize+1000 {
			t.Errorf("viewer %d: %d bytes", h.SSRC, len(plain))
		}
		got[h.SSRC] = append(got[h.SSRC], h.SequenceNumber)
	}
	if len(got) != viewers {
		t.Fatalf("%d viewers got packets, want %d", len(got), viewers)
	}
	for ssrc, seqs := range got {
		for i := 1; i < len(seqs); i++ {
			if seqs[i] != seqs[i-1]+1 {
				t.Fatalf("viewer %d: sequence %v", ssrc, seqs)
			}
		}
	}
}
