package main

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"slices"

	"github.com/coreos/go-systemd/v22/activation"

	"mediagate.dev/mediagate/turn"
)

// The FileDescriptorName= of the sockets systemd passes: the HTTP socket
// of systemd/mediagate.socket and the TURN sockets of
// systemd/mediagate-turn.socket.
const (
	httpSocketName = "http"
	turnSocketName = "turn"
)

// activated is what systemd passed through socket activation (LISTEN_FDS).
type activated struct {
	http net.Listener // nil: bind http.listen
	turn turn.Passed  // taken by turn.*_listen address
}

// activatedSockets sorts the sockets systemd passed: the stream socket
// named "http" serves HTTP, the sockets named "turn" (UDP and TCP) go to
// the TURN server, and a single socket of another name is taken for HTTP
// whatever its name. Sockets it does not use are closed and logged.
func activatedSockets(log *slog.Logger) (activated, error) {
	var a activated
	var other []net.Listener
	var names []string
	for _, f := range activation.Files(true) {
		name := f.Name()
		names = append(names, name)
		err := a.add(name, f, &other)
		_ = f.Close() // the listeners hold their own copy of the descriptor
		if err != nil {
			a.close(other)
			return activated{}, fmt.Errorf("socket activation: %s: %w", name, err)
		}
	}
	switch {
	case a.http == nil && len(other) == 1:
		a.http, other = other[0], nil
	case a.http == nil && len(other) > 1:
		slices.Sort(names)
		a.close(other)
		return activated{}, fmt.Errorf("socket activation: %d sockets (%v) and none is named %q", len(names), names, httpSocketName)
	}
	for _, ln := range other {
		log.Warn("socket activation: closing a socket mediagate does not use", "addr", ln.Addr().String())
		_ = ln.Close()
	}
	return a, nil
}

// errSocketType is a passed socket of a kind mediagate cannot use.
var errSocketType = errors.New("not a TCP listener or UDP socket")

// add takes the socket f, passed under name.
func (a *activated) add(name string, f *os.File, other *[]net.Listener) error {
	if name == turnSocketName {
		if ln, err := net.FileListener(f); err == nil {
			if tl, ok := ln.(*net.TCPListener); ok {
				a.turn.TCP = append(a.turn.TCP, tl)
				return nil
			}
			_ = ln.Close()
			return errSocketType
		}
		pc, err := net.FilePacketConn(f)
		if err != nil {
			return err
		}
		uc, ok := pc.(*net.UDPConn)
		if !ok {
			_ = pc.Close()
			return errSocketType
		}
		a.turn.UDP = append(a.turn.UDP, uc)
		return nil
	}
	ln, err := net.FileListener(f)
	if err != nil {
		return err
	}
	if name == httpSocketName && a.http == nil {
		a.http = ln
	} else {
		*other = append(*other, ln)
	}
	return nil
}

// close closes everything a holds and the listeners in other.
func (a *activated) close(other []net.Listener) {
	if a.http != nil {
		_ = a.http.Close()
	}
	a.turn.Close()
	for _, ln := range other {
		_ = ln.Close()
	}
}
