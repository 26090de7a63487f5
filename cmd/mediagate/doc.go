// Command mediagate is the edge media gateway: RTP/SRTP cameras in, WebRTC
// browsers out. See README.md.
//
//	mediagate run [-c /etc/mediagate/mediagate.toml]
//	mediagate check-config [-c FILE]
//	mediagate version
//
// It is the thin layer between the process and gateway.Gateway, outside
// the packet path: it loads the config, builds the logger and hands the
// gateway what the process owns (a socket systemd passed, the log level),
// then supervises it as a systemd Type=notify service (supervisor):
//
//   - READY=1 once gateway.New has bound every socket, and STATUS= with
//     streams and viewers, refreshed every few seconds;
//   - WATCHDOG=1 at half the WatchdogSec interval, but only while
//     Gateway.StuckLoops is empty: a stuck media loop withholds it and
//     systemd restarts the service;
//   - SIGHUP: RELOADING=1, load the file, Gateway.Reload, READY=1; a file
//     that does not load keeps the running config and says why in the log
//     and in STATUS=; SIGHUPs during a reload fold into one more;
//   - SIGTERM or SIGINT: STOPPING=1, then Gateway.Run drains and returns;
//   - under systemd the log goes to the journal natively, each attribute
//     a journal field (journalHandler); elsewhere to stderr.
//
// Socket activation: when systemd passes a listening socket (LISTEN_FDS,
// mediagate.socket), the HTTP service uses it instead of http.listen.
package main
