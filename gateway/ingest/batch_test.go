package ingest

import (
	"bytes"
	"fmt"
	"runtime"
	"syscall"
	"testing"
	"time"

	"github.com/pion/srtp/v3"
)

// TestBatchedReads queues datagrams before the source reads, as a camera's
// frame waits in the socket: oversize ones (one byte over ReadBuffer, and
// far over) sit between good ones, first and last in a batch too, and the
// burst is longer than a batch. The oversize ones are dropped and counted,
// the good ones around them delivered whole and in order, plain and SRTP,
// with payloads that later batches, read into the same buffers, leave
// intact.
func TestBatchedReads(t *testing.T) {
	const limit = 1400
	for _, keys := range []*SRTPConfig{nil, randomKeys(t, srtp.ProtectionProfileAes128CmHmacSha1_80)} {
		t.Run(fmt.Sprintf("srtp %v", keys != nil), func(t *testing.T) {
			h := newIdleHarness(t, SourceConfig{ReadBuffer: limit, SRTP: keys, SocketBuffer: 1 << 20})
			s := newSender(t, h.addr(), keys)
			var want [][]byte
			oversize := 0
			for i := range 3*rtpBatch + 5 {
				switch i % 9 {
				case 0, 4: // a batch's first, and one among others
					s.send(rtpBytes(0x80, videoPT, 7, make([]byte, limit+1-12)...))
					oversize++
				case 8:
					s.send(rtpBytes(0x80, videoPT, 7, make([]byte, 9000)...))
					oversize++
				default:
					p := append(numbered(i), bytes.Repeat([]byte{byte(i)}, 1000)...)
					want = append(want, p)
					s.video(p)
				}
			}
			h.src.Start()
			var got [][]byte
			for range want {
				got = append(got, h.nextVideo().Payload)
			}
			for i := range want {
				if !bytes.Equal(got[i], want[i]) {
					t.Fatalf("packet %d of %d: %d bytes %x…, want %d bytes %x…", i, len(want),
						len(got[i]), got[i][:min(8, len(got[i]))], len(want[i]), want[i][:8])
				}
			}
			if d := h.dropped("oversize"); d != float64(oversize) {
				t.Errorf("dropped{oversize} = %v, want %d", d, oversize)
			}
			h.noVideo()
		})
	}
}

// TestReadBuffers checks the batch's buffers: each one byte over the
// limit and apart from the others, and fewer of them for a large limit.
func TestReadBuffers(t *testing.T) {
	for _, c := range []struct{ limit, batch, want int }{
		{DefaultReadBuffer, rtpBatch, rtpBatch},
		{DefaultReadBuffer, rtcpBatch, rtcpBatch},
		{maxDatagram, rtpBatch, 2},
		{maxBatchBytes, rtpBatch, 1},
	} {
		bufs := readBuffers(c.limit, c.batch)
		if len(bufs) != c.want {
			t.Errorf("limit %d, batch %d: %d buffers, want %d", c.limit, c.batch, len(bufs), c.want)
		}
		for i, b := range bufs {
			if len(b) != c.limit+1 || cap(b) != c.limit+1 {
				t.Errorf("limit %d: buffer %d of %d bytes (capacity %d), want %d", c.limit, i, len(b), cap(b), c.limit+1)
			}
		}
	}
}

// framePackets is the packets of one 2 Mbit/s 30 fps H.264 frame: an FU-A
// start, middles and an end, 1200 bytes of payload each (RFC 6184 §5.8).
const framePackets = 8

// BenchmarkSocketPath measures a started source on loopback taking
// frames of H.264 FU-A packets from a camera, plain and SRTP: each
// iteration sends one frame's datagrams back to back and waits until the
// track has them. ns/pkt is wall time and cpu-ns/pkt the process's CPU
// time per packet, both including the sending side (its sendto(2) calls;
// SRTP encryption is done before the clock starts); allocs/pkt counts the
// process's allocations per packet.
func BenchmarkSocketPath(b *testing.B) {
	b.Run("plain", func(b *testing.B) { benchSocket(b, nil) })
	b.Run("srtp", func(b *testing.B) { benchSocket(b, randomKeys(b, srtp.ProtectionProfileAes128CmHmacSha1_80)) })
}

func benchSocket(b *testing.B, keys *SRTPConfig) {
	h := newIdleHarness(b, SourceConfig{SRTP: keys})
	h.src.Start()
	s := newSender(b, h.addr(), keys)
	frames := make([][][]byte, 64) // encrypted ahead: SRTP needs fresh sequence numbers
	next := 0
	prepare := func() {
		for i := range frames {
			frames[i] = frames[i][:0]
			for j := range framePackets {
				p := make([]byte, 1200)
				switch j {
				case 0:
					p[0], p[1] = 0x5c, 0x81 // FU-A, start of a non-IDR slice
				case framePackets - 1:
					p[0], p[1] = 0x5c, 0x41 // end
				default:
					p[0], p[1] = 0x5c, 0x01
				}
				frames[i] = append(frames[i], s.packet(videoPT, p))
				s.ts -= 3000 // one timestamp per frame
			}
			s.ts += 3000
		}
		next = 0
	}
	send := func() {
		for _, d := range frames[next] {
			s.send(d)
		}
		next++
		for range framePackets {
			h.nextVideo()
		}
	}
	prepare()
	send() // latched, past probation
	b.ReportAllocs()
	var cpu time.Duration
	var allocs uint64
	cpu0, allocs0 := processCPU(b), mallocs()
	for b.Loop() {
		if next == len(frames) {
			b.StopTimer()
			cpu, allocs = cpu+processCPU(b)-cpu0, allocs+mallocs()-allocs0
			prepare()
			cpu0, allocs0 = processCPU(b), mallocs()
			b.StartTimer()
		}
		send()
	}
	cpu, allocs = cpu+processCPU(b)-cpu0, allocs+mallocs()-allocs0
	pkts := float64(b.N * framePackets)
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/pkts, "ns/pkt")
	b.ReportMetric(float64(cpu.Nanoseconds())/pkts, "cpu-ns/pkt")
	b.ReportMetric(float64(allocs)/pkts, "allocs/pkt")
}

// mallocs returns the process's allocations so far.
func mallocs() uint64 {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.Mallocs
}

// processCPU returns the CPU time (user and system) the process has used.
func processCPU(tb testing.TB) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		tb.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
