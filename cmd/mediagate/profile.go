//go:build pprof

package main

import (
	"fmt"
	"net"
	"net/http"
	"os"
	"runtime"
	"runtime/pprof"
	"strconv"
	"time"
)

// profileEnv names the loopback address a binary built with the pprof tag
// serves profiles on: bench/fanout -cpuprofile builds it so, to profile the
// gateway over its measurement window alone. The release binary has no such
// listener.
const profileEnv = "MEDIAGATE_PPROF"

// memRateEnv, when set, is the bytes between heap samples
// (runtime.MemProfileRate; 512 KiB by default): a small rate shows what
// each viewer holds.
const memRateEnv = "MEDIAGATE_MEMPROFILERATE"

func init() {
	addr := os.Getenv(profileEnv)
	if addr == "" {
		return
	}
	if rate, err := strconv.Atoi(os.Getenv(memRateEnv)); err == nil && rate > 0 {
		runtime.MemProfileRate = rate
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		fmt.Fprintf(os.Stderr, "mediagate: %s: %v\n", profileEnv, err)
		return
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /cpu", serveCPUProfile)
	mux.HandleFunc("GET /allocs", serveAllocsProfile)
	mux.HandleFunc("GET /goroutine", serveGoroutines)
	mux.HandleFunc("GET /memstats", serveMemStats)
	go func() { _ = http.Serve(ln, mux) }()
}

// serveCPUProfile writes a CPU profile of the next ?seconds=N seconds.
func serveCPUProfile(w http.ResponseWriter, r *http.Request) {
	secs, err := strconv.ParseFloat(r.URL.Query().Get("seconds"), 64)
	if err != nil || secs <= 0 {
		http.Error(w, "seconds: want a positive number", http.StatusBadRequest)
		return
	}
	if err := pprof.StartCPUProfile(w); err != nil {
		http.Error(w, err.Error(), http.StatusConflict)
		return
	}
	time.Sleep(time.Duration(secs * float64(time.Second)))
	pprof.StopCPUProfile()
}

// serveAllocsProfile writes the allocations since the start; two of them
// taken around a window diff into the window's allocations
// (go tool pprof -diff_base).
func serveAllocsProfile(w http.ResponseWriter, _ *http.Request) {
	_ = pprof.Lookup("allocs").WriteTo(w, 0)
}

// serveGoroutines writes every goroutine's stack, grouped (debug=1), to see
// which goroutines a viewer costs.
func serveGoroutines(w http.ResponseWriter, _ *http.Request) {
	_ = pprof.Lookup("goroutine").WriteTo(w, 1)
}

// serveMemStats writes the heap profile in its text form, which ends with
// runtime.MemStats: heap in use, stacks, what the runtime holds back.
func serveMemStats(w http.ResponseWriter, _ *http.Request) {
	runtime.GC()
	_ = pprof.Lookup("heap").WriteTo(w, 1)
}
