package config

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"syscall"
	"testing"
)

// configsDir holds the shipped configuration and its examples.
const configsDir = "../../configs"

// shippedFiles returns configs/mediagate.toml and every example.
func shippedFiles(t testing.TB) []string {
	t.Helper()
	examples, err := filepath.Glob(filepath.Join(configsDir, "examples", "*.toml"))
	if err != nil || len(examples) == 0 {
		t.Fatalf("no examples in %s/examples: %v", configsDir, err)
	}
	return append([]string{filepath.Join(configsDir, "mediagate.toml")}, examples...)
}

func TestShippedConfigsLoad(t *testing.T) {
	for _, path := range shippedFiles(t) {
		t.Run(filepath.Base(path), func(t *testing.T) {
			cfg, err := Load(path)
			if err != nil {
				t.Fatalf("Load(%s):\n%v", path, err)
			}
			if len(cfg.Streams) == 0 {
				t.Errorf("%s defines no stream", path)
			}
		})
	}
}

func TestShippedDefaultConfig(t *testing.T) {
	cfg, err := Load(filepath.Join(configsDir, "mediagate.toml"))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.HTTP.Listen != "0.0.0.0:8080" || len(cfg.Streams) != 2 {
		t.Fatalf("http.listen %q, %d streams", cfg.HTTP.Listen, len(cfg.Streams))
	}
	s := cfg.Streams[1]
	if s.Name != "cam1" || s.Source != SourceRTP || s.Listen != "0.0.0.0:5004" || s.SRTP != nil ||
		s.Video == nil || s.Video.Codec != CodecH264 || s.Video.PayloadType != 96 || s.Video.ProfileLevelID != "42e01f" {
		t.Errorf("cam1 = %+v, video %+v", s, s.Video)
	}
	// The shipped file writes out every default: it must say what Default
	// and FillDefaults say.
	want := Default()
	want.Streams = []Stream{
		{Name: "demo", Source: SourceTestPattern, Video: &Video{Codec: CodecH264}, Audio: &Audio{Codec: CodecOpus}},
		{Name: "cam1", Listen: "0.0.0.0:5004", Video: &Video{Codec: CodecH264}},
	}
	for i := range want.Streams {
		want.Streams[i].FillDefaults()
	}
	want.WebRTC.Interfaces, want.WebRTC.PublicIPs = []string{}, []string{}
	want.Turn.Enabled = true // left out, [turn] is off; the shipped file turns it on
	if !reflect.DeepEqual(cfg, want) {
		t.Errorf("shipped config differs from the defaults:\n got %+v\nwant %+v", cfg, want)
	}
}

// settingLine matches a key or table header in the shipped file, commented
// out or not.
var settingLine = regexp.MustCompile(`^\s*(?:#\s*)?(\[\[?[a-z.]+\]\]?|[a-z_]+) = |^\s*(?:#\s*)?(\[\[?[a-z.]+\]\]?)\s*$`)

// TestShippedConfigDocumentsEveryKey checks that configs/mediagate.toml
// mentions every key of the schema, set or commented out, in its table.
func TestShippedConfigDocumentsEveryKey(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(configsDir, "mediagate.toml"))
	if err != nil {
		t.Fatal(err)
	}
	seen := make(map[string]bool)
	table := ""
	for _, line := range strings.Split(string(data), "\n") {
		m := settingLine.FindStringSubmatch(line)
		switch {
		case m == nil:
		case m[2] != "":
			table = strings.Trim(m[2], "[]")
		default:
			seen[strings.TrimPrefix(table+"."+m[1], ".")] = true
		}
	}
	for _, key := range schemaKeys(reflect.TypeFor[Config](), "") {
		if !seen[key] {
			t.Errorf("configs/mediagate.toml does not document %s", key)
		}
	}
}

// schemaKeys lists the leaf key paths of a schema type, arrays unindexed.
func schemaKeys(t reflect.Type, prefix string) []string {
	var keys []string
	for i := range t.NumField() {
		f := t.Field(i)
		path := strings.TrimPrefix(prefix+"."+tomlTag(f), ".")
		if sub := tableType(f.Type); sub != nil {
			keys = append(keys, schemaKeys(sub, path)...)
		} else {
			keys = append(keys, path)
		}
	}
	return keys
}

// commentedSetting matches a commented-out key or table header.
var commentedSetting = regexp.MustCompile(`(?m)^(\s*)#\s?(\s*(?:\[\[?[a-z.]+\]\]?|[a-z_]+ = .*))$`)

// TestShippedConfigExamplesLoad uncomments every example setting in the
// shipped file (the SRTP stream, the audio table, the optional keys) and
// checks that the result loads.
func TestShippedConfigExamplesLoad(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(configsDir, "mediagate.toml"))
	if err != nil {
		t.Fatal(err)
	}
	text := commentedSetting.ReplaceAllString(string(data), "$1$2")
	text = regexp.MustCompile(`"<[^>]*>"`).ReplaceAllString(text, `"`+srtpKey(30, true)+`"`)
	cfg, err := Parse([]byte(text))
	if err != nil {
		t.Fatalf("uncommented shipped config:\n%v\n\n%s", err, text)
	}
	if len(cfg.Streams) != 5 || cfg.Streams[1].Audio == nil || cfg.Streams[2].SRTP == nil ||
		cfg.Streams[3].Source != SourceWHIP || cfg.Streams[3].Output == nil || len(cfg.Streams[3].Forward) != 1 ||
		cfg.Streams[4].Source != SourceWHEP || cfg.Streams[4].WHEPURL == "" {
		t.Errorf("uncommented shipped config has %d streams: %+v", len(cfg.Streams), cfg.Streams)
	}
}

func writeFile(t *testing.T, name string, data []byte, mode fs.FileMode) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, data, mode); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestLoadFileChecks(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo.toml")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	loopA, loopB := filepath.Join(dir, "a.toml"), filepath.Join(dir, "b.toml")
	if err := errors.Join(os.Symlink(loopB, loopA), os.Symlink(loopA, loopB)); err != nil {
		t.Fatal(err)
	}
	huge := append([]byte(valid), bytes.Repeat([]byte("# padding\n"), MaxFileSize/10)...)
	cases := []struct {
		name string
		path string
		want error
		text string
	}{
		{"missing", filepath.Join(dir, "nope.toml"), fs.ErrNotExist, "no such file"},
		{"directory", dir, ErrNotRegular, "it is a directory"},
		{"fifo", fifo, ErrNotRegular, "it is a named pipe"},
		{"symlink loop", loopA, syscall.ELOOP, "too many levels of symbolic links"},
		{"huge", writeFile(t, "huge.toml", huge, 0o600), ErrTooLarge, "at most 1048576"},
		{"not utf-8", writeFile(t, "latin1.toml", []byte(valid+"# caf\xe9\n"), 0o600), ErrEncoding, "line 8, column 6: not UTF-8"},
		{"utf-16", writeFile(t, "utf16.toml", []byte("\xff\xfe[\x00l\x00"), 0o600), ErrEncoding, "UTF-16"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Load(c.path)
			if !errors.Is(err, c.want) || !strings.Contains(err.Error(), c.text) {
				t.Fatalf("Load = %v, want %v containing %q", err, c.want, c.text)
			}
		})
	}
}

func TestLoadUnreadable(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("root reads any file")
	}
	path := writeFile(t, "secret.toml", []byte(valid), 0o000)
	if _, err := Load(path); !errors.Is(err, fs.ErrPermission) {
		t.Fatalf("Load = %v, want permission denied", err)
	}
}

func TestLoadAccepts(t *testing.T) {
	want, err := Parse([]byte(valid))
	if err != nil {
		t.Fatal(err)
	}
	atCap := append([]byte(valid), bytes.Repeat([]byte("#"), MaxFileSize-len(valid))...)
	cases := []struct {
		name string
		data []byte
	}{
		{"LF", []byte(valid)},
		{"CRLF", []byte(strings.ReplaceAll(valid, "\n", "\r\n"))},
		{"UTF-8 BOM", append([]byte{0xEF, 0xBB, 0xBF}, valid...)},
		{"UTF-8 comment", []byte("# Kamera im Eingang, außen\n" + valid)},
		{"exactly the size cap", atCap},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := Load(writeFile(t, "c.toml", c.data, 0o600))
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("got %+v, want %+v", got, want)
			}
		})
	}
}

func TestParseSizeCap(t *testing.T) {
	if _, err := Parse(make([]byte, MaxFileSize+1)); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("Parse = %v, want ErrTooLarge", err)
	}
}

func TestCheckFileMode(t *testing.T) {
	withToken := []byte("[http]\nadmin_token = \"0123456789abcdef\"\n" + valid)
	cases := []struct {
		name string
		data []byte
		mode fs.FileMode
		want error
	}{
		{"secret world-readable", withToken, 0o644, ErrWorldReadable},
		{"secret group-readable", withToken, 0o640, nil},
		{"no secret world-readable", []byte(valid), 0o644, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			path := writeFile(t, "c.toml", c.data, 0o600)
			if err := os.Chmod(path, c.mode); err != nil {
				t.Fatal(err)
			}
			cfg, err := Load(path)
			if err != nil {
				t.Fatal(err)
			}
			if err := CheckFileMode(path, cfg); !errors.Is(err, c.want) || (c.want == nil && err != nil) {
				t.Fatalf("CheckFileMode = %v, want %v", err, c.want)
			}
		})
	}
}
