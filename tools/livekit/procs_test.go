package livekit

import (
	"bytes"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// proc is a server or sender the test runs inside the namespace, in its
// own process group, killed with the test binary if that dies first.
type proc struct {
	name string
	args []string
	env  []string
	cmd  *exec.Cmd
	out  *lockedBuffer
	done chan struct{}
}

// startProc starts name with args; the test's cleanup stops it (cleanups
// run last-registered first: senders stop before the servers they send to).
func startProc(t *testing.T, env []string, name string, args ...string) *proc {
	t.Helper()
	p := &proc{name: name, args: args, env: env, out: &lockedBuffer{}}
	p.start(t)
	t.Cleanup(func() {
		p.stop(syscall.SIGKILL)
		if t.Failed() {
			t.Logf("%s output:\n%s", name, p.out.String())
		}
	})
	return p
}

func (p *proc) start(t *testing.T) {
	t.Helper()
	p.cmd = exec.Command(p.name, p.args...)
	p.cmd.Env = append(os.Environ(), p.env...)
	p.cmd.Stdout, p.cmd.Stderr = p.out, p.out
	p.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := p.cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", p.name, err)
	}
	done := make(chan struct{})
	p.done = done
	go func() { _ = p.cmd.Wait(); close(done) }()
}

// stop sends sig to the process group and waits for the process to end.
func (p *proc) stop(sig syscall.Signal) {
	select {
	case <-p.done:
		return
	default:
	}
	_ = syscall.Kill(-p.cmd.Process.Pid, sig)
	<-p.done
}

// exited reports whether the process has ended.
func (p *proc) exited(within time.Duration) bool {
	select {
	case <-p.done:
		return true
	case <-time.After(within):
		return false
	}
}

// startRedis runs Debian's redis-server on the namespace's loopback, with
// nothing written to disk.
func startRedis(t *testing.T) {
	t.Helper()
	startProc(t, nil, "redis-server", "--bind", "127.0.0.1", "--port", "6379",
		"--save", "", "--appendonly", "no", "--dir", t.TempDir())
	waitFor(t, 10*time.Second, "redis on 127.0.0.1:6379", func() bool {
		c, err := net.DialTimeout("tcp", "127.0.0.1:6379", 200*time.Millisecond)
		if err == nil {
			c.Close()
		}
		return err == nil
	})
}

// node is one livekit-server of the cluster.
type node struct {
	name string
	port int // HTTP: signalling, room API, WHIP
	proc *proc
}

// startNode runs livekit-server with configs/livekit/<name>.yaml and the
// test's API key, and waits for its health check.
func startNode(t *testing.T, server, name string, port int, keys string) *node {
	t.Helper()
	n := &node{name: name, port: port}
	n.proc = startProc(t, []string{"LIVEKIT_KEYS=" + keys},
		server, "--config", "../../configs/livekit/"+name+".yaml")
	n.waitReady(t)
	return n
}

// url is the node's base URL; ws is the same for the SDK.
func (n *node) url() string { return fmt.Sprintf("http://%s:%d", nsAddr, n.port) }
func (n *node) ws() string  { return fmt.Sprintf("ws://%s:%d", nsAddr, n.port) }

func (n *node) waitReady(t *testing.T) {
	t.Helper()
	client := http.Client{Timeout: 500 * time.Millisecond}
	waitFor(t, 20*time.Second, n.name+"'s health check", func() bool {
		resp, err := client.Get(n.url() + "/")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	})
}

// restart stops the node as an operator restarting it would (SIGTERM, and
// a second one to skip waiting for the participants to leave), starts it
// again on the same ports and waits until it serves.
func (n *node) restart(t *testing.T) {
	t.Helper()
	_ = syscall.Kill(-n.proc.cmd.Process.Pid, syscall.SIGTERM)
	time.Sleep(200 * time.Millisecond)
	_ = syscall.Kill(-n.proc.cmd.Process.Pid, syscall.SIGTERM)
	if !n.proc.exited(10 * time.Second) {
		t.Logf("%s did not stop within 10 s of SIGTERM: killing it", n.name)
		n.proc.stop(syscall.SIGKILL)
	}
	n.proc.start(t)
	n.waitReady(t)
}

// id is the node's current ID, from the last start line in its log.
func (n *node) id(t *testing.T) string {
	t.Helper()
	m := nodeIDLine.FindAllStringSubmatch(n.proc.out.String(), -1)
	if len(m) == 0 {
		t.Fatalf("%s logged no node ID", n.name)
	}
	return m[len(m)-1][1]
}

var nodeIDLine = regexp.MustCompile(`starting LiveKit server.*"nodeID": "(ND_[A-Za-z0-9]+)"`)

// roomNode is the ID of the node that hosts room, from the cluster's
// shared store (LiveKit's room_node_map in redis).
func roomNode(t *testing.T, room string) string {
	t.Helper()
	out, err := exec.Command("redis-cli", "-h", "127.0.0.1", "-p", "6379", "hget", "room_node_map", room).CombinedOutput()
	if err != nil {
		t.Fatalf("redis-cli hget room_node_map %s: %v\n%s", room, err, out)
	}
	return strings.TrimSpace(string(out))
}

// waitFor polls cond every 50 ms until it holds, or fails the test after
// d, with what the optional explain says of the state then.
func waitFor(t *testing.T, d time.Duration, what string, cond func() bool, explain ...func() string) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			var why []string
			for _, e := range explain {
				why = append(why, e())
			}
			t.Fatalf("no %s within %v %s", what, d, strings.Join(why, "; "))
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// lockedBuffer keeps a process's output, up to 1 MiB.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.buf.Len() > 1<<20 {
		return len(p), nil
	}
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
