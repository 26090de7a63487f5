//go:build cgo

package main

import (
	"bufio"
	"encoding/json"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/pion/rtcp"
)

// runMainEnv makes the test binary run the command itself, so that a test
// can signal a real process.
const runMainEnv = "TESTSENDER_RUN_MAIN"

func TestMain(m *testing.M) {
	if os.Getenv(runMainEnv) == "1" {
		main()
	}
	os.Exit(m.Run())
}

// TestSignalStops runs the command as a process and stops it with SIGTERM
// and SIGINT: it exits with status 0 and flushes a last stats line after
// the ones it wrote while running.
func TestSignalStops(t *testing.T) {
	for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGINT} {
		t.Run(sig.String(), func(t *testing.T) {
			r := newReceiver(t, nil)
			cmd := exec.Command(os.Args[0], args(r.addr())...)
			cmd.Env = append(os.Environ(), runMainEnv+"=1")
			var stderr syncBuffer
			cmd.Stderr = &stderr
			out, err := cmd.StdoutPipe()
			if err != nil {
				t.Fatal(err)
			}
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			lines := make(chan string, 1000)
			go func() {
				defer close(lines)
				sc := bufio.NewScanner(out)
				for sc.Scan() {
					lines <- sc.Text()
				}
			}()
			n := 0
			for n < 3 {
				select {
				case <-lines:
					n++
				case <-time.After(5 * time.Second):
					cmd.Process.Kill()
					cmd.Wait()
					t.Fatalf("%d stats lines in 5 s; stderr:\n%s", n, &stderr)
				}
			}
			if err := cmd.Process.Signal(sig); err != nil {
				t.Fatal(err)
			}
			var last string
			for l := range lines {
				last = l
			}
			if err := cmd.Wait(); err != nil {
				t.Fatalf("%v after %v; stderr:\n%s", err, sig, &stderr)
			}
			var l statLine
			if err := json.Unmarshal([]byte(last), &l); err != nil || l.Packets == 0 || l.T <= 0.2 {
				t.Errorf("last line %q: %+v, %v", last, l, err)
			}
			if !strings.Contains(stderr.String(), "msg=stopped") {
				t.Errorf("no stop in the log:\n%s", &stderr)
			}
			r.waitRTCP(t, "a BYE", func(p rtcp.Packet) bool { _, ok := p.(*rtcp.Goodbye); return ok })
		})
	}
}
