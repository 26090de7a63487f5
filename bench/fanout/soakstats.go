package main

import (
	"bufio"
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"
)

// soakSample is one row of the soak's time series.
type soakSample struct {
	at                time.Duration
	rssMB             float64
	goroutines        int
	viewers           int // viewers whose connection has not failed
	reloads, restarts int
}

// soakViewer is one viewer of the soak and its frame tally.
type soakViewer struct {
	v     *viewer
	tally frameTally
}

// dropped reports whether the viewer's connection failed or closed.
func (s *soakViewer) dropped() bool {
	select {
	case <-s.v.failed:
		return true
	default:
		return false
	}
}

// Frame accounting: the gateway rewrites every viewer's sequence numbers to
// run on without gaps (across camera restarts too), and a frame is the
// packets after the previous marker up to its own. A frame counts as lost
// when any of its sequence numbers never arrived, retransmissions (NACK)
// included, by the time the stream is tallyLag packets further on. A lost
// marker joins two frames into one lost frame, so the count errs low by at
// most the markers lost.
const (
	tallyWindow = 4096 // sequence numbers remembered
	tallyLag    = 1024 // about 5 s of a 1.5 Mbit/s stream: time for NACK
)

// frameTally counts one viewer's frames.
type frameTally struct {
	mu      sync.Mutex
	started bool
	top     int64 // highest extended sequence number
	got     [tallyWindow]bool
	markers []int64 // markers not yet judged, ascending
	lastEnd int64   // the marker that ended the last frame judged; -1 none
	packets int64
	frames  int64
	lost    int64
}

// add files one RTP packet as read by the viewer.
func (f *frameTally) add(b []byte) {
	if len(b) < 12 {
		return
	}
	seq, marker := uint16(b[2])<<8|uint16(b[3]), b[1]&0x80 != 0
	f.mu.Lock()
	defer f.mu.Unlock()
	f.packets++
	if !f.started {
		f.started, f.top, f.lastEnd = true, int64(seq), -1
	}
	ext := f.top + int64(int16(seq-uint16(f.top)))
	if ext > f.top {
		for e := f.top + 1; e <= ext && e <= f.top+tallyWindow; e++ {
			f.got[e%tallyWindow] = false
		}
		f.top = ext
	}
	if f.top-ext >= tallyWindow-tallyLag {
		return // too late to count
	}
	f.got[ext%tallyWindow] = true
	if marker {
		f.addMarker(ext)
	}
	f.judge()
}

// addMarker inserts a marker in order (a retransmitted marker may come late).
func (f *frameTally) addMarker(ext int64) {
	i := len(f.markers)
	for i > 0 && f.markers[i-1] >= ext {
		if f.markers[i-1] == ext {
			return
		}
		i--
	}
	f.markers = append(f.markers, 0)
	copy(f.markers[i+1:], f.markers[i:])
	f.markers[i] = ext
}

// judge counts the frames whose last packet is tallyLag behind the top.
func (f *frameTally) judge() {
	for len(f.markers) > 0 && f.top-f.markers[0] >= tallyLag {
		end := f.markers[0]
		f.markers = f.markers[1:]
		if f.lastEnd >= 0 && end > f.lastEnd {
			f.frames++
			for e := f.lastEnd + 1; e <= end; e++ {
				if !f.got[e%tallyWindow] {
					f.lost++
					break
				}
			}
		}
		f.lastEnd = end
	}
}

// counts returns the packets, frames judged and frames lost.
func (f *frameTally) counts() (packets, frames, lost int64) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.packets, f.frames, f.lost
}

// dropRandom makes iptables in the namespace drop share (0 to 1) of the
// UDP leaving it toward the viewers (statistic match, mode random), and
// counts the rest with a second rule.
func (n *netns) dropRandom(ctx context.Context, share float64) error {
	rules := [][]string{
		{"-A", "OUTPUT", "-o", n.nsIf, "-p", "udp", "-m", "statistic", "--mode", "random",
			"--probability", strconv.FormatFloat(share, 'f', 4, 64), "-j", "DROP"},
		{"-A", "OUTPUT", "-o", n.nsIf, "-p", "udp", "-j", "ACCEPT"},
	}
	for _, r := range rules {
		argv := n.exec(append([]string{"iptables"}, r...)...)
		if out, err := exec.CommandContext(ctx, argv[0], argv[1:]...).CombinedOutput(); err != nil {
			return fmt.Errorf("iptables %s: %w: %s", strings.Join(r, " "), err, out)
		}
	}
	return nil
}

// lossCounters returns the packets the two rules of dropRandom dropped and
// let through.
func (n *netns) lossCounters(ctx context.Context) (dropped, passed int64) {
	argv := n.exec("iptables", "-L", "OUTPUT", "-v", "-x", "-n")
	out, err := exec.CommandContext(ctx, argv[0], argv[1:]...).Output()
	if err != nil {
		return 0, 0
	}
	for _, line := range strings.Split(string(out), "\n") {
		f := strings.Fields(line)
		if len(f) < 3 {
			continue
		}
		pkts, err := strconv.ParseInt(f[0], 10, 64)
		if err != nil {
			continue
		}
		switch f[2] {
		case "DROP":
			dropped += pkts
		case "ACCEPT":
			passed += pkts
		}
	}
	return dropped, passed
}

// findSample returns the value of series in a Prometheus text exposition.
func findSample(r io.Reader, series string) (float64, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), series+" "); ok {
			return strconv.ParseFloat(strings.TrimSpace(rest), 64)
		}
	}
	if err := sc.Err(); err != nil {
		return 0, err
	}
	return 0, fmt.Errorf("%s: %w", series, errStatFormat)
}

// soakReport is the soak's outcome.
type soakReport struct {
	s                     soakSettings
	series                []soakSample
	viewers, dropped      int
	packets, frames, lost int64
	worstLost             float64 // the worst viewer's share of frames lost
	injDropped, injPassed int64
	rssWarm, rssEnd       float64
}

// newSoakReport sums up the run.
func newSoakReport(s soakSettings, series []soakSample, views []*soakViewer, dropped, passed int64) *soakReport {
	rep := &soakReport{s: s, series: series, viewers: len(views), injDropped: dropped, injPassed: passed}
	for _, v := range views {
		if v.dropped() {
			rep.dropped++
		}
		p, f, l := v.tally.counts()
		rep.packets += p
		rep.frames += f
		rep.lost += l
		if f > 0 {
			rep.worstLost = max(rep.worstLost, float64(l)/float64(f))
		}
	}
	for _, p := range series {
		if rep.rssWarm == 0 && p.at >= s.warmup {
			rep.rssWarm = p.rssMB
		}
		rep.rssEnd = p.rssMB
	}
	return rep
}

// growth is the RSS growth after the warm-up, as a share.
func (rep *soakReport) growth() float64 {
	if rep.rssWarm == 0 {
		return 0
	}
	return rep.rssEnd/rep.rssWarm - 1
}

// print writes the summary.
func (rep *soakReport) print(w io.Writer) {
	injected := 0.0
	if total := rep.injDropped + rep.injPassed; total > 0 {
		injected = float64(rep.injDropped) / float64(total)
	}
	lostShare := 0.0
	if rep.frames > 0 {
		lostShare = float64(rep.lost) / float64(rep.frames)
	}
	fmt.Fprintf(w, "\nsoak: %v, %d viewers, %.1f%% random loss toward the viewers, a reload every %v, a camera restart every %v\n",
		rep.s.duration, rep.viewers, 100*rep.s.loss, rep.s.reloadEvery, rep.s.restartEvery)
	fmt.Fprintf(w, "  injected: %d of %d UDP packets dropped (%.2f%%)\n", rep.injDropped, rep.injDropped+rep.injPassed, 100*injected)
	fmt.Fprintf(w, "  viewers dropped: %d of %d\n", rep.dropped, rep.viewers)
	fmt.Fprintf(w, "  frames lost after retransmission: %d of %d (%.3f%%; worst viewer %.3f%%), %d packets received\n",
		rep.lost, rep.frames, 100*lostShare, 100*rep.worstLost, rep.packets)
	fmt.Fprintf(w, "  RSS: %.1f MiB after the %v warm-up, %.1f MiB at the end: %+.2f%% (goal under 5%%)\n",
		rep.rssWarm, rep.s.warmup, rep.rssEnd, 100*rep.growth())
	if n := len(rep.series); n > 0 {
		fmt.Fprintf(w, "  goroutines: %d at the first sample, %d at the last\n", rep.series[0].goroutines, rep.series[n-1].goroutines)
	}
}

// write writes soak.csv and soak.png into dir.
func (rep *soakReport) write(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	f, err := os.Create(filepath.Join(dir, "soak.csv"))
	if err != nil {
		return err
	}
	w := csv.NewWriter(f)
	_ = w.Write([]string{"seconds", "rss_mib", "goroutines", "viewers", "reloads", "restarts"})
	for _, p := range rep.series {
		_ = w.Write([]string{strconv.FormatFloat(p.at.Seconds(), 'f', 0, 64), strconv.FormatFloat(p.rssMB, 'f', 1, 64),
			strconv.Itoa(p.goroutines), strconv.Itoa(p.viewers), strconv.Itoa(p.reloads), strconv.Itoa(p.restarts)})
	}
	w.Flush()
	if err := w.Error(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	png := filepath.Join(dir, "soak.png")
	if err := writeSoakPlot(png, rep.series); err != nil {
		return err
	}
	fmt.Printf("  wrote %s and %s\n", filepath.Join(dir, "soak.csv"), png)
	return nil
}

// verdict fails the soak when a viewer dropped, or when a run of 10
// minutes or more grew its RSS by 5 % or more after the warm-up (a
// shorter run's growth is too noisy to judge, and is only reported).
func (rep *soakReport) verdict() error {
	if rep.dropped > 0 {
		return fmt.Errorf("%d of %d viewers dropped: %w", rep.dropped, rep.viewers, errViewer)
	}
	if rep.s.duration >= 10*time.Minute && rep.growth() >= 0.05 {
		return fmt.Errorf("RSS grew %.1f%% after the warm-up: %w", 100*rep.growth(), errSoak)
	}
	return nil
}
