// Package watchdog keeps the heartbeats of the media loops — the ingest
// read loops of every configured stream — for systemd's watchdog: each loop
// beats through the func Heartbeat hands its source, Stuck names the loops
// that stopped, and cmd/mediagate sends WATCHDOG=1 only while none has. It
// also holds the debug.stall_media_loop_after switch, which stalls the
// loops for real by blocking them inside their heartbeat. It sits beside
// the packet path, not on it: a beat is one map write per read deadline.
package watchdog
