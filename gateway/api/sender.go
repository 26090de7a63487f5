package api

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net"
	"net/http"
	"net/netip"
	"strings"

	"mediagate.dev/mediagate/gateway/ingest"
	"mediagate.dev/mediagate/gateway/sendersdp"
	"mediagate.dev/mediagate/gateway/signal"
	"mediagate.dev/mediagate/gateway/stream"
)

// Response headers of POST /api/v1/streams.
const (
	// StreamHeader names the stream created (also the last segment of
	// Location).
	StreamHeader = "X-Mediagate-Stream"
	// ViewerTokenHeader carries the stream's viewer token, given or
	// generated.
	ViewerTokenHeader = "X-Mediagate-Viewer-Token"
)

// defaultSenderBody bounds an offer when Senders.MaxBodyBytes is 0.
const defaultSenderBody = 64 << 10

// SenderRequest is one POST /api/v1/streams as the gateway sees it.
type SenderRequest struct {
	// Name is the stream's name (?name=); empty asks for a generated one.
	Name string
	// ViewerToken is the token viewers must present (?viewer_token=);
	// empty asks for a generated one.
	ViewerToken string
	// AllowFrom are the CIDRs the sender may send from (?allow_from=);
	// nil takes the offer's address.
	AllowFrom []string
	// Offer is the sender's SDP offer; empty asks for the gateway's offer.
	Offer []byte
	// Codec, Audio and SRTP shape the gateway's offer (?codec=, ?audio=,
	// ?srtp=): a video codec (default h264), an audio codec (default
	// none), and a suite or "none" (default: the configured one).
	Codec, Audio, SRTP string
	// Remote is the HTTP client's address; Local the address the request
	// arrived on, which the SDP advertises when nothing else is set.
	Remote, Local netip.Addr
}

// SenderResult is a stream the gateway created and its SDP: the answer to
// the sender's offer, or the gateway's offer.
type SenderResult struct {
	Name, ViewerToken, SDP string
}

// SenderStreams is the gateway side of the sender API.
type SenderStreams interface {
	// CreateStream creates a stream from req.
	CreateStream(ctx context.Context, req SenderRequest) (SenderResult, error)
	// StreamSDP returns the SDP a sender of the named stream uses; local is
	// the address the request arrived on.
	StreamSDP(name string, local netip.Addr) (string, error)
	// RemoveStream removes a stream created through the API, ending its
	// viewers' sessions.
	RemoveStream(name string) error
}

// Senders serves the sender API: streams created from a sender's SDP offer
// (or with the gateway's own offer), their removal, and the SDP of any
// stream. Every endpoint needs the admin token: the SDP holds SRTP keys.
type Senders struct {
	// API supplies the admin check and the log; it must be set.
	API *Handler
	// Streams creates and removes the streams.
	Streams SenderStreams
	// MaxBodyBytes bounds an offer; 0 means 64 KiB.
	MaxBodyBytes int64
}

// Routes registers the sender endpoints on mux, beside the Handler's.
func (s *Senders) Routes(mux *http.ServeMux) {
	mux.Handle("POST /api/v1/streams", secure(s.API.admin(s.serveCreate)))
	mux.Handle("GET /api/v1/streams/{name}/sdp", secure(s.API.admin(s.serveSDP)))
	mux.Handle("DELETE /api/v1/streams/{name}", secure(s.API.admin(s.serveDelete)))
}

// serveCreate answers POST /api/v1/streams: 201 with the SDP, Location and
// the stream's name and viewer token in headers.
func (s *Senders) serveCreate(w http.ResponseWriter, r *http.Request) {
	req, err := s.parseCreate(w, r)
	if err != nil {
		var tooLarge *http.MaxBytesError
		status := http.StatusBadRequest
		switch {
		case errors.As(err, &tooLarge):
			status = http.StatusRequestEntityTooLarge
		case errors.Is(err, ErrNotSDP):
			status = http.StatusUnsupportedMediaType
		}
		writeProblem(w, status, err)
		return
	}
	res, err := s.Streams.CreateStream(r.Context(), req)
	if err != nil {
		s.fail(w, err)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "application/sdp")
	h.Set("Cache-Control", "no-store")
	h.Set("Location", "/api/v1/streams/"+res.Name)
	h.Set(StreamHeader, res.Name)
	h.Set(ViewerTokenHeader, res.ViewerToken)
	w.WriteHeader(http.StatusCreated)
	_, _ = io.WriteString(w, res.SDP)
}

// serveSDP answers GET /api/v1/streams/{name}/sdp.
func (s *Senders) serveSDP(w http.ResponseWriter, r *http.Request) {
	text, err := s.Streams.StreamSDP(r.PathValue("name"), localAddr(r))
	if err != nil {
		s.fail(w, err)
		return
	}
	w.Header().Set("Content-Type", "application/sdp")
	w.Header().Set("Cache-Control", "no-store")
	_, _ = io.WriteString(w, text)
}

// serveDelete answers DELETE /api/v1/streams/{name} with 204.
func (s *Senders) serveDelete(w http.ResponseWriter, r *http.Request) {
	if err := s.Streams.RemoveStream(r.PathValue("name")); err != nil {
		s.fail(w, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// fail answers err with its status and a problem body; an offer whose
// suites were all refused also names them in members offered_suites and
// accepted_suites (RFC 9457 §3.2).
func (s *Senders) fail(w http.ResponseWriter, err error) {
	status := SenderStatus(err)
	if status >= 500 {
		s.API.logger().Error("sender API", "error", err)
	}
	var us *sendersdp.UnsupportedSuitesError
	if errors.As(err, &us) {
		writeProblemWith(w, status, err, map[string]any{"offered_suites": us.Offered, "accepted_suites": us.Accepted})
		return
	}
	writeProblem(w, status, err)
}

// passedOn gives a kind of refusal to the errors of other packages that
// the sender API passes on; the errors of the sender API itself
// (gateway/senders, sendersdp, this package) have theirs already.
var passedOn = []struct{ err, kind error }{
	{stream.ErrExists, signal.ErrConflict},
	{ingest.ErrSRTP, signal.ErrUnacceptable},
}

// SenderStatus is the HTTP status that answers an error of the sender API:
// signal's one table, after passedOn.
func SenderStatus(err error) int {
	for _, p := range passedOn {
		if errors.Is(err, p.err) {
			err = p.kind
			break
		}
	}
	status, _ := signal.Classify(err)
	return status
}

// localAddr returns the address the request arrived on, or the zero Addr.
func localAddr(r *http.Request) netip.Addr {
	a, _ := r.Context().Value(http.LocalAddrContextKey).(net.Addr)
	if a == nil {
		return netip.Addr{}
	}
	ap, err := netip.ParseAddrPort(a.String())
	if err != nil {
		return netip.Addr{}
	}
	return ap.Addr().Unmap()
}

// isSDP reports whether a Content-Type is application/sdp (RFC 4566 §8).
func isSDP(contentType string) bool {
	mt, _, err := mime.ParseMediaType(contentType)
	return err == nil && strings.EqualFold(mt, "application/sdp")
}

// writeProblemWith is writeProblem with extension members added to the
// problem object (RFC 9457 §3.2).
func writeProblemWith(w http.ResponseWriter, status int, err error, ext map[string]any) {
	obj := make(map[string]any, len(ext)+4)
	for k, v := range ext {
		obj[k] = v
	}
	obj["type"], obj["title"], obj["status"] = "about:blank", http.StatusText(status), status
	if err != nil {
		obj["detail"] = err.Error()
	}
	body, merr := json.Marshal(obj)
	if merr != nil {
		writeProblem(w, status, err)
		return
	}
	w.Header().Set("Content-Type", "application/problem+json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write(append(body, '\n'))
}
