package main

import (
	"fmt"
	"log/slog"
	"net"
	"slices"

	"github.com/coreos/go-systemd/v22/activation"
)

// httpSocketName is the FileDescriptorName= of the HTTP socket in
// systemd/mediagate.socket.
const httpSocketName = "http"

// activatedListener returns the HTTP listener systemd passed through
// socket activation (LISTEN_FDS), or nil when none was passed. With
// several sockets it takes the one named "http"; a single socket is taken
// whatever its name. Sockets it does not use are closed and logged.
func activatedListener(log *slog.Logger) (net.Listener, error) {
	byName, err := activation.ListenersWithNames()
	if err != nil {
		return nil, fmt.Errorf("socket activation: %w", err)
	}
	var all []net.Listener
	names := make([]string, 0, len(byName))
	for name, lns := range byName {
		names = append(names, name)
		all = append(all, lns...)
	}
	slices.Sort(names)
	var chosen net.Listener
	switch {
	case len(byName[httpSocketName]) > 0:
		chosen = byName[httpSocketName][0]
	case len(all) == 1:
		chosen = all[0]
	case len(all) > 1:
		closeAll(all)
		return nil, fmt.Errorf("socket activation: %d sockets (%v) and none is named %q", len(all), names, httpSocketName)
	}
	for _, ln := range all {
		if ln != chosen {
			log.Warn("socket activation: closing a socket mediagate does not use", "addr", ln.Addr().String())
			_ = ln.Close()
		}
	}
	return chosen, nil
}

func closeAll(lns []net.Listener) {
	for _, ln := range lns {
		_ = ln.Close()
	}
}
