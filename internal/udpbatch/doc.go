// Package udpbatch reads the datagrams queued on a UDP socket in one
// system call: recvmmsg(2) on Linux, where the socket's goroutine, once
// woken, takes every datagram waiting (up to a batch) instead of one
// datagram per system call and per trip through Go's poller. Each
// datagram keeps what a single read would say of it: its bytes, its
// source and whether it was truncated (MSG_TRUNC). Elsewhere a batch is one
// datagram and callers run unchanged.
//
// It also writes and reads the raw socket addresses (struct sockaddr_in,
// sockaddr_in6) that recvmmsg(2) and sendmmsg(2) carry, for senders that
// batch too (turn's relay).
//
// It sits below gateway and turn: ingest reads cameras' RTP with it, and
// turn its listening and relay sockets.
package udpbatch
