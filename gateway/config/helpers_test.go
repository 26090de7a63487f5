package config

import (
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"testing"
)

// tomlCase is one configuration document and the problem it must produce:
// the key path of a *FieldError and a piece of its message. An empty key
// means the document is valid. The tables of these cases also seed FuzzParse.
type tomlCase struct {
	name string
	doc  string
	key  string
	msg  string
}

// cam1 are the top-level keys of a valid stream; h264 is its video table.
const (
	cam1 = "name = \"cam1\"\nlisten = \"127.0.0.1:5004\"\n"
	h264 = "[stream.video]\ncodec = \"h264\"\n"
)

// stream renders one [[stream]] table from its top-level keys and its
// subtables.
func stream(top, tables string) string {
	return "[[stream]]\n" + top + "\n" + tables + "\n"
}

// valid is a whole valid document with one stream.
var valid = stream(cam1, h264)

// srtpKey returns base64 of n bytes, with or without padding.
func srtpKey(n int, padded bool) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(0xA0 + i)
	}
	if padded {
		return base64.StdEncoding.EncodeToString(b)
	}
	return base64.RawStdEncoding.EncodeToString(b)
}

// srtpTable renders a [stream.srtp] table.
func srtpTable(suite, key string) string {
	return fmt.Sprintf("[stream.srtp]\nsuite = %q\nkey = %q\n", suite, key)
}

// fieldErrors flattens an error from Parse or Validate into its problems.
func fieldErrors(t *testing.T, err error) []*FieldError {
	t.Helper()
	var out []*FieldError
	var walk func(error)
	walk = func(e error) {
		if j, ok := e.(interface{ Unwrap() []error }); ok {
			for _, inner := range j.Unwrap() {
				walk(inner)
			}
			return
		}
		var fe *FieldError
		if !errors.As(e, &fe) {
			t.Fatalf("problem %q (%T) is not a *FieldError", e, e)
		}
		out = append(out, fe)
	}
	walk(err)
	return out
}

// checkCase parses c.doc and checks its outcome.
func checkCase(t *testing.T, c tomlCase) {
	t.Helper()
	cfg, err := Parse([]byte(c.doc))
	if c.key == "" {
		if err != nil {
			t.Fatalf("Parse: %v", err)
		}
		if err := cfg.Validate(); err != nil {
			t.Fatalf("re-Validate: %v", err)
		}
		return
	}
	if err == nil {
		t.Fatalf("Parse succeeded; want a problem at %s", c.key)
	}
	for _, fe := range fieldErrors(t, err) {
		if fe.Key == c.key && strings.Contains(fe.Msg, c.msg) {
			if !strings.HasPrefix(fe.Error(), c.key+": ") && !strings.HasPrefix(fe.Error(), "line ") {
				t.Errorf("message %q does not start with its key path", fe.Error())
			}
			return
		}
	}
	t.Fatalf("no problem at %s containing %q; got:\n%v", c.key, c.msg, err)
}
