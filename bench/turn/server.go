package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"mediagate.dev/mediagate/turn"
	"mediagate.dev/mediagate/turn/turntest"
)

// Server names, the table's columns.
const (
	colMediagate = "mediagate"
	colCoturn    = "coturn"
)

// benchRealm and benchSecret are both servers' REST credentials setup.
const (
	benchRealm  = "bench.mediagate"
	benchSecret = "bench-secret-0123456789abcdef"
)

// server is one TURN server process under test.
type server struct {
	name string
	addr string // UDP listen address, host:port
	cmd  *exec.Cmd
	stop func()
}

// serveConfig is what this program passes to itself with -serve.
type serveConfig struct {
	Listen   string
	PeerPort uint16
	RelayMin uint16
	RelayMax uint16
}

// startMediagate starts this program again as mediagate's TURN server, with
// the gateway's default policy: the peer stands in for the ICE socket.
func startMediagate(ctx context.Context, peerPort uint16) (*server, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, err
	}
	addr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	js, _ := json.Marshal(serveConfig{Listen: addr, PeerPort: peerPort, RelayMin: 61000, RelayMax: 61999})
	cmd := exec.CommandContext(ctx, exe, "-serve", string(js))
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	s := &server{name: colMediagate, addr: addr, cmd: cmd, stop: func() { _ = stdin.Close(); _ = cmd.Wait() }}
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil || strings.TrimSpace(line) != "ready" {
		s.stop()
		return nil, fmt.Errorf("mediagate server did not start: %q %v", line, err)
	}
	return s, nil
}

// serveMediagate is the -serve mode: run the server until stdin closes.
func serveMediagate(js string) int {
	var c serveConfig
	if err := json.Unmarshal([]byte(js), &c); err != nil {
		fmt.Fprintln(os.Stderr, "turn -serve:", err)
		return 2
	}
	lo := netip.MustParseAddr("127.0.0.1")
	srv, err := turn.New(turn.Config{
		Realm: benchRealm, UDP: []string{c.Listen}, Secret: []byte(benchSecret),
		RelayBind: lo, RelayAddrs: []netip.Addr{lo}, RelayPortMin: c.RelayMin, RelayPortMax: c.RelayMax,
		Policy: turn.Policy{ICE: []netip.Addr{lo}, Port: c.PeerPort},
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, "turn -serve:", err)
		return 1
	}
	fmt.Println("ready")
	_, _ = io.Copy(io.Discard, os.Stdin)
	_ = srv.Close()
	return 0
}

// startCoturn starts Debian's turnserver with the same realm, secret and
// kind of relay ports, loopback peers allowed (it refuses them by default).
func startCoturn(ctx context.Context, dir string) (*server, error) {
	path, err := exec.LookPath("turnserver")
	if err != nil {
		return nil, fmt.Errorf("coturn's turnserver is required (scripts/install-deps.sh test installs it): %w", err)
	}
	addr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	_, port, _ := net.SplitHostPort(addr)
	cmd := exec.CommandContext(ctx, path, "-n", "--listening-ip=127.0.0.1", "--listening-port="+port,
		"--relay-ip=127.0.0.1", "--min-port=62000", "--max-port=62999",
		"--use-auth-secret", "--static-auth-secret="+benchSecret, "--realm="+benchRealm,
		"--no-tls", "--no-dtls", "--no-cli", "--allow-loopback-peers", "--no-stdout-log",
		"--log-file="+filepath.Join(dir, "coturn.log"), "--simple-log",
		"--pidfile="+filepath.Join(dir, "coturn.pid"), "--userdb="+filepath.Join(dir, "turndb"))
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	s := &server{name: colCoturn, addr: addr, cmd: cmd, stop: func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }}
	if err := waitAnswering(addr); err != nil {
		s.stop()
		return nil, fmt.Errorf("coturn did not start (see %s): %w", filepath.Join(dir, "coturn.log"), err)
	}
	return s, nil
}

// waitAnswering waits until a STUN Binding request to addr is answered.
func waitAnswering(addr string) error {
	deadline := time.Now().Add(10 * time.Second)
	for {
		c, err := turntest.Dial("udp", addr, nil)
		if err == nil {
			c.Timeout = 200 * time.Millisecond
			_, err = c.Binding()
			_ = c.Close()
			if err == nil {
				return nil
			}
		}
		if time.Now().After(deadline) {
			return err
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// freeAddr returns a loopback UDP address that was free a moment ago.
func freeAddr() (string, error) {
	c, err := net.ListenPacket("udp4", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer c.Close()
	return c.LocalAddr().String(), nil
}

// clockTicks is USER_HZ, the unit of /proc/<pid>/stat's CPU times.
const clockTicks = 100

// cpu returns the process's user and system CPU time so far.
func (s *server) cpu() (time.Duration, error) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", s.cmd.Process.Pid))
	if err != nil {
		return 0, err
	}
	return parseStatCPU(string(data))
}

// parseStatCPU reads utime and stime (fields 14 and 15) of a /proc stat
// line, whose second field, the command in parentheses, may hold spaces.
func parseStatCPU(stat string) (time.Duration, error) {
	end := strings.LastIndexByte(stat, ')')
	if end < 0 {
		return 0, errors.New("malformed /proc stat")
	}
	f := strings.Fields(stat[end+1:])
	if len(f) < 13 {
		return 0, errors.New("short /proc stat")
	}
	utime, err1 := strconv.ParseInt(f[11], 10, 64)
	stime, err2 := strconv.ParseInt(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, errors.New("malformed /proc stat times")
	}
	return time.Duration(utime+stime) * time.Second / clockTicks, nil
}
