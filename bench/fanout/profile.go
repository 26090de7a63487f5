package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"time"
)

// profileTag is the build tag that gives mediagate its profile listener
// (cmd/mediagate/profile.go), and profileEnv the variable that turns it on
// at an address.
const (
	profileTag = "pprof"
	profileEnv = "MEDIAGATE_PPROF"
)

// profiles says where to write mediagate's profiles over each measurement
// window: the CPU profile of the window, and the allocations profile at its
// start and end (go tool pprof -sample_index=alloc_objects -diff_base
// MEM.start MEM shows the window's allocations). Empty paths take none.
type profiles struct {
	cpu    string
	mem    string
	counts []int // the viewer counts measured, which name the files
}

func (p profiles) enabled() bool { return p.cpu != "" || p.mem != "" }

// path returns the file for viewer count n: base itself when one count is
// measured, base.<n> otherwise.
func (p profiles) path(base string, n int) string {
	if base == "" || len(p.counts) == 1 {
		return base
	}
	return base + "." + strconv.Itoa(n)
}

// profiler is a server that profiles itself over a measurement window.
type profiler interface {
	// startProfile starts the profiles of a window of n viewers that
	// begins now; the function it returns waits for them and writes them.
	// It returns nil when the server takes no profiles.
	startProfile(ctx context.Context, window time.Duration, n int) func() error
}

// startProfile asks the gateway's profile listener for the window's CPU
// profile and an allocations snapshot, and returns the wait for the rest.
func (m *mediagate) startProfile(ctx context.Context, window time.Duration, n int) func() error {
	if m.profAddr == "" {
		return nil
	}
	cpuPath, memPath := m.prof.path(m.prof.cpu, n), m.prof.path(m.prof.mem, n)
	cpuDone := make(chan error, 1)
	if cpuPath != "" {
		go func() {
			cpuDone <- m.fetchProfile(ctx, fmt.Sprintf("/cpu?seconds=%g", window.Seconds()), cpuPath)
		}()
	} else {
		cpuDone <- nil
	}
	var startErr error
	if memPath != "" {
		startErr = m.fetchProfile(ctx, "/allocs", memPath+".start")
	}
	return func() error {
		err := startErr
		for _, p := range []struct{ query, suffix string }{{"/allocs", ""}, {"/goroutine", ".goroutine"}, {"/memstats", ".memstats"}} {
			if memPath != "" && err == nil {
				err = m.fetchProfile(ctx, p.query, memPath+p.suffix)
			}
		}
		if cerr := <-cpuDone; err == nil {
			err = cerr
		}
		return err
	}
}

// fetchProfile GETs one profile from the gateway's profile listener into
// path.
func (m *mediagate) fetchProfile(ctx context.Context, query, path string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+m.profAddr+query, nil)
	if err != nil {
		return fmt.Errorf("profile request: %w", err)
	}
	resp, err := (&http.Client{}).Do(req) // no timeout: a CPU profile takes the window
	if err != nil {
		return fmt.Errorf("profile %s: %w", query, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("profile %s: %s: %w", query, resp.Status, errProfile)
	}
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("profile file: %w", err)
	}
	if _, err := io.Copy(f, resp.Body); err != nil {
		f.Close()
		return fmt.Errorf("profile %s: %w", query, err)
	}
	return f.Close()
}
