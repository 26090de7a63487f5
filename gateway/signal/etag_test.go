package signal

import (
	"strings"
	"testing"
)

var ifMatchTests = []struct {
	values          []string
	wildcard, match bool
}{
	{values: []string{`"abc"`}, match: true},
	{values: []string{`"x", "abc"`}, match: true},
	{values: []string{`"x"`, `"abc"`}, match: true},
	{values: []string{` "abc" `}, match: true},
	{values: []string{`"x"`}},
	{values: []string{`W/"abc"`}},
	{values: []string{`abc`}},
	{values: []string{`"abc`}},
	{values: []string{`"abc" "x"`}},
	{values: []string{`"a"bc"`}},
	{values: []string{""}},
	{values: []string{`"ab,c"`}},
	{values: []string{`"a b"`}},
	{values: []string{"*"}, wildcard: true},
	{values: []string{" * "}, wildcard: true},
	{values: []string{`"*"`}, wildcard: true},
	{values: []string{`"*", "abc"`}, wildcard: true, match: true},
	{values: []string{"*, \"abc\""}},
	{values: []string{",,\"abc\",,"}, match: true},
}

func TestCheckIfMatch(t *testing.T) {
	for _, tc := range ifMatchTests {
		w, m := CheckIfMatch(tc.values, `"abc"`)
		if w != tc.wildcard || m != tc.match {
			t.Errorf("CheckIfMatch(%q) = %v, %v; want %v, %v", tc.values, w, m, tc.wildcard, tc.match)
		}
	}
	if _, m := CheckIfMatch([]string{`""`}, ""); m {
		t.Errorf("an empty current ETag matched")
	}
}

func TestSessionIDs(t *testing.T) {
	id := newID()
	if !isSessionID(id) || isSessionID(strings.ToUpper(id)) || isSessionID(id[1:]) || isSessionID(id[:31]+"g") {
		t.Fatalf("isSessionID disagrees with newID: %q", id)
	}
}

func FuzzIfMatch(f *testing.F) {
	for _, tc := range ifMatchTests {
		f.Add(strings.Join(tc.values, "\x00"))
	}
	f.Fuzz(func(t *testing.T, field string) {
		values := strings.Split(field, "\x00")
		_, match := CheckIfMatch(values, `"abc"`)
		if match && !strings.Contains(field, `"abc"`) {
			t.Fatalf("%q matched without the tag", field)
		}
	})
}
