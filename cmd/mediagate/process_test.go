package main

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// The tests in this file run the real command: the test binary re-executes
// itself as mediagate (see TestMain) with a $NOTIFY_SOCKET the test reads,
// the way systemd runs a Type=notify service.

// TestMain runs main's dispatch instead of the tests when the test binary
// is re-executed as the command under test.
func TestMain(m *testing.M) {
	if os.Getenv("MEDIAGATE_TEST_MAIN") == "1" {
		if os.Getenv("MEDIAGATE_TEST_LISTEN_SELF") == "1" {
			// systemd sets LISTEN_PID to the service's PID, which the
			// test cannot know before the process starts.
			os.Setenv("LISTEN_PID", strconv.Itoa(os.Getpid()))
		}
		os.Exit(dispatch(os.Args[1:]))
	}
	os.Exit(m.Run())
}

// waitLimit bounds every wait for something that must happen.
const waitLimit = 15 * time.Second

// proc is one mediagate process and the sd_notify messages it sends.
type proc struct {
	t    *testing.T
	cmd  *exec.Cmd
	msgs chan string
	conf string
	out  *strings.Builder
}

// startProc runs `mediagate run -c conf` with a notify socket and env.
func startProc(t *testing.T, conf string, extra []*os.File, env ...string) *proc {
	t.Helper()
	sock := filepath.Join(t.TempDir(), "notify")
	conn, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: sock, Net: "unixgram"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	p := &proc{t: t, msgs: make(chan string, 256), conf: conf, out: &strings.Builder{}}
	go func() {
		buf := make([]byte, 4096)
		for {
			n, err := conn.Read(buf)
			if err != nil {
				return
			}
			p.msgs <- string(buf[:n])
		}
	}()
	p.cmd = exec.Command(os.Args[0], "run", "-c", conf)
	p.cmd.Env = append(os.Environ(), append(env, "MEDIAGATE_TEST_MAIN=1", "NOTIFY_SOCKET="+sock)...)
	p.cmd.ExtraFiles = extra
	p.cmd.Stderr = p.out
	p.cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if p.cmd.ProcessState == nil {
			_ = p.cmd.Process.Kill()
			_ = p.cmd.Wait()
		}
		if t.Failed() {
			t.Logf("mediagate output:\n%s", p.out.String())
		}
	})
	return p
}

// expect waits for a message holding every assignment in want and returns
// it; messages before it are skipped.
func (p *proc) expect(want ...string) string {
	p.t.Helper()
	deadline := time.After(waitLimit)
	for {
		select {
		case m := <-p.msgs:
			if holdsAll(m, want) {
				return m
			}
		case <-deadline:
			p.t.Fatalf("no sd_notify message with %q within %v", want, waitLimit)
			return ""
		}
	}
}

// holdsAll reports whether every want is a line of m, or a prefix of one
// when it ends in "*".
func holdsAll(m string, want []string) bool {
	lines := strings.Split(m, "\n")
	for _, w := range want {
		found := false
		for _, l := range lines {
			if l == w || (strings.HasSuffix(w, "*") && strings.HasPrefix(l, w[:len(w)-1])) {
				found = true
			}
		}
		if !found {
			return false
		}
	}
	return true
}

// noWatchdogFor fails if a WATCHDOG=1 arrives within d.
func (p *proc) noWatchdogFor(d time.Duration) {
	p.t.Helper()
	deadline := time.After(d)
	for {
		select {
		case m := <-p.msgs:
			if holdsAll(m, []string{"WATCHDOG=1"}) {
				p.t.Fatalf("WATCHDOG=1 while the media loops are stalled: %q", m)
			}
		case <-deadline:
			return
		}
	}
}

func (p *proc) signal(s syscall.Signal) {
	p.t.Helper()
	if err := p.cmd.Process.Signal(s); err != nil {
		p.t.Fatal(err)
	}
}

// writeConf replaces the config file.
func (p *proc) writeConf(text string) {
	p.t.Helper()
	if err := os.WriteFile(p.conf, []byte(text), 0o640); err != nil {
		p.t.Fatal(err)
	}
}

func freePort(t *testing.T, network string) int {
	t.Helper()
	if network == "udp" {
		c, err := net.ListenPacket("udp4", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		return c.LocalAddr().(*net.UDPAddr).Port
	}
	l, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// loopbackConf is a config on loopback ports with streams named names.
type loopbackConf struct {
	http, ice int
	ports     map[string]int
}

func newLoopbackConf(t *testing.T, names ...string) *loopbackConf {
	c := &loopbackConf{http: freePort(t, "tcp"), ice: freePort(t, "udp"), ports: map[string]int{}}
	for _, n := range names {
		c.ports[n] = freePort(t, "udp")
	}
	return c
}

// text renders the config with the given streams and extra TOML at the end.
func (c *loopbackConf) text(streams []string, extra string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "[http]\nlisten = \"127.0.0.1:%d\"\n\n[webrtc]\nudp_port = %d\ntcp_port = 0\n"+
		"interfaces = [\"lo\"]\ninclude_loopback = true\n", c.http, c.ice)
	for _, s := range streams {
		fmt.Fprintf(&b, "\n[[stream]]\nname = %q\nlisten = \"127.0.0.1:%d\"\n  [stream.video]\n  codec = \"vp8\"\n"+
			"  payload_type = 97\n", s, c.ports[s])
	}
	return b.String() + extra
}

func httpStatus(t *testing.T, url string) int {
	t.Helper()
	code, _ := httpBody(t, url)
	return code
}

// httpBody GETs url and returns the status and the body.
func httpBody(t *testing.T, url string) (int, string) {
	t.Helper()
	c := &http.Client{Timeout: 5 * time.Second}
	resp, err := c.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 1<<16))
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	return resp.StatusCode, string(b)
}
