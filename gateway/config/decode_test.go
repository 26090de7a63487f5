package config

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

var decodeCases = []tomlCase{
	{"unknown top key", "verbose = true\n" + valid, "verbose", "unknown key"},
	{"unknown table", "[coturn]\nenabled = true\nsecret = \"x\"\n" + valid, "coturn", "unknown key"},
	{"unknown http key", "[http]\nlisen = \"0.0.0.0:8080\"\n" + valid, "http.lisen", `did you mean "listen"?`},
	{"unknown stream key", valid + stream("name = \"cam2\"\nlisten = \"127.0.0.1:5006\"", "[stream.video]\ncodec = \"vp8\"\ncodek = \"h264\""), "stream[1].video.codek", `did you mean "codec"?`},
	{"unknown key far from any", stream(cam1+"zzzzzzzzzz = 1", h264), "stream[0].zzzzzzzzzz", "known keys here: name, source"},
	{"unknown inline stream key", "stream = [{name = \"cam1\", listen = \"127.0.0.1:5004\", video = {codec = \"h264\", codek = 1}}]\n", "stream[0].video.codek", "unknown key"},
	{"unknown key in both streams", stream(cam1+"colour = 1", h264) + stream("name = \"cam2\"\nlisten = \"127.0.0.1:5006\"\ncolour = 2", h264), "stream[1].colour", "unknown key"},
	{"integer duration", "[http]\nread_timeout = 30\n" + valid, "http.read_timeout", `must be a string such as "5s"; a bare integer would be nanoseconds (got 30)`},
	{"integer duration in stream", valid + stream("name = \"cam2\"\nlisten = \"127.0.0.1:5006\"\nkeyframe_interval = 2", h264), "stream[1].keyframe_interval", "a bare integer would be nanoseconds"},
	{"float duration", "[webrtc]\nsetup_timeout = 1.5\n" + valid, "webrtc.setup_timeout", "got a TOML float"},
	{"duration without unit", stream(cam1+"relatch_after = \"30\"", h264), "stream[0].relatch_after", `"30" has no unit; write it with one, such as "30s"`},
	{"duration words", "[ingest]\nsource_timeout = \"5 seconds\"\n" + valid, "ingest.source_timeout", "is not a duration"},
	{"string for integer", "[webrtc]\nudp_port = \"8189\"\n" + valid, "webrtc.udp_port", "incompatible types"},
	{"integer for string", stream("name = \"cam1\"\nlisten = 5004", h264), "stream[0].listen", "incompatible types"},
	{"stream as table", "[stream]\nname = \"cam1\"\n", "stream", "write [[stream]], not [stream]"},
	{"video as string", stream(cam1+"video = \"h264\"", ""), "stream[0].video", "expected table but found string"},
}

func TestDecode(t *testing.T) { runCases(t, decodeCases) }

// TestUnknownKeysWithValidation: unknown keys and invalid values come back
// together, in one flat list.
func TestUnknownKeysWithValidation(t *testing.T) {
	doc := "[log]\nlevel = \"loud\"\n" + stream(cam1+"colour = 1\nlatch = \"x\"", h264)
	_, err := Parse([]byte(doc))
	var keys []string
	for _, fe := range fieldErrors(t, err) {
		keys = append(keys, fe.Key)
	}
	if got := strings.Join(keys, " "); got != "stream[0].colour log.level stream[0].latch" {
		t.Fatalf("problems at %s:\n%v", got, err)
	}
	if _, nested := errors.Unwrap(err).(interface{ Unwrap() []error }); nested {
		t.Error("problems are nested")
	}
}

// TestDecodeErrorCap: a file with many broken streams reports a bounded
// number of type errors.
func TestDecodeErrorCap(t *testing.T) {
	var doc strings.Builder
	for i := range 50 {
		doc.WriteString(stream("name = \"s"+strings.Repeat("x", i)+"\"\nkeyframe_interval = 1", ""))
	}
	_, err := Parse([]byte(doc.String()))
	fes := fieldErrors(t, err)
	if len(fes) != maxDecodeErrors+1 || fes[maxDecodeErrors].Key != "stream[20]" {
		t.Fatalf("%d problems:\n%v", len(fes), err)
	}
}

func TestDecodeErrorClasses(t *testing.T) {
	for _, c := range []struct {
		doc  string
		want error
	}{
		{"verbose = true\n" + valid, ErrUnknownKey},
		{"[http]\nread_timeout = 30\n" + valid, ErrType},
		{"[http]\nlisten = \n", ErrSyntax},
		{"[log]\nlevel = \"loud\"\n", ErrInvalid},
	} {
		if _, err := Parse([]byte(c.doc)); !errors.Is(err, c.want) {
			t.Errorf("Parse(%q) = %v, want %v", c.doc, err, c.want)
		}
	}
}

func TestDecodePositions(t *testing.T) {
	cases := []struct {
		name       string
		doc        string
		line, col  int
		wantInText string
	}{
		{"missing value", "[http]\nlisten = \n", 2, 10, "line 2, column 10: "},
		{"duplicate key", "[log]\nlevel = \"info\"\nlevel = \"debug\"\n", 3, 16, "line 3, column 16: "},
		{"duplicate table", "[log]\n[log]\n", 2, 2, "line 2, column 2: "},
		{"bad string escape", "[http]\nadmin_token = \"\\q0123456789abcdef\"\n", 2, 16, "line 2, column 16: "},
		{"integer duration", "[http]\nread_timeout = 30\n" + valid, 2, 16, "line 2, column 16: http.read_timeout: "},
		{"CRLF", strings.ReplaceAll("[http]\nread_timeout = 30\n"+valid, "\n", "\r\n"), 2, 16, "line 2, column 16: "},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Parse([]byte(c.doc))
			var fe *FieldError
			if !errors.As(err, &fe) {
				t.Fatalf("Parse = %v, want a *FieldError", err)
			}
			if fe.Line != c.line || fe.Column != c.col {
				t.Errorf("position %d:%d, want %d:%d (%v)", fe.Line, fe.Column, c.line, c.col, err)
			}
			if !strings.Contains(err.Error(), c.wantInText) {
				t.Errorf("error %q does not contain %q", err, c.wantInText)
			}
		})
	}
}

// TestDecodeAmbiguousPosition: toml keeps one position per unindexed key, so
// an error in one of several streams gives its index but no line.
func TestDecodeAmbiguousPosition(t *testing.T) {
	doc := stream(cam1+"keyframe_interval = 5", h264) + stream("name = \"cam2\"\nlisten = \"127.0.0.1:5006\"\nkeyframe_interval = \"1s\"", h264)
	_, err := Parse([]byte(doc))
	var fe *FieldError
	if !errors.As(err, &fe) || fe.Key != "stream[0].keyframe_interval" || fe.Line != 0 {
		t.Fatalf("Parse = %#v", fe)
	}
}

// TestDocumentMirrorsConfig keeps the decoding mirror in step with Config.
func TestDocumentMirrorsConfig(t *testing.T) {
	ct, dt := reflect.TypeFor[Config](), reflect.TypeFor[document]()
	if ct.NumField() != dt.NumField() {
		t.Fatalf("Config has %d fields, document %d", ct.NumField(), dt.NumField())
	}
	for i := range ct.NumField() {
		cf, df := ct.Field(i), dt.Field(i)
		if cf.Name != df.Name || cf.Tag != df.Tag {
			t.Errorf("field %d: Config %s %q, document %s %q", i, cf.Name, cf.Tag, df.Name, df.Tag)
		}
		if cf.Name != "Streams" && cf.Type != df.Type {
			t.Errorf("field %s: Config %v, document %v", cf.Name, cf.Type, df.Type)
		}
	}
}
