package egress

import (
	"errors"
	"fmt"
	"net"
	"strconv"
	"sync"
)

// tcpListeners is the passive ICE-TCP listener (RFC 6544): the TCP port
// bound on each usable local address, as the UDP port is, so that
// interfaces = ["lo"] binds no other address. It is one net.Listener for
// pion's TCP mux, whose Addr is the wildcard at the port: pion then offers
// a TCP candidate on every address its interface filter lets through, which
// are these.
type tcpListeners struct {
	lns   []net.Listener
	port  int
	conns chan net.Conn
	done  chan struct{}
	once  sync.Once
	wg    sync.WaitGroup
}

// listenTCP binds port on every address.
func listenTCP(addrs []net.IP, port int) (*tcpListeners, error) {
	t := &tcpListeners{port: port, conns: make(chan net.Conn), done: make(chan struct{})}
	for _, ip := range addrs {
		ln, err := net.ListenTCP("tcp", &net.TCPAddr{IP: ip, Port: port})
		if err != nil {
			return nil, errors.Join(fmt.Errorf("ice-tcp listen on %s: %w", net.JoinHostPort(ip.String(), strconv.Itoa(port)), err), t.Close())
		}
		t.lns = append(t.lns, ln)
	}
	for _, ln := range t.lns {
		t.wg.Go(func() { t.accept(ln) })
	}
	return t, nil
}

// accept hands ln's connections to Accept until ln fails or t closes.
func (t *tcpListeners) accept(ln net.Listener) {
	for {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		select {
		case t.conns <- c:
		case <-t.done:
			_ = c.Close()
			return
		}
	}
}

// Accept implements net.Listener.
func (t *tcpListeners) Accept() (net.Conn, error) {
	select {
	case c := <-t.conns:
		return c, nil
	case <-t.done:
		return nil, net.ErrClosed
	}
}

// Close implements net.Listener: it closes every socket and waits for the
// accept goroutines.
func (t *tcpListeners) Close() error {
	var err error
	t.once.Do(func() {
		close(t.done)
		for _, ln := range t.lns {
			err = errors.Join(err, ln.Close())
		}
		t.wg.Wait()
	})
	return err
}

// Addr implements net.Listener: the wildcard address at the port.
func (t *tcpListeners) Addr() net.Addr { return &net.TCPAddr{Port: t.port} }
