package api

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"mediagate.dev/mediagate/gateway/event"
)

// readFrame reads one Server-Sent Events frame: its lines up to the blank
// line that ends it.
func readFrame(t *testing.T, r *bufio.Reader) []string {
	t.Helper()
	var lines []string
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			t.Fatalf("reading the event stream after %q: %v", lines, err)
		}
		line = strings.TrimSuffix(line, "\n")
		if line == "" {
			return lines
		}
		lines = append(lines, line)
	}
}

// openEvents opens /api/v1/events on srv and reads the retry frame.
func openEvents(t *testing.T, ctx context.Context, srv *httptest.Server) (*http.Response, *bufio.Reader) {
	t.Helper()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL+"/api/v1/events", nil)
	req.Header.Set("Authorization", "Bearer "+testAdminToken)
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d, want 200", resp.StatusCode)
	}
	r := bufio.NewReader(resp.Body)
	if got := readFrame(t, r); !reflect.DeepEqual(got, []string{"retry: 2000"}) {
		t.Fatalf("first frame %q, want the retry hint", got)
	}
	return resp, r
}

// checkEventFrame asserts that lines are exactly "event: <type>" and
// "data: <json>" and returns the decoded event.
func checkEventFrame(t *testing.T, lines []string) event.Event {
	t.Helper()
	if len(lines) != 2 || !strings.HasPrefix(lines[0], "event: ") || !strings.HasPrefix(lines[1], "data: ") {
		t.Fatalf("frame %q, want an event line and a data line", lines)
	}
	var e event.Event
	if err := json.Unmarshal([]byte(strings.TrimPrefix(lines[1], "data: ")), &e); err != nil {
		t.Fatalf("data %q: %v", lines[1], err)
	}
	if typ := strings.TrimPrefix(lines[0], "event: "); typ != string(e.Type) {
		t.Errorf("event line %q, data type %q", typ, e.Type)
	}
	if e.Time.IsZero() {
		t.Errorf("event %+v has no time", e)
	}
	return e
}

func TestEventsInOrder(t *testing.T) {
	f := newFixture(t, nil)
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	resp, r := openEvents(t, ctx, f.srv)
	for header, want := range map[string]string{"Content-Type": "text/event-stream", "Cache-Control": "no-store"} {
		if got := resp.Header.Get(header); got != want {
			t.Errorf("%s %q, want %q", header, got, want)
		}
	}
	sent := []event.Event{
		{Type: event.StreamUp, Stream: "cam2"},
		{Type: event.ViewerJoin, Stream: "cam1", Data: map[string]string{"id": "v1"}},
		{Type: event.SourceRejected, Stream: "cam2", Data: map[string]string{"addr": "127.0.0.1:9", "reason": "two\nlines\r\u2028"}},
	}
	for _, e := range sent {
		f.bus.Publish(e)
	}
	for i, want := range sent {
		got := checkEventFrame(t, readFrame(t, r))
		got.Time = time.Time{}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("event %d: got %+v, want %+v", i, got, want)
		}
	}
}

// TestEventsSurviveServerTimeouts reads an event stream for 3 s from a server
// whose ReadTimeout and WriteTimeout are 1 s.
func TestEventsSurviveServerTimeouts(t *testing.T) {
	f := newFixture(t, nil)
	mux := http.NewServeMux()
	f.h.Routes(mux)
	srv := httptest.NewUnstartedServer(mux)
	srv.Config.ReadTimeout = time.Second
	srv.Config.WriteTimeout = time.Second
	srv.Start()
	defer srv.Close()

	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	_, r := openEvents(t, ctx, srv)
	const count, every = 7, 500 * time.Millisecond
	start := time.Now()
	go func() {
		tick := time.NewTicker(every)
		defer tick.Stop()
		for i := range count {
			f.bus.Publish(event.Event{Type: event.ViewerJoin, Stream: "cam1", Data: map[string]string{"n": strconv.Itoa(i)}})
			select {
			case <-tick.C:
			case <-ctx.Done():
				return
			}
		}
	}()
	for i := range count {
		e := checkEventFrame(t, readFrame(t, r))
		if e.Data["n"] != strconv.Itoa(i) {
			t.Fatalf("event %d carries n=%s", i, e.Data["n"])
		}
	}
	if elapsed := time.Since(start); elapsed < 3*time.Second {
		t.Errorf("stream read for %v, want at least 3s", elapsed)
	}
}

func TestEventsClientGoneEndsHandler(t *testing.T) {
	tests := []struct {
		name  string
		leave func(cancel context.CancelFunc, resp *http.Response)
	}{
		{"context cancelled", func(cancel context.CancelFunc, _ *http.Response) { cancel() }},
		{"body closed", func(_ context.CancelFunc, resp *http.Response) { resp.Body.Close() }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, nil)
			mux := http.NewServeMux()
			f.h.Routes(mux)
			returned := make(chan struct{}, 1)
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				mux.ServeHTTP(w, r)
				returned <- struct{}{}
			}))
			defer srv.Close()

			ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
			defer cancel()
			resp, _ := openEvents(t, ctx, srv)
			if got := metricValue(t, f.reg, "mediagate_api_sse_clients", nil); got != 1 {
				t.Errorf("sse clients %v while connected, want 1", got)
			}
			tt.leave(cancel, resp)
			select {
			case <-returned:
			case <-time.After(5 * time.Second):
				t.Fatal("the event handler did not return after the client left")
			}
			waitNoGoroutine(t, "(*Handler).serveEvents")
			if got := metricValue(t, f.reg, "mediagate_api_sse_clients", nil); got != 0 {
				t.Errorf("sse clients %v after the client left, want 0", got)
			}
		})
	}
}

func TestEventsWithoutBus(t *testing.T) {
	f := newFixture(t, func(h *Handler) { h.Bus = nil })
	resp := authRequest(t, f, "/api/v1/events", "Bearer "+testAdminToken)
	if resp.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("status %d, want 503", resp.StatusCode)
	}
	checkProblem(t, resp, http.StatusServiceUnavailable)
}

// streamRecorder is a ResponseWriter and Flusher whose body can be read
// while the handler still runs. It has no write deadlines.
type streamRecorder struct {
	header http.Header
	mu     sync.Mutex
	body   bytes.Buffer
}

func (s *streamRecorder) Header() http.Header { return s.header }
func (s *streamRecorder) WriteHeader(int)     {}
func (s *streamRecorder) Flush()              {}

func (s *streamRecorder) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.body.Write(p)
}

func (s *streamRecorder) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.body.String()
}

func TestEventsHeartbeat(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		bus := event.New(nil)
		mux := http.NewServeMux()
		(&Handler{Bus: bus, AdminToken: testAdminToken}).Routes(mux)
		ctx, cancel := context.WithCancel(t.Context())
		req := httptest.NewRequestWithContext(ctx, http.MethodGet, "/api/v1/events", nil)
		req.Header.Set("Authorization", "Bearer "+testAdminToken)
		w := &streamRecorder{header: make(http.Header)}
		done := make(chan struct{})
		go func() {
			mux.ServeHTTP(w, req)
			close(done)
		}()

		synctest.Wait()
		want := sseRetry
		check := func(when string) {
			t.Helper()
			if got := w.String(); got != want {
				t.Fatalf("%s: stream %q, want %q", when, got, want)
			}
		}
		check("at start")
		time.Sleep(heartbeatInterval - time.Millisecond)
		synctest.Wait()
		check("just before the heartbeat")
		time.Sleep(time.Millisecond)
		synctest.Wait()
		want += sseHeartbeat
		check("at the heartbeat")
		bus.Publish(event.Event{Type: event.StreamDown, Stream: "cam1", Time: time.Unix(0, 0).UTC()})
		synctest.Wait()
		want += "event: stream.down\ndata: {\"type\":\"stream.down\",\"time\":\"1970-01-01T00:00:00Z\",\"stream\":\"cam1\"}\n\n"
		check("after an event")
		time.Sleep(heartbeatInterval)
		synctest.Wait()
		want += sseHeartbeat
		check("at the second heartbeat")
		cancel()
		<-done
	})
}

var encodeTests = []struct {
	name string
	in   event.Event
	want string
}{
	{"plain", event.Event{Type: event.StreamUp, Stream: "cam1", Time: time.Unix(1, 0).UTC()},
		"event: stream.up\ndata: {\"type\":\"stream.up\",\"time\":\"1970-01-01T00:00:01Z\",\"stream\":\"cam1\"}\n\n"},
	{"newlines in data", event.Event{Type: event.SourceRejected, Time: time.Unix(1, 0).UTC(), Data: map[string]string{"r": "a\nb\rc\u2028"}},
		"event: source.rejected\ndata: {\"type\":\"source.rejected\",\"time\":\"1970-01-01T00:00:01Z\",\"data\":{\"r\":\"a\\nb\\rc\\u2028\"}}\n\n"},
	{"newline in type", event.Event{Type: "x\r\ny", Time: time.Unix(1, 0).UTC()},
		"event: xy\ndata: {\"type\":\"x\\r\\ny\",\"time\":\"1970-01-01T00:00:01Z\"}\n\n"},
}

func TestEncodeEvent(t *testing.T) {
	for _, tt := range encodeTests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := encodeEvent(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tt.want {
				t.Errorf("got  %q\nwant %q", got, tt.want)
			}
		})
	}
	if _, err := encodeEvent(event.Event{Type: event.StreamUp, Time: time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)}); err == nil {
		t.Error("an event with an unencodable time encoded")
	}
}

// FuzzEncodeEvent checks that every event becomes exactly one frame of two
// lines, whatever its strings hold.
func FuzzEncodeEvent(f *testing.F) {
	for _, tt := range encodeTests {
		f.Add(string(tt.in.Type), tt.in.Stream, tt.in.Data["r"])
	}
	f.Fuzz(func(t *testing.T, typ, name, value string) {
		frame, err := encodeEvent(event.Event{Type: event.Type(typ), Stream: name, Time: time.Unix(1, 0), Data: map[string]string{"k": value}})
		if err != nil {
			t.Fatal(err)
		}
		body, ok := strings.CutSuffix(string(frame), "\n\n")
		if !ok {
			t.Fatalf("frame %q does not end with a blank line", frame)
		}
		lines := strings.Split(body, "\n")
		if len(lines) != 2 || !strings.HasPrefix(lines[0], "event: ") || !strings.HasPrefix(lines[1], "data: ") || strings.Contains(body, "\r") {
			t.Fatalf("frame %q is not one event line and one data line", frame)
		}
	})
}
