package main

import (
	"log/slog"
	"strings"

	"github.com/coreos/go-systemd/v22/daemon"
)

// notifier tells systemd about the service's state over $NOTIFY_SOCKET
// (sd_notify(3)). Outside a Type=notify unit it does nothing.
type notifier struct {
	log  *slog.Logger
	send func(state string) error // daemon.SdNotify; tests record instead
}

func newNotifier(log *slog.Logger) *notifier {
	return &notifier{log: log, send: func(state string) error {
		_, err := daemon.SdNotify(false, state)
		return err
	}}
}

// notify sends the given assignments ("READY=1", "STATUS=…") in one
// message; a failure is logged, never fatal.
func (n *notifier) notify(states ...string) {
	if err := n.send(strings.Join(states, "\n")); err != nil {
		n.log.Warn("sd_notify failed", "err", err)
	}
}

// status formats a STATUS= assignment: one line, at most maxStatus bytes.
func status(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > maxStatus {
		s = s[:maxStatus-3] + "..."
	}
	return "STATUS=" + s
}

// maxStatus keeps STATUS= to what `systemctl status` shows on one line.
const maxStatus = 400

// reloading is the RELOADING=1 message; MONOTONIC_USEC is what systemd 253
// and later require with it (Type=notify-reload) and 252 ignores.
func reloading() []string {
	msg := []string{daemon.SdNotifyReloading}
	if usec := daemon.SdNotifyMonotonicUsec(); usec != "" {
		msg = append(msg, usec)
	}
	return msg
}
