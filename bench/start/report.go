package main

import (
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// report is what a run measured, for the files.
type report struct {
	o      options
	joins  []joinRow
	starts []startRow
}

// write writes start-cpu.csv and start-firstframe.csv for the parts that
// ran, and start.png, into dir.
func (r report) write(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	var wrote []string
	if len(r.joins) > 0 {
		path := filepath.Join(dir, "start-cpu.csv")
		if err := writeCSV(path, r.joinRecords()); err != nil {
			return err
		}
		wrote = append(wrote, path)
	}
	if len(r.starts) > 0 {
		path := filepath.Join(dir, "start-firstframe.csv")
		if err := writeCSV(path, r.startRecords()); err != nil {
			return err
		}
		wrote = append(wrote, path)
	}
	path := filepath.Join(dir, "start.png")
	if err := writePlot(path, r); err != nil {
		return err
	}
	fmt.Printf("\nwrote %s\n", strings.Join(append(wrote, path), ", "))
	return nil
}

// joinRecords are the CPU table's CSV rows.
func (r report) joinRecords() [][]string {
	recs := [][]string{{"codec", "width", "height", "gop_pictures", "join_at_s", "decoded", "encoded",
		"mediagate_ms", "ffmpeg_ms", "ratio", "ffmpeg_ultrafast_ms", "ffmpeg_startup_ms", "mediagate_bytes", "ffmpeg_bytes", "runs"}}
	for _, j := range r.joins {
		recs = append(recs, []string{j.codec, strconv.Itoa(r.o.width), strconv.Itoa(r.o.height),
			strconv.Itoa(j.decoded), num(j.at.Seconds()), strconv.Itoa(j.decoded), strconv.Itoa(j.encoded),
			num(ms(j.mediagate)), num(ms(j.ffmpeg)), num(j.ratio()), num(ms(j.ultrafast)), num(ms(j.ffStartup)),
			strconv.FormatInt(j.mgBytes, 10), strconv.FormatInt(j.ffBytes, 10), strconv.Itoa(j.runs)})
	}
	return recs
}

// startRecords are the first-frame table's CSV rows, one per load.
func (r report) startRecords() [][]string {
	recs := [][]string{{"codec", "mode", "load", "gop_age_ms", "first_frame_ms", "median_ms"}}
	for _, s := range r.starts {
		med := num(ms(median(s.firstFrames())))
		for i, l := range s.loads {
			recs = append(recs, []string{s.codec, s.mode, strconv.Itoa(i + 1), num(ms(l.phase)), num(ms(l.firstFrame)), med})
		}
	}
	return recs
}

// num formats a figure for the CSV.
func num(v float64) string { return strconv.FormatFloat(v, 'f', 3, 64) }

// writeCSV writes recs to path.
func writeCSV(path string, recs [][]string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := csv.NewWriter(f)
	if err := w.WriteAll(recs); err != nil {
		f.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	return f.Close()
}
