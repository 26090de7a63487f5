package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"time"
)

// stopGrace is how long a child gets to exit after SIGTERM before SIGKILL.
const stopGrace = 3 * time.Second

// child is an external process the benchmark started: GStreamer, Janus or
// mediagate. Its output goes to a log file in the work directory.
type child struct {
	name    string
	cmd     *exec.Cmd
	logPath string
	done    chan struct{} // closed when the process has been waited for
	err     error         // Wait's result, valid after done
	log     *slog.Logger
}

// startChild runs argv[0] with argv[1:] in its own process group (so a
// terminal's ^C reaches only the benchmark, which stops children in order),
// killed by the kernel if the benchmark dies, with stdout and stderr in
// dir/<name>.log.
func startChild(name, dir string, log *slog.Logger, argv ...string) (*child, error) {
	return startChildEnv(name, dir, nil, log, argv...)
}

// startChildEnv is startChild with env added to the benchmark's
// environment.
func startChildEnv(name, dir string, env []string, log *slog.Logger, argv ...string) (*child, error) {
	if _, err := exec.LookPath(argv[0]); err != nil {
		return nil, fmt.Errorf("%s: %w", argv[0], errMissingTool)
	}
	logPath := filepath.Join(dir, name+".log")
	out, err := os.Create(logPath)
	if err != nil {
		return nil, fmt.Errorf("%s log: %w", name, err)
	}
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Stdout, cmd.Stderr = out, out
	if env != nil {
		cmd.Env = append(os.Environ(), env...)
	}
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		out.Close()
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	c := &child{name: name, cmd: cmd, logPath: logPath, done: make(chan struct{}), log: log.With("process", name)}
	go func() {
		c.err = cmd.Wait()
		out.Close()
		close(c.done)
	}()
	c.log.Debug("started", "pid", cmd.Process.Pid, "argv", argv)
	return c, nil
}

// pid returns the child's process id.
func (c *child) pid() int { return c.cmd.Process.Pid }

// exited reports whether the child has already exited.
func (c *child) exited() bool {
	select {
	case <-c.done:
		return true
	default:
		return false
	}
}

// stop sends sig, waits up to stopGrace, then kills the child. It is safe to
// call more than once and on a child that already exited.
func (c *child) stop(sig syscall.Signal) {
	if c.exited() {
		return
	}
	if err := c.cmd.Process.Signal(sig); err != nil && !errors.Is(err, os.ErrProcessDone) {
		c.log.Warn("signal failed", "signal", sig, "err", err)
	}
	select {
	case <-c.done:
	case <-time.After(stopGrace):
		c.log.Warn("did not stop in time; killing", "grace", stopGrace)
		_ = c.cmd.Process.Kill()
		<-c.done
	}
	c.log.Debug("stopped", "wait", c.err)
}

// waitFor polls check every 100 ms until it returns nil, the child exits, or
// timeout passes; the error names what was awaited and, if the child died,
// where its log is.
func (c *child) waitFor(ctx context.Context, what string, timeout time.Duration, check func() error) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for {
		err := check()
		if err == nil {
			return nil
		}
		select {
		case <-c.done:
			return fmt.Errorf("%s exited (%v) before %s; see %s: %w", c.name, c.err, what, c.logPath, errNotReady)
		case <-ctx.Done():
			return fmt.Errorf("%s: %s: %v: %w", c.name, what, err, errNotReady)
		case <-tick.C:
		}
	}
}
