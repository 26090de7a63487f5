package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sys/unix"
)

// defaultClockTicks is USER_HZ on every Linux this benchmark targets; it is
// the fallback when `getconf CLK_TCK` cannot be run.
const defaultClockTicks = 100

// procReader reads a process's CPU time and resident memory.
//
// CPU time is the process's CPU-time clock (clock_getcpuclockid(3)): the
// scheduler's runtime of every thread of the process, including threads that
// have exited, in nanoseconds. utime+stime of /proc/<pid>/stat is the same
// quantity split in two and rounded to clock ticks (10 ms), too coarse for a
// 3-second window; it is the fallback when the clock cannot be read.
type procReader struct {
	// ticks is the number of clock ticks per second (CLK_TCK) that
	// /proc/<pid>/stat counts in.
	ticks int64
}

// newProcReader asks `getconf CLK_TCK` for the clock-tick rate and falls back
// to 100 when getconf is unavailable.
func newProcReader(ctx context.Context) procReader {
	out, err := exec.CommandContext(ctx, "getconf", "CLK_TCK").Output()
	if err != nil {
		return procReader{ticks: defaultClockTicks}
	}
	n, err := strconv.ParseInt(strings.TrimSpace(string(out)), 10, 64)
	if err != nil || n <= 0 {
		return procReader{ticks: defaultClockTicks}
	}
	return procReader{ticks: n}
}

// cpu returns the CPU time (user + system) pid has consumed so far.
func (r procReader) cpu(pid int) (time.Duration, error) {
	if d, err := cpuClock(pid); err == nil {
		return d, nil
	}
	return r.statCPU(pid)
}

// cpuClock reads pid's process-wide CPU-time clock. Its clock id is the one
// glibc's clock_getcpuclockid builds: (^pid << 3) | CPUCLOCK_SCHED, without
// the per-thread bit (Linux include/linux/posix-timers.h).
func cpuClock(pid int) (time.Duration, error) {
	const cpuClockSched = 2
	id := int32(^pid)<<3 | cpuClockSched
	var ts unix.Timespec
	if err := unix.ClockGettime(id, &ts); err != nil {
		return 0, fmt.Errorf("CPU clock of %d: %w", pid, err)
	}
	return time.Duration(ts.Nano()), nil
}

// statCPU returns utime+stime of /proc/<pid>/stat.
func (r procReader) statCPU(pid int) (time.Duration, error) {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, fmt.Errorf("read stat of %d: %w", pid, err)
	}
	utime, stime, err := parseStatTimes(raw)
	if err != nil {
		return 0, fmt.Errorf("/proc/%d/stat: %w", pid, err)
	}
	return time.Duration(utime+stime) * time.Second / time.Duration(r.ticks), nil
}

// parseStatTimes extracts utime and stime (fields 14 and 15, in clock ticks)
// from the contents of /proc/<pid>/stat. The command name (field 2) may
// contain spaces and parentheses, so fields are counted from the last ')'.
func parseStatTimes(stat []byte) (utime, stime int64, err error) {
	end := bytes.LastIndexByte(stat, ')')
	if end < 0 {
		return 0, 0, errStatFormat
	}
	// After ')' come fields 3 (state) onwards: utime is the 12th of them.
	fields := strings.Fields(string(stat[end+1:]))
	const utimeIdx, stimeIdx = 14 - 3, 15 - 3
	if len(fields) <= stimeIdx {
		return 0, 0, errStatFormat
	}
	if utime, err = strconv.ParseInt(fields[utimeIdx], 10, 64); err != nil {
		return 0, 0, fmt.Errorf("utime: %w", errStatFormat)
	}
	if stime, err = strconv.ParseInt(fields[stimeIdx], 10, 64); err != nil {
		return 0, 0, fmt.Errorf("stime: %w", errStatFormat)
	}
	return utime, stime, nil
}

// rss returns pid's resident set size in bytes (VmRSS of /proc/<pid>/status).
func (procReader) rss(pid int) (int64, error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, fmt.Errorf("open status of %d: %w", pid, err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		rest, ok := strings.CutPrefix(sc.Text(), "VmRSS:")
		if !ok {
			continue
		}
		kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
		if err != nil {
			return 0, fmt.Errorf("VmRSS of %d: %w", pid, errStatFormat)
		}
		return kb << 10, nil
	}
	if err := sc.Err(); err != nil {
		return 0, fmt.Errorf("read status of %d: %w", pid, err)
	}
	return 0, fmt.Errorf("no VmRSS for %d: %w", pid, errStatFormat)
}

// comm returns the command name of pid (/proc/<pid>/comm).
func (procReader) comm(pid int) (string, error) {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/comm", pid))
	if err != nil {
		return "", fmt.Errorf("read comm of %d: %w", pid, err)
	}
	return strings.TrimSpace(string(raw)), nil
}
