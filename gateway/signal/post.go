package signal

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/url"

	"github.com/pion/sdp/v3"
)

// post creates a session: RFC 9725 §4.2 (and draft-ietf-wish-whep
// #playback-session-setup). Checks run cheapest and least revealing first:
// rate, stream, token, media type, body, the client's and the stream's
// caps (half-open sessions included); then Open.
func (h *Handler) post(w http.ResponseWriter, r *http.Request, stream string) {
	if h.closed.Load() || h.Open == nil {
		h.unavailable(w, closedDetail)
		return
	}
	if !h.admit(w, r, stream) {
		return
	}
	offer, info, ok := h.readOffer(w, r)
	if !ok {
		return
	}
	key, ok := h.acquireSlots(w, r.RemoteAddr, stream)
	if !ok {
		return
	}
	s := &session{id: newID(), stream: stream, client: key, etag: newETag(),
		ufrag: info.ufrag, pwd: info.pwd, candidates: info.candidates}
	s.log = h.log.With("stream", escape(stream), "session", PublicID(s.id))
	answer, ok := h.open(w, r, s, offer, info.desc)
	if !ok {
		h.settle(s)
		h.clients.release(key)
		return
	}
	h.created(w, r, s, answer)
}

// readOffer checks the media type, reads the body and parses the offer,
// answering 415, 413 or 400 on failure.
func (h *Handler) readOffer(w http.ResponseWriter, r *http.Request) (string, offerInfo, bool) {
	if !HasMediaType(r, SDPContentType) {
		WriteProblem(w, http.StatusUnsupportedMediaType, "Content-Type must be "+SDPContentType)
		return "", offerInfo{}, false
	}
	offer, ok := ReadBody(w, r, h.maxBody())
	if !ok {
		return "", offerInfo{}, false
	}
	info, err := parseOffer(offer)
	if err != nil {
		WriteProblem(w, http.StatusBadRequest, err.Error())
		return "", offerInfo{}, false
	}
	if info.candidates > h.maxCandidates() {
		WriteProblem(w, http.StatusRequestEntityTooLarge, ErrTooManyCandidates.Error())
		return "", offerInfo{}, false
	}
	return offer, info, true
}

// open calls Open with a deadline and answers the error, if any.
func (h *Handler) open(w http.ResponseWriter, r *http.Request, s *session, offer string, desc *sdp.SessionDescription) (string, bool) {
	ctx, cancel := context.WithTimeout(r.Context(), h.openTimeout())
	defer cancel()
	sess, answer, err := h.Open.Open(ctx, OpenRequest{ID: s.id, Stream: s.stream, Offer: offer, Description: desc, Remote: r.RemoteAddr})
	if err != nil {
		if sess != nil {
			sess.Close()
		}
		h.fail(w, s.log, "open", err)
		return "", false
	}
	if sess == nil {
		h.fail(w, s.log, "open", errNoSession)
		return "", false
	}
	s.sess = sess
	s.template = answerTemplate(answer)
	if r.Context().Err() != nil || !h.register(s) {
		// The client left during setup, or the handler closed: nobody
		// will ever use this session.
		sess.Close()
		h.unavailable(w, closedDetail)
		return "", false
	}
	return answer, true
}

// created answers 201 with the answer (RFC 9725 §4.2), the session URL,
// the ICE session's entity-tag (§4.3.1) and the ice-server links (§4.6).
func (h *Handler) created(w http.ResponseWriter, r *http.Request, s *session, answer string) {
	hdr := w.Header()
	hdr.Set("Content-Type", SDPContentType)
	hdr.Set("Location", h.path()+url.PathEscape(s.stream)+"/"+s.id)
	hdr.Set("ETag", s.etag)
	hdr.Set("Accept-Patch", SDPFragContentType)
	hdr.Set("Cache-Control", "no-store")
	h.addICEServers(hdr, r, s.stream)
	w.WriteHeader(http.StatusCreated)
	_, _ = io.WriteString(w, answer)
	s.log.Info("session created", "remote", r.RemoteAddr)
}

// ReadBody reads the request body up to limit bytes. On failure it answers
// 413 (too large, RFC 9110 §15.5.14) or 400 and returns false.
func ReadBody(w http.ResponseWriter, r *http.Request, limit int64) (string, bool) {
	if r.ContentLength > limit {
		WriteProblem(w, http.StatusRequestEntityTooLarge, "body too large")
		return "", false
	}
	b, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		WriteProblem(w, http.StatusRequestEntityTooLarge, "body too large")
		return "", false
	case err != nil:
		WriteProblem(w, http.StatusBadRequest, "could not read the body")
		return "", false
	}
	return string(b), true
}
