// Package turntest is a minimal TURN client (RFC 8656) speaking raw STUN
// over UDP, TCP or TLS, for mediagate's tests and benchmarks. Unlike a
// full client it sends exactly the requests a test asks for, one at a
// time, including ones a well-behaved client never sends (an IPv4-mapped
// peer address in an IPv6 XOR-PEER-ADDRESS, a permission toward the
// server's own loopback), and reports each error response as an
// *ErrorCode. It is not safe for concurrent use.
package turntest
