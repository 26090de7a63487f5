package senders

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/netip"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"mediagate.dev/mediagate/gateway/api"
	"mediagate.dev/mediagate/gateway/config"
	"mediagate.dev/mediagate/gateway/ingest"
	"mediagate.dev/mediagate/gateway/stream"
)

// fakeHub is the gateway as Streams sees it: a map of running streams,
// with Add refusing the ports in busy as ingest does a port in use.
type fakeHub struct {
	mu      sync.Mutex
	running map[string]*stream.Stream
	listen  map[string]string // stream → its listen address
	busy    map[string]bool
	removed []string
}

func (h *fakeHub) Get(name string) *stream.Stream {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.running[name]
}

func (h *fakeHub) add(sc config.Stream) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.busy[sc.Listen] {
		return fmt.Errorf("%s: %w", sc.Listen, ingest.ErrListen)
	}
	h.running[sc.Name] = stream.New(sc.Name, nil, nil, nil)
	h.listen[sc.Name] = sc.Listen
	return nil
}

func (h *fakeHub) remove(name string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	delete(h.running, name)
	h.removed = append(h.removed, name)
}

func newTestStreams(cfg *config.Config, busy ...string) (*Streams, *fakeHub) {
	h := &fakeHub{running: map[string]*stream.Stream{}, listen: map[string]string{}, busy: map[string]bool{}}
	for _, b := range busy {
		h.busy[b] = true
	}
	s := &Streams{Config: func() *config.Config { return cfg }, Hub: h, Add: h.add, Remove: h.remove,
		SourceTimeout: time.Second, IsLocal: func(netip.Addr) bool { return false },
		Registerer: prometheus.NewRegistry()}
	return s, h
}

func testConfig() *config.Config {
	cfg := config.Default()
	cfg.Ingest.PortRange = "41000-41003"
	cfg.Senders.ListenIP = "127.0.0.1"
	cfg.Streams = []config.Stream{{Name: "cam", Listen: "127.0.0.1:41000"}}
	return cfg
}

// TestStreamsCreateRemove: the gateway's offer takes the first port of
// the range that neither the config nor another process holds, its token
// opens the stream, and DELETE tells API-created, configured and unknown
// streams apart.
func TestStreamsCreateRemove(t *testing.T) {
	s, h := newTestStreams(testConfig(), "127.0.0.1:41001")
	s.Start()
	defer s.Close()
	res, err := s.CreateStream(context.Background(), api.SenderRequest{Name: "one", SRTP: config.OfferPlainRTP,
		Local: netip.MustParseAddr("127.0.0.1")})
	if err != nil {
		t.Fatal(err)
	}
	if h.listen["one"] != "127.0.0.1:41002" || !strings.Contains(res.SDP, "m=video 41002 ") {
		t.Errorf("listen %q, SDP %q: want port 41002", h.listen["one"], res.SDP)
	}
	if tok, up := s.Token("one"); tok != res.ViewerToken || !up || !s.TokenValid(res.ViewerToken) {
		t.Errorf("Token(one) = %q, %v; TokenValid %v", tok, up, s.TokenValid(res.ViewerToken))
	}
	if text, err := s.StreamSDP("one", netip.Addr{}); err != nil || text != res.SDP {
		t.Errorf("StreamSDP(one) = %q, %v; want the offer", text, err)
	}
	if _, err := s.CreateStream(context.Background(), api.SenderRequest{Name: "cam"}); api.SenderStatus(err) != http.StatusConflict {
		t.Errorf("a configured name: %v, want 409", err)
	}
	if err := s.RemoveStream("one"); err != nil || len(h.removed) != 1 {
		t.Errorf("RemoveStream(one) = %v, removed %v", err, h.removed)
	}
	if err := s.RemoveStream("one"); !errors.Is(err, api.ErrUnknownStream) {
		t.Errorf("RemoveStream twice = %v, want ErrUnknownStream", err)
	}
	if err := s.RemoveStream("cam"); api.SenderStatus(err) != http.StatusConflict {
		t.Errorf("RemoveStream(cam) = %v, want 409", err)
	}
	if s.TokenValid(res.ViewerToken) {
		t.Error("the removed stream's token still valid")
	}
}

// TestStreamsFull: senders.max_streams of 0 refuses (403), a full range
// is 503.
func TestStreamsFull(t *testing.T) {
	cfg := testConfig()
	cfg.Senders.MaxStreams = 0
	s, _ := newTestStreams(cfg)
	if _, err := s.CreateStream(context.Background(), api.SenderRequest{}); api.SenderStatus(err) != http.StatusForbidden {
		t.Errorf("max_streams 0: %v, want 403", err)
	}
	s, _ = newTestStreams(testConfig(), "127.0.0.1:41001", "127.0.0.1:41002", "127.0.0.1:41003")
	if _, err := s.CreateStream(context.Background(), api.SenderRequest{}); !errors.Is(err, errNoPort) ||
		api.SenderStatus(err) != http.StatusServiceUnavailable {
		t.Errorf("no free port: %v, want errNoPort (503)", err)
	}
}

// TestStreamsReapSilent: a stream whose sender never sends is removed
// after senders.idle_timeout, and Close stops the reaper.
func TestStreamsReapSilent(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		cfg := testConfig()
		cfg.Senders.IdleTimeout = config.Duration(5 * time.Second)
		s, h := newTestStreams(cfg)
		s.Start()
		if _, err := s.CreateStream(context.Background(), api.SenderRequest{Name: "quiet"}); err != nil {
			t.Fatal(err)
		}
		time.Sleep(4 * time.Second)
		synctest.Wait()
		if h.Get("quiet") == nil {
			t.Fatal("removed before senders.idle_timeout")
		}
		time.Sleep(time.Second + reapPeriod)
		synctest.Wait()
		if h.Get("quiet") != nil {
			t.Error("still there after senders.idle_timeout")
		}
		s.Close()
		s.Close()
	})
}
