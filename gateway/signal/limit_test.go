package signal

import (
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"testing/synctest"
	"time"
)

func TestClientKey(t *testing.T) {
	tests := []struct{ remote, want string }{
		{"127.0.0.1:1234", "127.0.0.1"},
		{"[::1]:1234", "::/64"},
		{"[2001:db8:1:2:3:4:5:6]:80", "2001:db8:1:2::/64"},
		{"[2001:db8:1:2:ffff::1]:80", "2001:db8:1:2::/64"},
		{"[::ffff:127.0.0.2]:80", "127.0.0.2"},
		{"[fe80::1%lo]:80", "fe80::/64"},
		{"127.0.0.3", "127.0.0.3"},
		{"not an address", "not an address"},
		{"", ""},
	}
	for _, tc := range tests {
		if got := clientKey(tc.remote); got != tc.want {
			t.Errorf("clientKey(%q) = %q, want %q", tc.remote, got, tc.want)
		}
	}
}

func post(h *Handler, remote string) *httptest.ResponseRecorder {
	req := httptest.NewRequest("POST", "/whep/cam1", strings.NewReader(testOffer))
	req.RemoteAddr = remote
	req.Header.Set("Content-Type", SDPContentType)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

func TestPostRateLimit(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e := newEnv(t, func(h *Handler) { h.PostRate, h.PostBurst = 0.5, 2 })
		for i, want := range []int{201, 201, 429} {
			if rec := post(e.h, testRemote); rec.Code != want {
				t.Fatalf("POST %d: %d, want %d", i, rec.Code, want)
			}
		}
		rec := post(e.h, testRemote)
		if rec.Code != http.StatusTooManyRequests || rec.Header().Get("Retry-After") != "2" {
			t.Fatalf("status %d, Retry-After %q", rec.Code, rec.Header().Get("Retry-After"))
		}
		checkProblem(t, rec)
		if rec := post(e.h, "127.0.0.9:1"); rec.Code != 201 {
			t.Fatalf("another client was limited: %d", rec.Code)
		}
		time.Sleep(2 * time.Second)
		if rec := post(e.h, testRemote); rec.Code != 201 {
			t.Fatalf("after Retry-After: %d", rec.Code)
		}
	})
}

func TestPatchRateLimit(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e := newEnv(t, func(h *Handler) { h.PatchRate = 1 })
		loc, etag := e.create()
		hdr := []string{"Content-Type", SDPFragContentType, "If-Match", etag}
		for i, want := range []int{204, 429} {
			if rec := e.do("PATCH", loc, trickleFrag, hdr...); rec.Code != want {
				t.Fatalf("PATCH %d: %d, want %d", i, rec.Code, want)
			}
		}
		if rec := e.do("DELETE", loc, ""); rec.Code != 429 || rec.Header().Get("Retry-After") != "1" {
			t.Fatalf("DELETE: %d, Retry-After %q", rec.Code, rec.Header().Get("Retry-After"))
		}
		time.Sleep(time.Second)
		if rec := e.do("DELETE", loc, ""); rec.Code != 200 {
			t.Fatalf("DELETE after waiting: %d", rec.Code)
		}
	})
}

func TestMaxPerIP(t *testing.T) {
	e := newEnv(t, func(h *Handler) { h.MaxPerIP = 2 })
	locs := []string{}
	for range 2 {
		loc, _ := e.create()
		locs = append(locs, loc)
	}
	rec := post(e.h, testRemote)
	if rec.Code != http.StatusTooManyRequests || rec.Header().Get("Retry-After") != "5" {
		t.Fatalf("third session: %d, Retry-After %q", rec.Code, rec.Header().Get("Retry-After"))
	}
	if rec := post(e.h, "[::1]:5"); rec.Code != 201 {
		t.Fatalf("another client: %d", rec.Code)
	}
	if rec := e.do("DELETE", locs[0], ""); rec.Code != 200 {
		t.Fatalf("DELETE: %d", rec.Code)
	}
	if rec := post(e.h, testRemote); rec.Code != 201 {
		t.Fatalf("after a DELETE: %d", rec.Code)
	}
	e.lastSession().end()
	e.h.Close()
	if n := e.h.clients.m["127.0.0.1"].sessions; n != 0 {
		t.Fatalf("%d session slots held after Close", n)
	}
}

func TestMaxPerIPFailedOpenReleases(t *testing.T) {
	e := newEnv(t, func(h *Handler) { h.MaxPerIP = 1 })
	e.setOpenErr(errUnacceptable)
	for range 3 {
		if rec := post(e.h, testRemote); rec.Code != 422 {
			t.Fatalf("status %d", rec.Code)
		}
	}
	e.setOpenErr(nil)
	if rec := post(e.h, testRemote); rec.Code != 201 {
		t.Fatalf("a failed Open kept its slot: %d", rec.Code)
	}
}

func TestClientTableSweep(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c := &clients{postRate: 1, maxSessions: 1, m: map[string]*client{}}
		c.wait("a", postBucket)
		key, _ := c.acquire("b", 0)
		time.Sleep(clientIdleAfter + sweepEvery + time.Second)
		c.wait("c", postBucket)
		if _, ok := c.m["a"]; ok || c.m["b"] == nil {
			t.Fatalf("after sweep: %v", c.m)
		}
		c.release(key)
		time.Sleep(clientIdleAfter + sweepEvery + time.Second)
		c.wait("c", postBucket)
		if len(c.m) != 1 {
			t.Fatalf("after second sweep: %v", c.m)
		}
	})
}

func TestClientTableOverflow(t *testing.T) {
	c := &clients{maxSessions: 1, m: map[string]*client{}}
	for i := range maxClients {
		c.m[strconv.Itoa(i)] = &client{seen: time.Now()}
	}
	c.lastSweep = time.Now()
	key, err := c.acquire("new", 0)
	if err != nil || key != overflowKey {
		t.Fatalf("acquire = %q, %v", key, err)
	}
	if _, err := c.acquire("newer", 0); err == nil {
		t.Fatalf("overflow clients do not share the cap")
	}
	c.release(key)
	if c.m[overflowKey].sessions != 0 {
		t.Fatalf("release missed the overflow entry")
	}
}
