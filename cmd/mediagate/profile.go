//go:build pprof

package main

import (
	"fmt"
	"net"
	"net/http"
	"os"
	"runtime/pprof"
	"strconv"
	"time"
)

// profileEnv names the loopback address a binary built with the pprof tag
// serves profiles on: bench/fanout -cpuprofile builds it so, to profile the
// gateway over its measurement window alone. The release binary has no such
// listener.
const profileEnv = "MEDIAGATE_PPROF"

func init() {
	addr := os.Getenv(profileEnv)
	if addr == "" {
		return
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		fmt.Fprintf(os.Stderr, "mediagate: %s: %v\n", profileEnv, err)
		return
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /cpu", serveCPUProfile)
	mux.HandleFunc("GET /allocs", serveAllocsProfile)
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
