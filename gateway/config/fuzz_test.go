package config

import (
	"os"
	"testing"
)

// FuzzParse feeds arbitrary bytes to Parse: it must never panic, and a
// config it accepts must validate again.
func FuzzParse(f *testing.F) {
	for _, c := range allCases() {
		f.Add([]byte(c.doc))
	}
	for _, path := range shippedFiles(f) {
		data, err := os.ReadFile(path)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte("\xEF\xBB\xBF" + valid))
	f.Add([]byte("# caf\xe9\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		cfg, err := Parse(data)
		if err != nil {
			return
		}
		if err := cfg.Validate(); err != nil {
			t.Fatalf("Parse accepted a config that does not validate: %v", err)
		}
		_ = Diff(cfg, cfg)
	})
}
