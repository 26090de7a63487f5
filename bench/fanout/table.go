package main

import (
	"encoding/csv"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Server column names, in table order; the ratio is first / second.
const (
	colMediagate = "mediagate"
	colJanus     = "janus"
)

// row is one line of the report: a metric at a viewer count, per server.
// A server that was not measured has NaN; one that could not be (a count
// it could not host) is in skipped too, with the reason.
type row struct {
	viewers int
	metric  string
	values  map[string]float64
	skipped map[string]string
}

// ratio returns mediagate / janus, or NaN when either is missing or janus's
// value is zero.
func (r row) ratio() float64 {
	m, j := r.value(colMediagate), r.value(colJanus)
	if math.IsNaN(m) || math.IsNaN(j) || j == 0 {
		return math.NaN()
	}
	return m / j
}

// value returns a server's value, NaN when it has none.
func (r row) value(server string) float64 {
	if v, ok := r.values[server]; ok {
		return v
	}
	return math.NaN()
}

// cell prints a server's value: "n/m" when it could not be measured.
func (r row) cell(server string) string {
	if r.skipped[server] != "" {
		return "n/m"
	}
	return format(r.value(server))
}

// note says which servers could not be measured and why ("" when all were).
func (r row) note() string {
	var notes []string
	for _, srv := range []string{colMediagate, colJanus} {
		if why := r.skipped[srv]; why != "" {
			notes = append(notes, srv+" not measured: "+why)
		}
	}
	return strings.Join(notes, "; ")
}

// printNotes lists, under the table, each count a server could not be
// measured at and why.
func printNotes(w io.Writer, rows []row) error {
	seen := map[int]bool{}
	var b strings.Builder
	for _, r := range rows {
		if n := r.note(); n != "" && !seen[r.viewers] {
			seen[r.viewers] = true
			fmt.Fprintf(&b, "n/m at %d viewers: %s\n", r.viewers, n)
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// Metric names as printed.
const (
	metricIdle     = "µs CPU per packet in, no viewers"
	metricPerPkt   = "µs CPU per packet per viewer"
	metricMemory   = "KiB per viewer"
	metricJoin     = "ms CPU per join"
	metricDelivery = "delivery ratio (received / numbered)"
	metricLatP50   = "ms added latency p50 (tee → viewer's socket)"
	metricLatP99   = "ms added latency p99 (tee → viewer's socket)"
	metricReadP99  = "ms latency p99 at the viewer's read (informative)"
)

// perCountMetrics are the rows of each viewer count, in order.
var perCountMetrics = []string{metricPerPkt, metricMemory, metricJoin, metricDelivery, metricLatP50, metricLatP99, metricReadP99}

// buildRows turns the idle baselines and the per-count results into report
// rows, ordered by viewer count and then metric, with the derived capacity
// (capacity.go) after the metrics of each count it is derived from.
func buildRows(idle map[string]time.Duration, results []result, counts []int, cpus int) []row {
	rows := []row{newRow(0, metricIdle)}
	for srv, d := range idle {
		rows[0].values[srv] = micros(d)
	}
	for _, n := range counts {
		byMetric := map[string]row{}
		for _, m := range perCountMetrics {
			byMetric[m] = newRow(n, m)
		}
		for _, r := range results {
			if r.viewers != n {
				continue
			}
			if r.skipped != "" {
				for _, m := range perCountMetrics {
					byMetric[m].skipped[r.server] = r.skipped
				}
				continue
			}
			if r.starved != "" {
				byMetric[metricPerPkt].skipped[r.server] = r.starved
			} else {
				byMetric[metricPerPkt].values[r.server] = micros(r.cpuPerPkt)
			}
			byMetric[metricMemory].values[r.server] = r.rssPerView / 1024
			byMetric[metricJoin].values[r.server] = millis(r.joinCPU)
			byMetric[metricDelivery].values[r.server] = r.numbered
			byMetric[metricLatP50].values[r.server] = millis(r.latP50)
			byMetric[metricLatP99].values[r.server] = millis(r.latP99)
			byMetric[metricReadP99].values[r.server] = millis(r.readP99)
		}
		for _, m := range perCountMetrics {
			rows = append(rows, byMetric[m])
		}
		if capacityFrom(n) {
			rows = append(rows, capacityRow(byMetric[metricPerPkt], cpus))
		}
	}
	return rows
}

// newRow returns an empty row.
func newRow(viewers int, metric string) row {
	return row{viewers: viewers, metric: metric, values: map[string]float64{}, skipped: map[string]string{}}
}

// millis converts d to milliseconds.
func millis(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// micros converts d to microseconds.
func micros(d time.Duration) float64 { return float64(d) / float64(time.Microsecond) }

// printTable writes rows as a plain-text table: the metric column aligned
// left, numbers aligned right.
func printTable(w io.Writer, rows []row) error {
	cells := [][]string{{"viewers", "metric", colMediagate, colJanus, "ratio (" + colMediagate + "/" + colJanus + ")"}}
	for _, r := range rows {
		cells = append(cells, []string{strconv.Itoa(r.viewers), r.metric,
			r.cell(colMediagate), r.cell(colJanus), format(r.ratio())})
	}
	widths := make([]int, len(cells[0]))
	for _, line := range cells {
		for i, c := range line {
			widths[i] = max(widths[i], utf8.RuneCountInString(c))
		}
	}
	var b strings.Builder
	for _, line := range cells {
		for i, c := range line {
			pad := strings.Repeat(" ", widths[i]-utf8.RuneCountInString(c))
			if i == 1 {
				b.WriteString(c + pad)
			} else {
				b.WriteString(pad + c)
			}
			if i < len(line)-1 {
				b.WriteString("  ")
			}
		}
		b.WriteByte('\n')
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// writeCSV writes rows to dir/fanout.csv and returns the file's path.
func writeCSV(dir string, rows []row) (string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("output dir: %w", err)
	}
	path := filepath.Join(dir, "fanout.csv")
	f, err := os.Create(path)
	if err != nil {
		return "", fmt.Errorf("create csv: %w", err)
	}
	w := csv.NewWriter(f)
	_ = w.Write([]string{"viewers", "metric", colMediagate, colJanus, "ratio", "note"})
	for _, r := range rows {
		_ = w.Write([]string{strconv.Itoa(r.viewers), r.metric,
			csvNum(r.value(colMediagate)), csvNum(r.value(colJanus)), csvNum(r.ratio()), r.note()})
	}
	w.Flush()
	if err := w.Error(); err != nil {
		f.Close()
		return "", fmt.Errorf("write csv: %w", err)
	}
	if err := f.Close(); err != nil {
		return "", fmt.Errorf("close csv: %w", err)
	}
	return path, nil
}

// format prints v with three significant decimals, "-" for a missing value.
func format(v float64) string {
	if math.IsNaN(v) {
		return "-"
	}
	return strconv.FormatFloat(v, 'f', 3, 64)
}

// csvNum is format for the CSV: an empty cell for a missing value.
func csvNum(v float64) string {
	if math.IsNaN(v) {
		return ""
	}
	return strconv.FormatFloat(v, 'g', 6, 64)
}
