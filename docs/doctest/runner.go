package doctest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sync"
	"syscall"
	"time"
)

// Defaults of the markers' timeouts.
const (
	DefaultTimeout = 30 * time.Second
	DefaultReady   = "http://127.0.0.1:8080/healthz"
	stopGrace      = 3 * time.Second
	maxOutput      = 1 << 20
)

// Runner runs the steps of one page. Dir is where blocks start (it holds
// bin/mediagate and configs/), Home the HOME they see; Log, when set, gets
// a line per step. Close stops whatever is still running.
type Runner struct {
	Dir  string
	Home string
	Log  func(format string, args ...any)

	state   string // the shell session's variables and directory
	running []*proc
	byID    map[string]*proc
	steps   map[string]Step
}

// proc is a background block.
type proc struct {
	step Step
	cmd  *exec.Cmd
	out  *boundedBuffer
	done chan struct{}
	err  error // set when done is closed
}

// Run runs steps in order and returns the first failure, naming the
// page's line.
func (r *Runner) Run(ctx context.Context, steps []Step) error {
	if r.byID == nil {
		r.byID, r.steps = map[string]*proc{}, map[string]Step{}
		r.state = filepath.Join(r.Home, ".doctest-session")
	}
	for _, st := range steps {
		if id := st.Args["id"]; id != "" {
			r.steps[id] = st
		}
		if err := r.step(ctx, st); err != nil {
			return fmt.Errorf("line %d (%s): %w", st.Line, st.Kind, err)
		}
	}
	return nil
}

func (r *Runner) logf(format string, args ...any) {
	if r.Log != nil {
		r.Log(format, args...)
	}
}

// step runs one step.
func (r *Runner) step(ctx context.Context, st Step) error {
	r.logf("line %d: %s %v", st.Line, st.Kind, st.Args)
	switch st.Kind {
	case "run":
		return r.run(ctx, st)
	case "background":
		return r.background(ctx, st)
	case "file":
		// Written by the session, so that it lands in the directory the
		// reader is in.
		w := st
		w.Body = fmt.Sprintf("cat > %q <<'__DOCTEST_EOF'\n%s__DOCTEST_EOF\n", st.Args["file"], st.Body)
		return r.run(ctx, w)
	case "gateway":
		gw := st
		gw.Body = fmt.Sprintf("exec bin/mediagate run -c %q\n", st.Args["gateway"])
		gw.Args = map[string]string{"id": "gateway", "ready": st.Args["ready"], "newshell": ""}
		if gw.Args["ready"] == "" {
			gw.Args["ready"] = DefaultReady
		}
		if p := r.byID["gateway"]; p != nil {
			if err := r.stop(p); err != nil {
				return err
			}
		}
		return r.background(ctx, gw)
	case "stop":
		return r.stopArg(st.Args["stop"])
	case "restart":
		p := r.byID[st.Args["restart"]]
		if p == nil {
			return fmt.Errorf("no background block %q", st.Args["restart"])
		}
		if err := r.stop(p); err != nil {
			return err
		}
		return r.background(ctx, p.step)
	case "await":
		return r.await(st)
	case "rerun":
		prev, ok := r.steps[st.Args["rerun"]]
		if !ok {
			return fmt.Errorf("no step with id %q before", st.Args["rerun"])
		}
		return r.step(ctx, prev)
	}
	return fmt.Errorf("unknown step kind %q", st.Kind)
}

// duration returns the marker's key as a duration, or def.
func duration(st Step, key string, def time.Duration) time.Duration {
	if d, err := time.ParseDuration(st.Args[key]); err == nil {
		return d
	}
	return def
}

// run runs a block to its end, again until it passes with retry.
func (r *Runner) run(ctx context.Context, st Step) error {
	until := time.Now().Add(duration(st, "retry", 0))
	for {
		out, err := r.runOnce(ctx, st)
		if err == nil {
			if re, ok := st.Args["expect"]; ok && !regexp.MustCompile(re).Match(out) {
				err = fmt.Errorf("output does not match %q", re)
			}
		}
		if err == nil {
			return nil
		}
		if time.Now().After(until) || ctx.Err() != nil {
			return fmt.Errorf("%w\n--- output:\n%s", err, out)
		}
		time.Sleep(500 * time.Millisecond)
	}
}

// runOnce runs a block once within its timeout.
func (r *Runner) runOnce(ctx context.Context, st Step) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, duration(st, "timeout", DefaultTimeout))
	defer cancel()
	p, err := r.start(st, true)
	if err != nil {
		return nil, err
	}
	select {
	case <-p.done:
	case <-ctx.Done():
		_ = killGroup(p, stopGrace)
		return p.out.Bytes(), fmt.Errorf("still running after %v", duration(st, "timeout", DefaultTimeout))
	}
	return p.out.Bytes(), p.err
}

// background starts a block and waits for ready=, if given.
func (r *Runner) background(ctx context.Context, st Step) error {
	p, err := r.start(st, false)
	if err != nil {
		return err
	}
	r.running = append(r.running, p)
	if id := st.Args["id"]; id != "" {
		r.byID[id] = p
	}
	url := st.Args["ready"]
	if url == "" {
		return nil
	}
	deadline := time.Now().Add(duration(st, "timeout", DefaultTimeout))
	client := &http.Client{Timeout: time.Second}
	for {
		if resp, err := client.Get(url); err == nil {
			resp.Body.Close()
			return nil
		}
		select {
		case <-p.done:
			return fmt.Errorf("exited before %s answered (%v)\n--- output:\n%s", url, p.err, p.out.Bytes())
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s did not answer\n--- output:\n%s", url, p.out.Bytes())
		}
	}
}

// await waits until a background block's output matches expect=.
func (r *Runner) await(st Step) error {
	p := r.byID[st.Args["await"]]
	if p == nil {
		return fmt.Errorf("no background block %q", st.Args["await"])
	}
	re := regexp.MustCompile(st.Args["expect"])
	deadline := time.Now().Add(duration(st, "timeout", DefaultTimeout))
	for !re.Match(p.out.Bytes()) {
		if time.Now().After(deadline) {
			return fmt.Errorf("output of %q does not match %q\n--- output:\n%s", st.Args["await"], re, p.out.Bytes())
		}
		time.Sleep(100 * time.Millisecond)
	}
	return nil
}

// stopArg stops the background block id, or without one the last still
// running.
func (r *Runner) stopArg(id string) error {
	if id != "" {
		p := r.byID[id]
		if p == nil {
			return fmt.Errorf("no background block %q", id)
		}
		return r.stop(p)
	}
	for i := len(r.running) - 1; i >= 0; i-- {
		if p := r.running[i]; !p.stopped() {
			return r.stop(p)
		}
	}
	return errors.New("nothing running to stop")
}

// stop ends a background block. It must still be running, or have exited
// 0: a sender that died at once is a page that does not work.
func (r *Runner) stop(p *proc) error {
	for i, q := range r.running {
		if q == p {
			r.running = append(r.running[:i], r.running[i+1:]...)
			break
		}
	}
	if p.stopped() {
		if p.err != nil {
			return fmt.Errorf("background block of line %d exited: %v\n--- output:\n%s", p.step.Line, p.err, p.out.Bytes())
		}
		return nil
	}
	return killGroup(p, stopGrace)
}

// Close stops every background block still running and reports the
// first that had failed.
func (r *Runner) Close() error {
	var errs []error
	for len(r.running) > 0 {
		errs = append(errs, r.stop(r.running[len(r.running)-1]))
	}
	return errors.Join(errs...)
}

func (p *proc) stopped() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// killGroup ends p's process group: SIGTERM (the gateway drains on it),
// then SIGKILL after grace.
func killGroup(p *proc, grace time.Duration) error {
	_ = syscall.Kill(-p.cmd.Process.Pid, syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(grace):
		_ = syscall.Kill(-p.cmd.Process.Pid, syscall.SIGKILL)
		<-p.done
	}
	return nil
}

// start runs a block under bash in a process group of its own.
func (r *Runner) start(st Step, save bool) (*proc, error) {
	script := r.script(st, save)
	cmd := exec.Command("bash", "-c", script)
	cmd.Dir = r.Dir
	cmd.Env = append(os.Environ(), "HOME="+r.Home, "DOCTEST_STATE="+r.state)
	out := &boundedBuffer{}
	cmd.Stdout, cmd.Stderr = out, out
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	p := &proc{step: st, cmd: cmd, out: out, done: make(chan struct{})}
	go func() {
		p.err = cmd.Wait()
		close(p.done)
	}()
	return p, nil
}

// sessionSave writes the variables the session set (those bash did not
// start with) and its directory to $DOCTEST_STATE when the block ends.
const sessionSave = `__doctest_save() {
  { for __doctest_v in $(compgen -v); do
      case "$__doctest_base" in *" $__doctest_v "*) continue ;; esac
      case "$__doctest_v" in __doctest_*) continue ;; esac
      declare -p "$__doctest_v" 2>/dev/null || true
    done
    printf 'cd %q\n' "$PWD"
  } > "$DOCTEST_STATE.new" && mv "$DOCTEST_STATE.new" "$DOCTEST_STATE"
}
trap __doctest_save EXIT
`

// script wraps a block: the session's state first (unless newshell),
// then set -e so that any failing command fails the block, as a reader
// would notice; a run block saves the state it leaves.
func (r *Runner) script(st Step, save bool) string {
	var b bytes.Buffer
	b.WriteString("__doctest_base=\" $(compgen -v | tr '\\n' ' ') \"\n")
	if _, fresh := st.Args["newshell"]; !fresh {
		b.WriteString("if [ -f \"$DOCTEST_STATE\" ]; then . \"$DOCTEST_STATE\"; fi\n")
	}
	if save {
		b.WriteString(sessionSave)
	}
	b.WriteString("set -e\n")
	b.WriteString(st.Body)
	return b.String()
}

// boundedBuffer keeps the first maxOutput bytes written to it.
type boundedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *boundedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if room := maxOutput - b.buf.Len(); room > 0 {
		b.buf.Write(p[:min(len(p), room)])
	}
	return len(p), nil
}

// Bytes returns a copy of what was written.
func (b *boundedBuffer) Bytes() []byte {
	b.mu.Lock()
	defer b.mu.Unlock()
	return bytes.Clone(b.buf.Bytes())
}
