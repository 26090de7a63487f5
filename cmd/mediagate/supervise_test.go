package main

import (
	"context"
	"errors"
	"log/slog"
	"os"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"testing/synctest"
	"time"

	"mediagate.dev/mediagate/gateway/config"
)

// fakeGateway is the service a supervisor runs in these tests.
type fakeGateway struct {
	mu      sync.Mutex
	stuck   []string
	reloads []*config.Config
	block   chan struct{} // when set, Reload waits for it
	entered chan struct{} // receives once per Reload call
}

func (f *fakeGateway) Run(ctx context.Context) error { <-ctx.Done(); return nil }
func (f *fakeGateway) Status() string                { return "1 streams (1 up), 2 viewers" }
func (f *fakeGateway) Notes() []string               { return nil }

func (f *fakeGateway) StuckLoops() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.stuck)
}

func (f *fakeGateway) Reload(cfg *config.Config) error {
	if f.entered != nil {
		f.entered <- struct{}{}
	}
	if f.block != nil {
		<-f.block
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.reloads = append(f.reloads, cfg)
	return nil
}

func (f *fakeGateway) reloadCount() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.reloads)
}

// recorder keeps every sd_notify message the supervisor sends.
type recorder struct {
	mu   sync.Mutex
	msgs []string
}

func (r *recorder) send(state string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.msgs = append(r.msgs, state)
	return nil
}

// since returns the messages from index i on.
func (r *recorder) since(i int) []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.msgs[min(i, len(r.msgs)):])
}

func (r *recorder) len() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.msgs)
}

// harness runs a supervisor over f until the test ends.
type harness struct {
	rec    *recorder
	hup    chan os.Signal
	cancel context.CancelFunc
	done   chan error
}

func startSupervisor(t *testing.T, f *fakeGateway, watchdog time.Duration, load func(string) (*config.Config, error)) *harness {
	t.Helper()
	h := &harness{rec: &recorder{}, hup: make(chan os.Signal, 1), done: make(chan error, 1)}
	log := slog.New(slog.DiscardHandler)
	s := &supervisor{gw: f, path: "/etc/mediagate/mediagate.toml", log: log,
		n: &notifier{log: log, send: h.rec.send}, watchdog: watchdog, load: load}
	ctx, cancel := context.WithCancel(context.Background())
	h.cancel = cancel
	go func() { h.done <- s.run(ctx, h.hup) }()
	t.Cleanup(func() {
		cancel()
		<-h.done
	})
	return h
}

func goodLoad(string) (*config.Config, error) { return config.Default(), nil }

func countWith(msgs []string, assignment string) int {
	n := 0
	for _, m := range msgs {
		if slices.Contains(strings.Split(m, "\n"), assignment) {
			n++
		}
	}
	return n
}

func TestSupervisorWatchdogOnlyWhileLoopsAlive(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := &fakeGateway{}
		h := startSupervisor(t, f, 2*time.Second, goodLoad)
		time.Sleep(5 * time.Second) // ticks at 1s … 5s
		synctest.Wait()
		msgs := h.rec.since(0)
		if !strings.HasPrefix(msgs[0], "READY=1\nSTATUS=1 streams (1 up), 2 viewers") {
			t.Fatalf("first message %q, want READY=1 with STATUS", msgs[0])
		}
		if n := countWith(msgs, "WATCHDOG=1"); n != 5 {
			t.Errorf("%d WATCHDOG=1 in 5s at WatchdogSec=2s, want 5", n)
		}

		f.mu.Lock()
		f.stuck = []string{"cam1/rtp"}
		f.mu.Unlock()
		mark := h.rec.len()
		time.Sleep(5 * time.Second)
		synctest.Wait()
		msgs = h.rec.since(mark)
		if n := countWith(msgs, "WATCHDOG=1"); n != 0 {
			t.Errorf("%d WATCHDOG=1 while a loop is stuck, want 0", n)
		}
		if last := msgs[len(msgs)-1]; !strings.Contains(last, "media loops stuck: cam1/rtp") {
			t.Errorf("STATUS while stuck: %q", last)
		}
	})
}

func TestSupervisorReload(t *testing.T) {
	tests := []struct {
		name       string
		load       func(string) (*config.Config, error)
		wantReload int
		wantStatus string
	}{
		{"good file", goodLoad, 1, "STATUS=1 streams (1 up), 2 viewers"},
		{"broken file", func(string) (*config.Config, error) {
			return nil, errors.New("line 3, column 1: expected a key\nhttp.listen: bad")
		}, 0, "STATUS=1 streams (1 up), 2 viewers; reload failed, running on the previous config: " +
			"line 3, column 1: expected a key; http.listen: bad"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				f := &fakeGateway{}
				h := startSupervisor(t, f, 0, tt.load)
				synctest.Wait()
				mark := h.rec.len()
				h.hup <- syscall.SIGHUP
				synctest.Wait()
				msgs := h.rec.since(mark)
				if len(msgs) != 2 || !strings.HasPrefix(msgs[0], "RELOADING=1\nMONOTONIC_USEC=") {
					t.Fatalf("messages %q, want RELOADING=1 then READY=1", msgs)
				}
				if want := "READY=1\n" + tt.wantStatus; msgs[1] != want {
					t.Errorf("after reload %q, want %q", msgs[1], want)
				}
				if got := f.reloadCount(); got != tt.wantReload {
					t.Errorf("Reload called %d times, want %d", got, tt.wantReload)
				}
			})
		})
	}
}

// TestSupervisorCoalescesReloads sends five SIGHUPs during a reload, as
// signal.Notify delivers them (non-blocking, into a buffer of one): they
// fold into a single further reload.
func TestSupervisorCoalescesReloads(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := &fakeGateway{block: make(chan struct{}), entered: make(chan struct{}, 8)}
		h := startSupervisor(t, f, 0, goodLoad)
		h.hup <- syscall.SIGHUP
		<-f.entered
		for range 5 {
			select {
			case h.hup <- syscall.SIGHUP:
			default:
			}
		}
		f.block <- struct{}{}
		<-f.entered
		f.block <- struct{}{}
		synctest.Wait()
		if got := f.reloadCount(); got != 2 {
			t.Errorf("%d reloads for 6 SIGHUPs sent during one, want 2", got)
		}
	})
}

func TestSupervisorStopsWithStopping(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := startSupervisor(t, &fakeGateway{}, 0, goodLoad)
		synctest.Wait()
		h.cancel()
		if err := <-h.done; err != nil {
			t.Fatalf("run: %v", err)
		}
		h.done <- nil // for the cleanup
		msgs := h.rec.since(0)
		last := msgs[len(msgs)-1]
		if !strings.HasPrefix(last, "STOPPING=1\nSTATUS=stopping: draining 1 streams (1 up), 2 viewers") {
			t.Errorf("last message %q, want STOPPING=1 with the drain status", last)
		}
	})
}
