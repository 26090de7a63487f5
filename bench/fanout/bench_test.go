package main

import (
	"image"
	"image/color"
	"image/png"
	"math"
	"os"
	"strings"
	"testing"
	"time"
)

func TestPerPacket(t *testing.T) {
	for _, tc := range []struct {
		name    string
		cpu     time.Duration
		packets uint64
		viewers int
		want    time.Duration
	}{
		{"one viewer", time.Second, 1000, 1, time.Millisecond},
		{"hundred viewers", time.Second, 1000, 100, 10 * time.Microsecond},
		{"no packets", time.Second, 0, 10, 0},
		{"no viewers", time.Second, 10, 0, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := perPacket(tc.cpu, tc.packets, tc.viewers); got != tc.want {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
}

func TestDeliveryRatio(t *testing.T) {
	for _, tc := range []struct {
		name        string
		a, z        []uint64
		in          uint64
		mean, worst float64
	}{
		{"all delivered", []uint64{0, 10}, []uint64{100, 110}, 100, 1, 1},
		{"one starved", []uint64{0, 0}, []uint64{100, 0}, 100, 0.5, 0},
		{"nothing in", []uint64{0}, []uint64{5}, 0, 0, 0},
		{"no viewers", nil, nil, 100, 0, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			mean, worst := deliveryRatio(tc.a, tc.z, tc.in)
			if mean != tc.mean || worst != tc.worst {
				t.Errorf("got %v/%v, want %v/%v", mean, worst, tc.mean, tc.worst)
			}
		})
	}
}

func TestRowRatio(t *testing.T) {
	for _, tc := range []struct {
		name   string
		values map[string]float64
		want   float64
	}{
		{"both", map[string]float64{colMediagate: 1, colJanus: 4}, 0.25},
		{"janus missing", map[string]float64{colMediagate: 1}, math.NaN()},
		{"janus zero", map[string]float64{colMediagate: 1, colJanus: 0}, math.NaN()},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := row{values: tc.values}.ratio()
			if got != tc.want && !(math.IsNaN(got) && math.IsNaN(tc.want)) {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
}

func TestPrintTable(t *testing.T) {
	idle := map[string]time.Duration{colMediagate: 2 * time.Microsecond, colJanus: 4 * time.Microsecond}
	results := []result{
		{server: colMediagate, viewers: 10, cpuPerPkt: time.Microsecond, rssPerView: 2048, joinCPU: 3 * time.Millisecond, delivery: 1, numbered: 1,
			latP50: 300 * time.Microsecond, latP99: 1500 * time.Microsecond, readP99: 2500 * time.Microsecond},
		{server: colJanus, viewers: 10, cpuPerPkt: 2 * time.Microsecond, rssPerView: 4096, joinCPU: 6 * time.Millisecond, delivery: 1, numbered: 1,
			latP50: 600 * time.Microsecond, latP99: 3 * time.Millisecond},
		{server: colMediagate, viewers: 500, cpuPerPkt: 5 * time.Microsecond, rssPerView: 1024, delivery: 1, numbered: 1},
		{server: colJanus, viewers: 500, skipped: "janus: 12 of 500 viewers failed to join"},
	}
	var b strings.Builder
	rows := buildRows(idle, results, []int{10, 500}, 2)
	if err := printTable(&b, rows); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")
	// header, idle, 7 metrics at 10, 7 metrics and the capacity at 500
	if len(lines) != 17 {
		t.Fatalf("%d lines, want 17:\n%s", len(lines), b.String())
	}
	for _, want := range []string{"0.500", "2.000", "4.000", "1.000", "1.500", "2.500", "3.000", "n/m", "1075.000"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("table lacks %q:\n%s", want, b.String())
		}
	}
	width := len([]rune(lines[0]))
	for _, l := range lines {
		if len([]rune(l)) != width {
			t.Errorf("line %q is not %d wide", l, width)
		}
	}
	var notes strings.Builder
	if err := printNotes(&notes, rows); err != nil {
		t.Fatal(err)
	}
	if want := "n/m at 500 viewers: janus not measured: janus: 12 of 500 viewers failed to join\n"; notes.String() != want {
		t.Errorf("notes %q, want %q", notes.String(), want)
	}
}

func TestWriteCSVAndPlot(t *testing.T) {
	dir := t.TempDir()
	results := []result{
		{server: colMediagate, viewers: 1, cpuPerPkt: 30 * time.Microsecond, rssPerView: 4 << 20, delivery: 1, numbered: 1},
		{server: colJanus, viewers: 1, cpuPerPkt: 35 * time.Microsecond, rssPerView: 2 << 20, delivery: 1, numbered: 1},
		{server: colMediagate, viewers: 100, cpuPerPkt: 7 * time.Microsecond, rssPerView: 700 << 10, delivery: 1, numbered: 1},
		{server: colJanus, viewers: 100, cpuPerPkt: 17 * time.Microsecond, rssPerView: 600 << 10, delivery: 1, numbered: 1},
	}
	rows := buildRows(map[string]time.Duration{colMediagate: 20 * time.Microsecond}, results, []int{1, 100}, 2)
	csvPath, err := writeCSV(dir, rows)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(csvPath)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(raw), "viewers,metric,mediagate,janus,ratio,note\n") {
		t.Errorf("csv header: %q", strings.SplitN(string(raw), "\n", 2)[0])
	}
	if !strings.Contains(string(raw), "100,viewers of 2.5 Mbit/s in 70% of 2 CPUs,768,316,") {
		t.Errorf("csv lacks the capacity row:\n%s", raw)
	}
	pngPath, err := writeFanoutPlot(dir, rows, []int{1, 100})
	if err != nil {
		t.Fatal(err)
	}
	img := decodePNG(t, pngPath)
	if b := img.Bounds(); b.Dx() != fanoutPlotW || b.Dy() != fanoutPlotH {
		t.Errorf("plot is %v", b)
	}
	blue, red := countColour(img, plotBlue), countColour(img, plotRed)
	if blue < 200 || red < 200 {
		t.Errorf("plot has %d blue and %d red pixels: the series are missing", blue, red)
	}
}

// decodePNG reads the PNG at path.
func decodePNG(t *testing.T, path string) image.Image {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	return img
}

// countColour counts the pixels of img that are exactly c.
func countColour(img image.Image, c color.RGBA) int {
	n := 0
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			if color.RGBAModel.Convert(img.At(x, y)) == c {
				n++
			}
		}
	}
	return n
}

func TestParseCounts(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []int
		ok   bool
	}{
		{"1,10,100", []int{1, 10, 100}, true},
		{" 5 ", []int{5}, true},
		{"0", nil, false},
		{"1,x", nil, false},
		{"1001", nil, false},
	} {
		got, err := parseCounts(tc.in)
		if tc.ok != (err == nil) || len(got) != len(tc.want) {
			t.Errorf("parseCounts(%q) = %v, %v", tc.in, got, err)
		}
	}
}

func TestStalePID(t *testing.T) {
	for _, tc := range []struct {
		name  string
		stale bool
	}{
		{nsPrefix + "1", false},      // init is alive
		{nsPrefix + "4194303", true}, // no such pid
		{"other-4194303", false},     // not ours
		{nsPrefix + "abc", false},    // not a pid
		{hostIfPrefix + "4194303", true},
	} {
		prefix := nsPrefix
		if strings.HasPrefix(tc.name, hostIfPrefix) {
			prefix = hostIfPrefix
		}
		if _, stale := stalePID(tc.name, prefix); stale != tc.stale {
			t.Errorf("stalePID(%q) = %v, want %v", tc.name, stale, tc.stale)
		}
	}
}

func TestStarved(t *testing.T) {
	ok := result{server: colJanus, viewers: 500, cpuPerPkt: 10 * time.Microsecond, delivery: 0.99, numbered: 0.99, minDeliver: 0.9, packetRate: 280}
	if why := starvedReason(ok, 2); why != "" {
		t.Errorf("delivery 0.99: %q", why)
	}
	small := result{server: colJanus, viewers: 100, delivery: 0.5, numbered: 0.5}
	if why := starvedReason(small, 2); why != "" {
		t.Errorf("100 viewers are judged by the join, not here: %q", why)
	}
	bad := result{server: colJanus, viewers: 500, cpuPerPkt: 10 * time.Microsecond, rssPerView: 1024, delivery: 0.343, numbered: 0.343, minDeliver: 0.336, packetRate: 280}
	bad.starved = starvedReason(bad, 2)
	if want := "delivered 34.3% of the stream (worst viewer 33.6%) using 1.40 of 2 CPUs: it cannot carry this count here"; bad.starved != want {
		t.Errorf("reason %q, want %q", bad.starved, want)
	}
	rows := buildRows(nil, []result{bad}, []int{500}, 2)
	for _, r := range rows {
		switch r.metric {
		case metricPerPkt, capacityMetric(2):
			if r.cell(colJanus) != "n/m" {
				t.Errorf("%s: %s, want n/m", r.metric, r.cell(colJanus))
			}
		case metricMemory, metricDelivery:
			if r.cell(colJanus) == "n/m" || math.IsNaN(r.value(colJanus)) {
				t.Errorf("%s: %s, want the measured value", r.metric, r.cell(colJanus))
			}
		}
	}
}

func TestNiceTop(t *testing.T) {
	for _, tc := range []struct{ in, want float64 }{
		{87.8, 100}, {3120, 5000}, {17, 20}, {2.1, 2.5}, {1, 1}, {0.03, 0.05}, {0, 1},
	} {
		if got := niceTop(tc.in); math.Abs(got-tc.want) > 1e-9*tc.want {
			t.Errorf("niceTop(%v) = %v, want %v", tc.in, got, tc.want)
		}
	}
}

// TestSeqGaps: gaps count the missing packets; duplicates, late packets
// and a restart of the numbering do not.
func TestSeqGaps(t *testing.T) {
	var g seqGaps
	var lost uint64
	for _, seq := range []uint16{65530, 65531, 65533, 65533, 65532, 2, 3, 40000, 40001, 40003} {
		lost += g.next(seq)
	}
	if lost != 1+4+1 {
		t.Fatalf("lost %d, want 6 (65532 late: its gap counted once; 65534…1 missing; the restart at 40000 none; 40002 missing)", lost)
	}
}
