// Package udpbatch reads the datagrams queued on a UDP socket in one
// system call: recvmmsg(2) on Linux, where the socket's goroutine, once
// woken, takes every datagram waiting (up to a batch) instead of one
// datagram per system call and per trip through Go's poller. Each
// datagram keeps what a single read would say of it: its bytes, its
// source and whether it was truncated (MSG_TRUNC). Elsewhere a batch is one
// datagram and callers run unchanged.
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
