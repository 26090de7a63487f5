package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"sync"
	"time"
)

const (
	// janusRequestTimeout bounds one Janus API request.
	janusRequestTimeout = 15 * time.Second
	// janusPollTimeout bounds one long poll; Janus answers an idle poll with
	// a keepalive after 30 s.
	janusPollTimeout = 45 * time.Second
	// janusKeepalive is how often the session is kept alive (Janus's session
	// timeout is 60 s).
	janusKeepalive = 20 * time.Second
	// janusMaxEvents is how many events one long poll may return.
	janusMaxEvents = 16
)

// janusMsg is the envelope of Janus API requests, answers and events (the
// fields this benchmark uses).
type janusMsg struct {
	Janus       string         `json:"janus"`
	Transaction string         `json:"transaction,omitempty"`
	Plugin      string         `json:"plugin,omitempty"`
	Body        any            `json:"body,omitempty"`
	JSEP        *janusJSEP     `json:"jsep,omitempty"`
	Sender      uint64         `json:"sender,omitempty"`
	Data        *janusData     `json:"data,omitempty"`
	Error       *janusError    `json:"error,omitempty"`
	PluginData  *janusPlugData `json:"plugindata,omitempty"`
}

// janusJSEP is an SDP offer or answer as the Janus API carries it.
type janusJSEP struct {
	Type    string `json:"type"`
	SDP     string `json:"sdp"`
	Trickle *bool  `json:"trickle,omitempty"`
}

// janusData is the "data" of a successful create or attach: the new id.
type janusData struct {
	ID uint64 `json:"id"`
}

// janusError is the "error" of a failed request.
type janusError struct {
	Code   int    `json:"code"`
	Reason string `json:"reason"`
}

// janusPlugData is a plugin's answer; a plugin-level failure sets "error".
type janusPlugData struct {
	Plugin string `json:"plugin"`
	Data   struct {
		Error string `json:"error,omitempty"`
	} `json:"data"`
}

// janusAPI is a client of the Janus HTTP API (POST /janus…, long-poll GET).
type janusAPI struct {
	base   string // http://<ip>:<port>/janus
	client *http.Client
	poller *http.Client
	log    *slog.Logger
}

// newJanusAPI returns a client of the Janus API at base.
func newJanusAPI(base string, log *slog.Logger) *janusAPI {
	t := benchTransport()
	return &janusAPI{
		base:   base,
		client: &http.Client{Timeout: janusRequestTimeout, Transport: t},
		poller: &http.Client{Timeout: janusPollTimeout, Transport: t},
		log:    log.With("component", "janus-api"),
	}
}

// post sends msg to base+path with a fresh transaction id and returns the
// answer; an "error" answer, or a plugin error, is returned as errJanus.
func (a *janusAPI) post(ctx context.Context, path string, msg janusMsg) (janusMsg, error) {
	msg.Transaction = rand.Text()
	body, err := json.Marshal(msg)
	if err != nil {
		return janusMsg{}, fmt.Errorf("encode %s: %w", msg.Janus, err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, a.base+path, bytes.NewReader(body))
	if err != nil {
		return janusMsg{}, fmt.Errorf("janus %s: %w", msg.Janus, err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := a.client.Do(req)
	if err != nil {
		return janusMsg{}, fmt.Errorf("janus %s: %w", msg.Janus, err)
	}
	defer resp.Body.Close()
	var ans janusMsg
	if err := json.NewDecoder(resp.Body).Decode(&ans); err != nil {
		return janusMsg{}, fmt.Errorf("janus %s answer (%s): %w", msg.Janus, resp.Status, err)
	}
	if err := ans.err(); err != nil {
		return janusMsg{}, fmt.Errorf("janus %s: %w", msg.Janus, err)
	}
	return ans, nil
}

// err returns the error an answer or event carries, if any.
func (m janusMsg) err() error {
	if m.Janus == "error" && m.Error != nil {
		return fmt.Errorf("%d %s: %w", m.Error.Code, m.Error.Reason, errJanus)
	}
	if m.PluginData != nil && m.PluginData.Data.Error != "" {
		return fmt.Errorf("%s: %s: %w", m.PluginData.Plugin, m.PluginData.Data.Error, errJanus)
	}
	return nil
}

// janusSession is one Janus API session with a long-poll loop that routes
// each event to the handle it came from, and a keepalive loop.
type janusSession struct {
	api    *janusAPI
	path   string // "/<session id>"
	cancel context.CancelFunc
	wg     sync.WaitGroup

	mu      sync.Mutex
	handles map[uint64]chan janusMsg
}

// createSession creates a session and starts its poll and keepalive loops.
func (a *janusAPI) createSession(ctx context.Context) (*janusSession, error) {
	ans, err := a.post(ctx, "", janusMsg{Janus: "create"})
	if err != nil {
		return nil, err
	}
	if ans.Data == nil {
		return nil, fmt.Errorf("create: no session id: %w", errJanus)
	}
	loopCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	s := &janusSession{
		api: a, path: "/" + strconv.FormatUint(ans.Data.ID, 10),
		cancel: cancel, handles: map[uint64]chan janusMsg{},
	}
	s.wg.Add(2)
	go s.poll(loopCtx)
	go s.keepalive(loopCtx)
	return s, nil
}

// poll long-polls the session's events until ctx ends.
func (s *janusSession) poll(ctx context.Context) {
	defer s.wg.Done()
	url := fmt.Sprintf("%s%s?maxev=%d", s.api.base, s.path, janusMaxEvents)
	for ctx.Err() == nil {
		events, err := s.fetch(ctx, url)
		if err != nil {
			if ctx.Err() == nil {
				s.api.log.Warn("long poll failed", "err", err)
			}
			select {
			case <-ctx.Done():
			case <-time.After(time.Second):
			}
			continue
		}
		for _, ev := range events {
			s.route(ev)
		}
	}
}

// fetch runs one long poll. With maxev Janus answers a JSON array; a single
// object (a keepalive) is accepted too.
func (s *janusSession) fetch(ctx context.Context, url string) ([]janusMsg, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	resp, err := s.api.poller.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	raw = bytes.TrimSpace(raw)
	var events []janusMsg
	if len(raw) > 0 && raw[0] == '[' {
		err = json.Unmarshal(raw, &events)
	} else {
		var one janusMsg
		err = json.Unmarshal(raw, &one)
		events = append(events, one)
	}
	if err != nil {
		return nil, fmt.Errorf("decode events (%s): %w", resp.Status, err)
	}
	return events, nil
}

// route hands an event to its handle's channel; events for handles no one
// waits on, and events that would block, are dropped.
func (s *janusSession) route(ev janusMsg) {
	s.mu.Lock()
	ch := s.handles[ev.Sender]
	s.mu.Unlock()
	if ch == nil {
		return
	}
	select {
	case ch <- ev:
	default:
	}
}

// keepalive keeps the session from timing out until ctx ends.
func (s *janusSession) keepalive(ctx context.Context) {
	defer s.wg.Done()
	t := time.NewTicker(janusKeepalive)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if _, err := s.api.post(ctx, s.path, janusMsg{Janus: "keepalive"}); err != nil && ctx.Err() == nil {
				s.api.log.Warn("keepalive failed", "err", err)
			}
		}
	}
}

// attach attaches a streaming-plugin handle and returns its id and the
// channel its events arrive on.
func (s *janusSession) attach(ctx context.Context) (uint64, <-chan janusMsg, error) {
	ans, err := s.api.post(ctx, s.path, janusMsg{Janus: "attach", Plugin: "janus.plugin.streaming"})
	if err != nil {
		return 0, nil, err
	}
	if ans.Data == nil {
		return 0, nil, fmt.Errorf("attach: no handle id: %w", errJanus)
	}
	ch := make(chan janusMsg, 8)
	s.mu.Lock()
	s.handles[ans.Data.ID] = ch
	s.mu.Unlock()
	return ans.Data.ID, ch, nil
}

// message sends a plugin request (and optionally a JSEP) to a handle.
func (s *janusSession) message(ctx context.Context, handle uint64, body any, jsep *janusJSEP) error {
	_, err := s.api.post(ctx, s.handlePath(handle), janusMsg{Janus: "message", Body: body, JSEP: jsep})
	return err
}

// detach detaches a handle, which hangs up its PeerConnection in Janus.
func (s *janusSession) detach(ctx context.Context, handle uint64) error {
	s.mu.Lock()
	delete(s.handles, handle)
	s.mu.Unlock()
	_, err := s.api.post(ctx, s.handlePath(handle), janusMsg{Janus: "detach"})
	return err
}

func (s *janusSession) handlePath(handle uint64) string {
	return s.path + "/" + strconv.FormatUint(handle, 10)
}

// close destroys the session and stops its loops.
func (s *janusSession) close(ctx context.Context) {
	if _, err := s.api.post(ctx, s.path, janusMsg{Janus: "destroy"}); err != nil && !errors.Is(err, context.Canceled) {
		s.api.log.Debug("destroy session", "err", err)
	}
	s.cancel()
	s.wg.Wait()
}
