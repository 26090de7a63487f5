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
// A server that was not measured has NaN.
type row struct {
	viewers int
	metric  string
	values  map[string]float64
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

// Metric names as printed.
const (
	metricIdle     = "µs CPU per packet in, no viewers"
	metricPerPkt   = "µs CPU per packet per viewer"
	metricMemory   = "KiB per viewer"
	metricJoin     = "ms CPU per join"
	metricDelivery = "delivery ratio"
)

// buildRows turns the idle baselines and the per-count results into report
// rows, ordered by viewer count and then metric.
func buildRows(idle map[string]time.Duration, results []result, counts []int) []row {
	rows := []row{{viewers: 0, metric: metricIdle, values: map[string]float64{}}}
	for srv, d := range idle {
		rows[0].values[srv] = micros(d)
	}
	for _, n := range counts {
		byMetric := map[string]row{}
		order := []string{metricPerPkt, metricMemory, metricJoin, metricDelivery}
		for _, m := range order {
			byMetric[m] = row{viewers: n, metric: m, values: map[string]float64{}}
		}
		for _, r := range results {
			if r.viewers != n {
				continue
			}
			byMetric[metricPerPkt].values[r.server] = micros(r.cpuPerPkt)
			byMetric[metricMemory].values[r.server] = r.rssPerView / 1024
			byMetric[metricJoin].values[r.server] = float64(r.joinCPU) / float64(time.Millisecond)
			byMetric[metricDelivery].values[r.server] = r.delivery
		}
		for _, m := range order {
			rows = append(rows, byMetric[m])
		}
	}
	return rows
}

// micros converts d to microseconds.
func micros(d time.Duration) float64 { return float64(d) / float64(time.Microsecond) }

// printTable writes rows as a plain-text table: the metric column aligned
// left, numbers aligned right.
func printTable(w io.Writer, rows []row) error {
	cells := [][]string{{"viewers", "metric", colMediagate, colJanus, "ratio (" + colMediagate + "/" + colJanus + ")"}}
	for _, r := range rows {
		cells = append(cells, []string{strconv.Itoa(r.viewers), r.metric,
			format(r.value(colMediagate)), format(r.value(colJanus)), format(r.ratio())})
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
	_ = w.Write([]string{"viewers", "metric", colMediagate, colJanus, "ratio"})
	for _, r := range rows {
		_ = w.Write([]string{strconv.Itoa(r.viewers), r.metric,
			csvNum(r.value(colMediagate)), csvNum(r.value(colJanus)), csvNum(r.ratio())})
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
