package main

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"mediagate.dev/mediagate/gateway/config"
)

func TestParseFlags(t *testing.T) {
	for _, tc := range []struct {
		args    []string
		wantErr string // a flag the error must name; "" for success
		check   func(*options) bool
	}{
		{nil, "", func(o *options) bool {
			return o.To == "127.0.0.1:5004" && o.Codec == "h264" && o.PT == 96 && o.AbsSendTimeID == 3 &&
				o.StartKbps == 1000 && o.MinKbps == 100 && o.MaxKbps == 8000 && o.Duration == 0 && !o.Stats
		}},
		{[]string{"-to", "[::1]:6000", "-codec", "VP8", "-pt", "100", "-ssrc", "1234", "-duration", "2s", "-stats"}, "",
			func(o *options) bool {
				return o.remote.Port == 6000 && o.mime() == "video/VP8" && o.SSRC == 1234 && o.Duration == 2*time.Second && o.Stats
			}},
		{[]string{"-abs-send-time-id", "0"}, "", func(o *options) bool { return o.AbsSendTimeID == 0 }},
		{[]string{"-codec", "h265"}, "-codec", nil},
		{[]string{"-pt", "95"}, "-pt", nil},
		{[]string{"-pt", "128"}, "-pt", nil},
		{[]string{"-ssrc", "4294967296"}, "-ssrc", nil},
		{[]string{"-width", "641"}, "-width", nil},
		{[]string{"-height", "32"}, "-height", nil},
		{[]string{"-fps", "0"}, "-fps", nil},
		{[]string{"-min", "500", "-max", "400", "-start", "450"}, "-min", nil},
		{[]string{"-start", "9000"}, "-start", nil},
		{[]string{"-max", "0"}, "-max", nil},
		{[]string{"-duration", "-1s"}, "-duration", nil},
		{[]string{"-abs-send-time-id", "15"}, "-abs-send-time-id", nil},
		{[]string{"-srtp-suite", "NULL_HMAC_SHA1_80"}, "-srtp-suite", nil},
		{[]string{"-srtp-suite", "nope"}, "-srtp-suite", nil},
		{[]string{"-to", ""}, "-to", nil},
		{[]string{"-to", "127.0.0.1"}, "-to", nil},
		{[]string{"-to", ":5004"}, "-to", nil},
		{[]string{"-to", "127.0.0.1:0"}, "-to", nil},
		{[]string{"-bogus"}, "bogus", nil},
		{[]string{"-fps", "ten"}, "-fps", nil},
		{[]string{"stray"}, "stray", nil},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			o, err := parseFlags(tc.args, io.Discard)
			if tc.wantErr == "" {
				if err != nil {
					t.Fatal(err)
				}
				if !tc.check(o) {
					t.Errorf("options %+v", o)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("error %v, want one naming %s", err, tc.wantErr)
			}
		})
	}
}

// TestBadFlagsExit: bad flags exit with status 2 and say which flag, all
// at once.
func TestBadFlagsExit(t *testing.T) {
	var stderr strings.Builder
	code := runContext(t.Context(), []string{"-codec", "x", "-pt", "1"}, func(string) string { return "" }, io.Discard, &stderr)
	if code != 2 || !strings.Contains(stderr.String(), "-codec") || !strings.Contains(stderr.String(), "-pt") {
		t.Errorf("status %d, stderr %q", code, stderr.String())
	}
	if code := runContext(t.Context(), []string{"-h"}, func(string) string { return "" }, io.Discard, io.Discard); code != 0 {
		t.Errorf("-h: status %d, want 0", code)
	}
}

func TestLoadSRTP(t *testing.T) {
	good := "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwd" // 30 bytes
	dir := t.TempDir()
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	for _, tc := range []struct {
		name    string
		env     string
		file    string
		suite   string
		want    error // nil: success
		noKeys  bool
		keyLen  int
		saltLen int
	}{
		{name: "none", noKeys: true},
		{name: "env", env: good, keyLen: 16, saltLen: 14},
		{name: "env with newline", env: good + "\n", keyLen: 16, saltLen: 14},
		{name: "file", file: write("good", good+"\n"), keyLen: 16, saltLen: 14},
		{name: "GCM length for CM suite", env: good[:36] + "AA==", want: config.ErrKeyLength},
		{name: "AEAD_AES_128_GCM", env: good[:36] + "AA", suite: "AEAD_AES_128_GCM", keyLen: 16, saltLen: 12},
		{name: "both", env: good, file: write("both", good), want: errKey},
		{name: "bad base64", env: "not*base64*" + good, want: config.ErrKeyEncoding},
		{name: "empty file", file: write("empty", "\n"), want: errKey},
		{name: "missing file", file: filepath.Join(dir, "missing"), want: os.ErrNotExist},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := defaultOptions()
			o.SRTPKeyFile = tc.file
			if tc.suite != "" {
				o.SRTPSuite = tc.suite
			}
			keys, err := loadSRTP(o, func(k string) string {
				if k == keyEnv {
					return tc.env
				}
				return ""
			})
			if tc.want != nil {
				if !errors.Is(err, tc.want) {
					t.Fatalf("error %v, want %v", err, tc.want)
				}
				if strings.Contains(err.Error(), good[:12]) {
					t.Errorf("the error shows the key: %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if tc.noKeys != (keys == nil) {
				t.Fatalf("keys %v", keys != nil)
			}
			if keys != nil && (len(keys.key) != tc.keyLen || len(keys.salt) != tc.saltLen) {
				t.Errorf("key %d and salt %d bytes, want %d and %d", len(keys.key), len(keys.salt), tc.keyLen, tc.saltLen)
			}
		})
	}
}
