package ingest

import (
	"net"
	"runtime"
	"syscall"
	"testing"
	"time"
	"unsafe"

	"github.com/pion/srtp/v3"
	"golang.org/x/sys/unix"

	"mediagate.dev/mediagate/internal/udpbatch"
)

// framePackets is the packets of one 2 Mbit/s 30 fps H.264 frame: an FU-A
// start, middles and an end, 1200 bytes of payload each (RFC 6184 §5.8).
const framePackets = 8

// BenchmarkSocketPath measures a started source on loopback taking frames
// of H.264 FU-A packets from a camera, plain and SRTP: each iteration
// sends one frame's datagrams back to back in one sendmmsg(2), as an
// encoder's burst arrives, and waits until the track has them. ns/pkt is
// wall time and cpu-ns/pkt the process's CPU time per packet, both with
// the sending side's one system call per frame (SRTP encryption is done
// before the clock starts); allocs/pkt counts the process's allocations
// per packet: the source's Packet and payload copy.
func BenchmarkSocketPath(b *testing.B) {
	b.Run("plain", func(b *testing.B) { benchSocket(b, nil) })
	b.Run("srtp", func(b *testing.B) { benchSocket(b, randomKeys(b, srtp.ProtectionProfileAes128CmHmacSha1_80)) })
}

func benchSocket(b *testing.B, keys *SRTPConfig) {
	h := newIdleHarness(b, SourceConfig{SRTP: keys})
	h.src.Start()
	s := newSender(b, h.addr(), keys)
	out := newFrameWriter(b, s)
	frames := make([][][]byte, 64) // encrypted ahead: SRTP needs fresh sequence numbers
	next := 0
	prepare := func() {
		for i := range frames {
			frames[i] = frames[i][:0]
			for j := range framePackets {
				p := make([]byte, 1200)
				p[0], p[1] = 0x5c, 0x01 // FU-A of a non-IDR slice (28, NRI 2): a middle
				switch j {
				case 0:
					p[1] = 0x81 // the start
				case framePackets - 1:
					p[1] = 0x41 // the end
				}
				frames[i] = append(frames[i], s.packet(videoPT, p))
				s.ts -= 3000 // one timestamp per frame
			}
			s.ts += 3000
		}
		next = 0
	}
	wait := time.NewTimer(waitLimit)
	send := func() {
		out.send(frames[next])
		next++
		wait.Reset(waitLimit)
		for range framePackets {
			select {
			case <-h.video.Packets():
			case <-wait.C:
				b.Fatal("packets lost")
			}
		}
	}
	prepare()
	send() // latched, past probation
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

// frameWriter sends a frame's datagrams from the test camera's socket in
// one sendmmsg(2).
type frameWriter struct {
	tb   testing.TB
	raw  syscall.RawConn
	hdrs []udpbatch.Mmsghdr
	iovs []unix.Iovec
	name unix.RawSockaddrInet6
	n    uint32
}

func newFrameWriter(tb testing.TB, s *sender) *frameWriter {
	raw, err := s.conn.SyscallConn()
	if err != nil {
		tb.Fatal(err)
	}
	w := &frameWriter{tb: tb, raw: raw, hdrs: make([]udpbatch.Mmsghdr, framePackets), iovs: make([]unix.Iovec, framePackets)}
	v6 := s.conn.LocalAddr().(*net.UDPAddr).IP.To4() == nil
	var ok bool
	if w.n, ok = udpbatch.EncodeSockaddr(&w.name, s.to, v6); !ok {
		tb.Fatalf("no address for %v", s.to)
	}
	return w
}

// send sends dgs, at most framePackets, and fails unless all went.
func (w *frameWriter) send(dgs [][]byte) {
	for i, d := range dgs {
		w.iovs[i].Base = &d[0]
		w.iovs[i].SetLen(len(d))
		h := &w.hdrs[i].Hdr
		h.Name, h.Namelen = (*byte)(unsafe.Pointer(&w.name)), w.n
		h.Iov = &w.iovs[i]
		h.SetIovlen(1)
	}
	var sent uintptr
	var errno syscall.Errno
	err := w.raw.Write(func(fd uintptr) bool {
		sent, _, errno = unix.Syscall6(unix.SYS_SENDMMSG, fd, uintptr(unsafe.Pointer(&w.hdrs[0])), uintptr(len(dgs)), 0, 0, 0)
		return errno != unix.EAGAIN
	})
	if err != nil || errno != 0 || int(sent) != len(dgs) {
		w.tb.Fatalf("sendmmsg: %d of %d sent: %v %v", sent, len(dgs), err, errno)
	}
}

// processCPU returns the CPU time (user and system) the process has used.
func processCPU(tb testing.TB) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		tb.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// mallocs returns the process's allocations so far.
func mallocs() uint64 {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.Mallocs
}
