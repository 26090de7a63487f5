package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"mediagate.dev/mediagate/turn"
	"mediagate.dev/mediagate/turn/turntest"
)

// Directions of the load, the table's rows.
const (
	dirToClient = "peer → client" // media toward a viewer
	dirToPeer   = "client → peer" // RTCP and checks back
)

// channel is the channel number every client binds to the peer.
const channel = 0x4000

// socketBuffer is the receive buffer of every load socket.
const socketBuffer = 8 << 20

// result is one measurement: one server, one direction.
type result struct {
	server, direction string
	offered, relayed  int64
	window, cpu       time.Duration
}

// client is one TURN client of the load with its allocation.
type client struct {
	tc    *turntest.Client
	conn  *net.UDPConn
	relay netip.AddrPort
}

// payloadSize is the payload of datagram i: -size bytes, or with -vary up
// to that many fewer, changing from one datagram to the next so that no
// two in a row toward a client are alike.
func payloadSize(o options, i int) int {
	return o.size - (i*7919)%(o.vary+1)
}

// benchmark measures each server in each direction under the same load.
func benchmark(ctx context.Context, o options, log *slog.Logger) ([]result, error) {
	dir, err := os.MkdirTemp("", "mediagate-turn-bench-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	peer, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		return nil, err
	}
	defer peer.Close()
	_ = peer.SetReadBuffer(socketBuffer)
	peerAddr := peer.LocalAddr().(*net.UDPAddr).AddrPort()
	starts := []func() (*server, error){
		func() (*server, error) { return startMediagate(ctx, peerAddr.Port()) },
		func() (*server, error) { return startCoturn(ctx, dir) },
	}
	var results []result
	for _, start := range starts {
		s, err := start()
		if err != nil {
			return nil, err
		}
		rs, err := measureServer(ctx, o, s, peer)
		s.stop()
		if err != nil {
			return nil, fmt.Errorf("%s: %w", s.name, err)
		}
		for _, r := range rs {
			log.Info("measured", "server", r.server, "direction", r.direction, "relayed", r.relayed, "cpu", r.cpu)
		}
		results = append(results, rs...)
	}
	return results, nil
}

// measureServer sets the clients up on s and measures both directions.
func measureServer(ctx context.Context, o options, s *server, peer *net.UDPConn) ([]result, error) {
	clients, err := setupClients(s, o.clients, peer.LocalAddr().(*net.UDPAddr).AddrPort())
	for _, c := range clients {
		defer c.tc.Close()
	}
	if err != nil {
		return nil, err
	}
	payload := make([]byte, o.size)
	frames := make([][]byte, o.vary+1) // ChannelData toward the peer, by how much shorter
	for v := range frames {
		frames[v] = turntest.ChannelData(channel, payload[:o.size-v], false)
	}
	var out []result
	for _, dir := range []string{dirToClient, dirToPeer} {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		var send func(i int) error
		var readers []*net.UDPConn
		if dir == dirToClient {
			send = func(i int) error {
				_, err := peer.WriteToUDPAddrPort(payload[:payloadSize(o, i)], clients[i%len(clients)].relay)
				return err
			}
			for _, c := range clients {
				readers = append(readers, c.conn)
			}
		} else {
			send = func(i int) error {
				_, err := clients[i%len(clients)].conn.Write(frames[o.size-payloadSize(o, i)])
				return err
			}
			readers = []*net.UDPConn{peer}
		}
		r, err := measure(o, s, send, readers)
		if err != nil {
			return nil, err
		}
		r.server, r.direction = s.name, dir
		out = append(out, r)
	}
	return out, nil
}

// setupClients allocates for n clients with REST credentials and binds a
// channel to the peer on each, then checks that the path works.
func setupClients(s *server, n int, peer netip.AddrPort) ([]*client, error) {
	var clients []*client
	for i := range n {
		tc, err := turntest.Dial("udp", s.addr, nil)
		if err != nil {
			return clients, err
		}
		c := &client{tc: tc, conn: tc.Conn().(*net.UDPConn)}
		clients = append(clients, c)
		_ = c.conn.SetReadBuffer(socketBuffer)
		cr := turn.Mint([]byte(benchSecret), fmt.Sprintf("bench%d", i), time.Hour, time.Now())
		if c.relay, err = tc.Allocate(cr.Username, cr.Password); err != nil {
			return clients, fmt.Errorf("allocate: %w", err)
		}
		if err := tc.ChannelBind(channel, peer); err != nil {
			return clients, fmt.Errorf("channel bind: %w", err)
		}
	}
	return clients, nil
}

// measure sends for the window at the offered rate with send(i), counts
// what the readers receive, and reads the server's CPU time around it.
func measure(o options, s *server, send func(i int) error, readers []*net.UDPConn) (result, error) {
	var received atomic.Int64
	var wg sync.WaitGroup
	for _, c := range readers {
		_ = c.SetReadDeadline(time.Time{})
		wg.Add(1)
		go func() {
			defer wg.Done()
			buf := make([]byte, 2048)
			for {
				if _, _, err := c.ReadFromUDPAddrPort(buf); err != nil {
					return
				}
				received.Add(1)
			}
		}()
	}
	cpu0, err := s.cpu()
	if err != nil {
		return result{}, err
	}
	start := time.Now()
	sent, err := pace(o, send)
	window := time.Since(start)
	time.Sleep(200 * time.Millisecond) // what is in flight lands
	cpu1, cerr := s.cpu()
	for _, c := range readers {
		_ = c.SetReadDeadline(time.Now())
	}
	wg.Wait()
	if err = errors.Join(err, cerr); err != nil {
		return result{}, err
	}
	return result{offered: sent, relayed: received.Load(), window: window, cpu: cpu1 - cpu0}, nil
}

// pace calls send at the offered rate (as fast as it can with rate 0) for
// the window, in bursts every millisecond, and returns how many it sent.
func pace(o options, send func(i int) error) (int64, error) {
	start := time.Now()
	var n int64
	for {
		elapsed := time.Since(start)
		if elapsed >= o.duration {
			return n, nil
		}
		due := n + 64
		if o.rate > 0 {
			due = int64(elapsed.Seconds() * float64(o.rate))
		}
		for ; n < due; n++ {
			if err := send(int(n)); err != nil && !errors.Is(err, net.ErrClosed) {
				var ne net.Error
				if !errors.As(err, &ne) {
					return n, err
				}
			}
		}
		if o.rate > 0 {
			time.Sleep(time.Millisecond)
		}
	}
}
