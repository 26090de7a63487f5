package signal

import (
	"context"
	"net/http/httptest"
	"strings"
	"testing"
)

// fuzzHandler is a Handler whose Open refuses offers without an m= line
// (as egress would, with a 400) and otherwise succeeds.
func fuzzHandler() *Handler {
	return &Handler{
		Name: "whep",
		Open: OpenFunc(func(_ context.Context, req OpenRequest) (Session, string, error) {
			if !strings.Contains(req.Offer, "\nm=") {
				return nil, "", errBadOffer
			}
			return newFakeSession(), testAnswer, nil
		}),
	}
}

// FuzzPost feeds arbitrary bodies and content types to POST: never a 5xx,
// never a panic.
func FuzzPost(f *testing.F) {
	for _, tc := range offerTests {
		f.Add(SDPContentType, tc.sdp)
	}
	f.Add("application/sdp; charset=utf-8", testOffer)
	f.Add("text/plain", testOffer)
	f.Add(SDPContentType, testOffer+manyCandidates(70))
	f.Fuzz(func(t *testing.T, contentType, body string) {
		h := fuzzHandler()
		defer h.Close()
		req := httptest.NewRequest("POST", "/whep/cam1", strings.NewReader(body))
		req.Header.Set("Content-Type", contentType)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code >= 500 {
			t.Fatalf("status %d for %q", rec.Code, body)
		}
		if rec.Code == 201 && h.Sessions() != 1 {
			t.Fatalf("201 without a session")
		}
	})
}

// FuzzPatch feeds arbitrary fragments and If-Match values to PATCH on a
// live session: never a 5xx, never a panic, and the session survives.
func FuzzPatch(f *testing.F) {
	for _, tc := range fragTests {
		f.Add("current", tc.body)
		f.Add("*", tc.body)
	}
	for _, tc := range ifMatchTests {
		f.Add(strings.Join(tc.values, ","), restartFrag)
	}
	f.Fuzz(func(t *testing.T, ifMatch, body string) {
		h := fuzzHandler()
		defer h.Close()
		req := httptest.NewRequest("POST", "/whep/cam1", strings.NewReader(testOffer))
		req.Header.Set("Content-Type", SDPContentType)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		loc, etag := rec.Header().Get("Location"), rec.Header().Get("ETag")
		req = httptest.NewRequest("PATCH", loc, strings.NewReader(body))
		req.Header.Set("Content-Type", SDPFragContentType)
		req.Header.Set("If-Match", strings.ReplaceAll(ifMatch, "current", etag))
		rec = httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code >= 500 {
			t.Fatalf("status %d for %q", rec.Code, body)
		}
		if h.Sessions() != 1 {
			t.Fatalf("PATCH %d ended the session", rec.Code)
		}
	})
}
