package signal

import (
	"net/http/httptest"
	"strings"
	"testing"
)

var bearerTests = []struct {
	header, token string
	ok            bool
}{
	{"Bearer abc", "abc", true},
	{"bearer abc", "abc", true},
	{"BEARER  abc", "abc", true},
	{"Bearer a-b.c_d~e+f/g==", "a-b.c_d~e+f/g==", true},
	{"Bearer", "", false},
	{"Bearer ", "", false},
	{"Bearer ==", "", false},
	{"Bearer a b", "", false},
	{"Bearer a=b", "", false},
	{"Bearer a\tb", "", false},
	{"Basic abc", "", false},
	{"Bearerabc", "", false},
	{"", "", false},
}

func TestParseBearer(t *testing.T) {
	for _, tc := range bearerTests {
		token, ok := ParseBearer(tc.header)
		if token != tc.token || ok != tc.ok {
			t.Errorf("ParseBearer(%q) = %q, %v; want %q, %v", tc.header, token, ok, tc.token, tc.ok)
		}
	}
}

func TestTokenEqual(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		want bool
	}{{"abc", "abc", true}, {"abc", "abd", false}, {"abc", "abcd", false}, {"", "", true}} {
		if got := TokenEqual(tc.a, tc.b); got != tc.want {
			t.Errorf("TokenEqual(%q, %q) = %v", tc.a, tc.b, got)
		}
	}
}

func TestCheckBearerNoToken(t *testing.T) {
	rec := httptest.NewRecorder()
	if !CheckBearer(rec, httptest.NewRequest("GET", "/", nil), "", nil) || rec.Code != 200 {
		t.Fatalf("a resource without a token refused a request")
	}
	req := httptest.NewRequest("GET", "/", nil)
	req.Header.Set("Authorization", "Bearer other")
	if CheckBearer(rec, req, "want", nil) || rec.Code != 401 || !strings.Contains(rec.Header().Get("WWW-Authenticate"), "invalid_token") {
		t.Fatalf("nil validElsewhere: %d %q", rec.Code, rec.Header().Get("WWW-Authenticate"))
	}
}

func FuzzParseBearer(f *testing.F) {
	for _, tc := range bearerTests {
		f.Add(tc.header)
	}
	f.Fuzz(func(t *testing.T, header string) {
		token, ok := ParseBearer(header)
		if ok != (token != "") || (ok && !isB64Token(token)) || !strings.HasSuffix(header, token) {
			t.Fatalf("ParseBearer(%q) = %q, %v", header, token, ok)
		}
	})
}
