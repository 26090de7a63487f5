package main

import (
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"mediagate.dev/mediagate/turn/turntest"
)

// TestServiceLifecycle runs mediagate as systemd would and follows its
// sd_notify messages: READY=1 once it serves, WATCHDOG=1 while its media
// loops are alive, RELOADING=1 and READY=1 around each SIGHUP (a broken
// file keeps the service up and says so in STATUS=, a fixed file adds a
// stream), no WATCHDOG=1 once the fault-injection switch stalls the loops,
// and STOPPING=1 on SIGTERM, then a clean exit.
func TestServiceLifecycle(t *testing.T) {
	if testing.Short() {
		t.Skip("runs for about ten seconds")
	}
	c := newLoopbackConf(t, "cam1", "cam2")
	conf := filepath.Join(t.TempDir(), "mediagate.toml")
	if err := os.WriteFile(conf, []byte(c.text([]string{"cam1"}, "")), 0o640); err != nil {
		t.Fatal(err)
	}
	p := startProc(t, conf, nil, "WATCHDOG_USEC=600000")
	p.expect("READY=1", "STATUS=1 streams (0 up), 0 viewers")
	p.expect("WATCHDOG=1")
	p.expect("WATCHDOG=1")
	health := fmt.Sprintf("http://127.0.0.1:%d/healthz", c.http)

	p.writeConf(c.text([]string{"cam1"}, "\nbogus = [\n"))
	p.signal(syscall.SIGHUP)
	p.expect("RELOADING=1", "MONOTONIC_USEC=*")
	p.expect("READY=1", "STATUS=1 streams (0 up), 0 viewers; reload failed, running on the previous config: *")
	if code := httpStatus(t, health); code != http.StatusOK {
		t.Fatalf("after a broken reload /healthz says %d", code)
	}

	p.writeConf(c.text([]string{"cam1", "cam2"}, ""))
	p.signal(syscall.SIGHUP)
	p.expect("RELOADING=1", "MONOTONIC_USEC=*")
	p.expect("READY=1", "STATUS=2 streams (0 up), 0 viewers")

	p.writeConf(c.text([]string{"cam1", "cam2"}, "\n[debug]\nstall_media_loop_after = \"100ms\"\n"))
	p.signal(syscall.SIGHUP)
	p.expect("READY=1", "STATUS=2 streams (0 up), 0 viewers; FAULT INJECTION ON ([debug] in the config)")
	p.expect("STATUS=2 streams (0 up), 0 viewers; media loops stuck: cam1/rtp,cam2/rtp; *")
	if code, body := httpBody(t, health); code != http.StatusServiceUnavailable ||
		!strings.Contains(body, `"status":"stalled"`) || !strings.Contains(body, `"stuck":["cam1/rtp","cam2/rtp"]`) {
		t.Errorf("/healthz with the media loops stalled: %d %s", code, body)
	}
	p.noWatchdogFor(2 * time.Second)

	p.signal(syscall.SIGTERM)
	p.expect("STOPPING=1", "STATUS=stopping: draining 2 streams (0 up), 0 viewers")
	if err := p.cmd.Wait(); err != nil {
		t.Fatalf("exit after SIGTERM: %v", err)
	}
}

// TestSocketActivation passes mediagate a listening socket the way systemd
// does (fd 3, LISTEN_FDS, LISTEN_FDNAMES) while http.listen names a port
// that is taken: it must serve on the passed socket and bind nothing else.
func TestSocketActivation(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a process")
	}
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	f, err := ln.(*net.TCPListener).File()
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	taken, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()

	c := newLoopbackConf(t, "cam1")
	c.http = taken.Addr().(*net.TCPAddr).Port
	conf := filepath.Join(t.TempDir(), "mediagate.toml")
	if err := os.WriteFile(conf, []byte(c.text([]string{"cam1"}, "")), 0o640); err != nil {
		t.Fatal(err)
	}
	p := startProc(t, conf, []*os.File{f}, "LISTEN_FDS=1", "LISTEN_FDNAMES="+httpSocketName,
		"MEDIAGATE_TEST_LISTEN_SELF=1")
	p.expect("READY=1", "STATUS=1 streams (0 up), 0 viewers")
	if code := httpStatus(t, "http://"+ln.Addr().String()+"/healthz"); code != http.StatusOK {
		t.Fatalf("/healthz on the passed socket: %d", code)
	}
	p.signal(syscall.SIGTERM)
	if err := p.cmd.Wait(); err != nil {
		t.Fatalf("exit after SIGTERM: %v", err)
	}
}

// TestTURNSocketActivation passes mediagate the sockets of both socket
// units, as systemd does for mediagate.socket and mediagate-turn.socket
// (LISTEN_FDNAMES=http:turn:turn): the TURN server serves on the passed
// UDP socket and TCP listener, which turn.udp_listen and tcp_listen name
// and which stay bound by the test (binding them again would fail), and a
// client allocates over each with credentials signed with turn.secret.
func TestTURNSocketActivation(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a process")
	}
	httpLn, httpFile := passTCP(t)
	turnTCP, tcpFile := passTCP(t)
	turnUDP, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	defer turnUDP.Close()
	udpFile, err := turnUDP.File()
	if err != nil {
		t.Fatal(err)
	}
	defer udpFile.Close()

	const secret = "turn-socket-activation-secret"
	c := newLoopbackConf(t, "cam1")
	conf := filepath.Join(t.TempDir(), "mediagate.toml")
	extra := fmt.Sprintf("\n[turn]\nenabled = true\nudp_listen = [%q]\ntcp_listen = [%q]\nsecret = %q\nrelay_ports = \"30000-30099\"\n",
		turnUDP.LocalAddr(), turnTCP.Addr(), secret)
	if err := os.WriteFile(conf, []byte(c.text([]string{"cam1"}, extra)), 0o640); err != nil {
		t.Fatal(err)
	}
	p := startProc(t, conf, []*os.File{httpFile, tcpFile, udpFile}, "LISTEN_FDS=3",
		"LISTEN_FDNAMES="+httpSocketName+":"+turnSocketName+":"+turnSocketName, "MEDIAGATE_TEST_LISTEN_SELF=1")
	p.expect("READY=1", "STATUS=1 streams (0 up), 0 viewers")
	if code := httpStatus(t, "http://"+httpLn.Addr().String()+"/healthz"); code != http.StatusOK {
		t.Fatalf("/healthz on the passed socket: %d", code)
	}
	user := fmt.Sprintf("%d:socket-test", time.Now().Add(time.Hour).Unix())
	mac := hmac.New(sha1.New, []byte(secret))
	mac.Write([]byte(user))
	pass := base64.StdEncoding.EncodeToString(mac.Sum(nil))
	for network, addr := range map[string]string{"udp": turnUDP.LocalAddr().String(), "tcp": turnTCP.Addr().String()} {
		cl, err := turntest.Dial(network, addr, nil)
		if err != nil {
			t.Fatalf("dial TURN over %s: %v", network, err)
		}
		relay, err := cl.Allocate(user, pass)
		cl.Close()
		if err != nil || !relay.IsValid() {
			t.Errorf("allocate over the passed %s socket %s: %v %v", network, addr, relay, err)
		}
	}
	p.signal(syscall.SIGTERM)
	if err := p.cmd.Wait(); err != nil {
		t.Fatalf("exit after SIGTERM: %v", err)
	}
}

// passTCP returns a loopback TCP listener and a copy of its descriptor to
// pass to the process.
func passTCP(t *testing.T) (net.Listener, *os.File) {
	t.Helper()
	ln, err := net.ListenTCP("tcp4", &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	f, err := ln.File()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return ln, f
}
