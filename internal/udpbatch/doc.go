// Package udpbatch reads the datagrams queued on a UDP socket in one
// system call: recvmmsg(2) on Linux, where the socket's goroutine, once
// woken, takes every datagram waiting (up to a batch) instead of one
// datagram per system call and per trip through Go's poller. Each
// datagram keeps what a single read would say of it: its bytes, its
// source and whether it was truncated (MSG_TRUNC). Elsewhere a batch is one
// datagram and callers run unchanged.
//
// A Reader waits in Go's poller: recvmmsg runs with MSG_DONTWAIT as a raw
// system call, and an empty queue parks the goroutine until the socket is
// readable. A goroutine locked to its thread in a blocking recvmmsg
// (SO_RCVTIMEO for deadlines, shutdown(2) to wake it on close) wakes with
// fewer thread switches but costs more: the blocking call must go
// through the runtime's syscall path, and leaving it after an idle spell
// wakes the runtime's monitor thread, which then polls every 20 µs for a
// millisecond. For a camera's 30 frames a second that costs about twice
// the CPU per packet of the poller (18–28 µs against 9–12 µs per packet,
// measured on a 2-core VM), so readers stay in the poller. For the same
// reason nothing on a read path may make a system call through
// syscall.Syscall (or a golang.org/x/sys/unix wrapper of it, such as
// unix.ClockGettime) per batch: RawSyscall, or time.Now, which reads the
// clock without one. Sleeping after a wake-up so that the rest of a
// frame queues up (then one read takes it) saved 10–15% at 0.1 ms of
// added latency, too little to do.
//
// Writer is the other direction: it queues datagrams and sends them with
// one sendmmsg(2), a run of datagrams to one destination, all of one size
// but the last, as one segmented message (UDP GSO, UDP_SEGMENT), which the
// kernel sends as that many datagrams for about the cost of one; a kernel
// or route that refuses segmentation gets single datagrams.
//
// It sits below gateway and turn: ingest reads cameras' RTP with it, egress's
// fan-out sends viewers' RTP with it, and turn reads and relays with it.
package udpbatch
