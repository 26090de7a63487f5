package signal

import (
	"context"
	"fmt"
	"net/http"
	"strings"
)

// serveSession handles requests on <Path><stream>/<id>.
func (h *Handler) serveSession(w http.ResponseWriter, r *http.Request, stream, id string) {
	switch r.Method {
	case http.MethodPatch, http.MethodDelete:
		if !h.allowRate(w, r, patchBucket) {
			return
		}
	case http.MethodGet, http.MethodHead, http.MethodOptions:
	default:
		h.notAllowed(w, allowSession)
		return
	}
	s := h.lookup(stream, id)
	if s == nil {
		WriteProblem(w, http.StatusNotFound, "no such session")
		return
	}
	switch r.Method {
	case http.MethodPatch:
		h.patch(w, r, s)
	case http.MethodDelete:
		h.delete(w, s)
	case http.MethodOptions:
		w.Header().Set("Allow", allowSession)
		w.Header().Set("Accept-Patch", SDPFragContentType)
		w.WriteHeader(http.StatusNoContent)
	default:
		// RFC 9725 §4.1: GET on a session is 2xx with no content.
		w.WriteHeader(http.StatusNoContent)
	}
}

// delete ends the session: 200 (RFC 9725 §4.2), then 404 for any later
// request. Any If-Match is ignored (RFC 9725 §4.3.1).
func (h *Handler) delete(w http.ResponseWriter, s *session) {
	if !s.end() {
		WriteProblem(w, http.StatusNotFound, "no such session")
		return
	}
	h.drop(s, "deleted")
	w.WriteHeader(http.StatusOK)
}

// patch handles trickle ICE and ICE restarts (RFC 9725 §4.3.1-§4.3.3).
// The body is read before the session lock is taken, so a slow client
// cannot hold up the session's other requests.
func (h *Handler) patch(w http.ResponseWriter, r *http.Request, s *session) {
	if !HasMediaType(r, SDPFragContentType) {
		WriteProblem(w, http.StatusUnsupportedMediaType, "Content-Type must be "+SDPFragContentType)
		return
	}
	ifMatch := r.Header.Values("If-Match")
	if len(ifMatch) == 0 {
		// RFC 6585 §3; RFC 9725 §4.3.1.
		WriteProblem(w, http.StatusPreconditionRequired, "PATCH needs If-Match with the session's ETag")
		return
	}
	body, ok := ReadBody(w, r, h.maxBody())
	if !ok {
		return
	}
	frag, err := ParseSDPFrag(body)
	if err != nil {
		WriteProblem(w, http.StatusBadRequest, err.Error())
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		WriteProblem(w, http.StatusNotFound, "no such session")
		return
	}
	wildcard, match := CheckIfMatch(ifMatch, s.etag)
	if !wildcard && !match {
		WriteProblem(w, http.StatusPreconditionFailed, "If-Match does not match the current ICE session")
		return
	}
	if wildcard || changed(frag.Ufrag, s.ufrag) || changed(frag.Pwd, s.pwd) {
		h.restart(w, r, s, frag)
		return
	}
	h.trickle(w, s, frag)
}

// changed reports whether a credential in a fragment differs from the
// current one; an absent credential is not a change.
func changed(got, current string) bool { return got != "" && got != current }

// trickle adds the fragment's candidates: 204, no body, no ETag (RFC 9725
// §4.3.2). Candidates the session refuses are discarded. s.mu is held.
func (h *Handler) trickle(w http.ResponseWriter, s *session, frag Frag) {
	n := frag.CandidateCount()
	if s.candidates+n > h.maxCandidates() {
		WriteProblem(w, http.StatusRequestEntityTooLarge,
			fmt.Sprintf("%s: more than %d in this ICE session", ErrTooManyCandidates, h.maxCandidates()))
		return
	}
	s.candidates += n
	for _, c := range frag.Candidates() {
		mid := first(c.Mid, s.defaultMid())
		if err := s.sess.AddCandidate(c.Candidate, mid); err != nil {
			s.log.Debug("candidate discarded", "candidate", escape(c.Candidate), "err", escape(err.Error()))
		}
	}
	w.WriteHeader(http.StatusNoContent)
}

// defaultMid is the mid of the answer's first m= section, which under
// max-bundle carries the ICE transport.
func (s *session) defaultMid() string {
	if len(s.template.Media) == 0 {
		return ""
	}
	return s.template.Media[0].Mid
}

// restart performs an ICE restart (RFC 9725 §4.3.3): 200 with the server's
// new credentials and candidates and a new ETag. A failed restart answers
// an error and leaves the session and its ETag as they were. s.mu is held.
func (h *Handler) restart(w http.ResponseWriter, r *http.Request, s *session, frag Frag) {
	if frag.Ufrag == "" || frag.Pwd == "" || frag.Ufrag == s.ufrag || frag.Pwd == s.pwd {
		WriteProblem(w, http.StatusBadRequest, "an ICE restart needs a new a=ice-ufrag and a=ice-pwd (RFC 8445 §9)")
		return
	}
	n := frag.CandidateCount()
	if n > h.maxCandidates() {
		WriteProblem(w, http.StatusRequestEntityTooLarge, ErrTooManyCandidates.Error())
		return
	}
	cands := make([]string, 0, n)
	for _, c := range frag.Candidates() {
		cands = append(cands, c.Candidate)
	}
	ctx, cancel := context.WithTimeout(r.Context(), h.openTimeout())
	defer cancel()
	ufrag, pwd, local, err := s.sess.Restart(ctx, frag.Ufrag, frag.Pwd, cands)
	if err != nil {
		h.fail(w, s.log, "ICE restart", err)
		return
	}
	s.ufrag, s.pwd, s.candidates, s.etag = frag.Ufrag, frag.Pwd, n, newETag()
	reply := s.restartReply(ufrag, pwd, local)
	hdr := w.Header()
	hdr.Set("Content-Type", SDPFragContentType)
	hdr.Set("ETag", s.etag)
	hdr.Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write([]byte(reply.String()))
	s.log.Info("ICE restart", "candidates", len(reply.Candidates()))
}

// restartReply builds the 200 body of a restart: the answer's ice-lite,
// ice-options, group and first m= section, the new credentials and the new
// local candidates, then a=end-of-candidates, since the server gathers
// completely before replying (RFC 9725 §4.3.2). Candidates that would not
// survive a round trip through ParseSDPFrag are left out.
func (s *session) restartReply(ufrag, pwd string, local []string) Frag {
	reply := s.template
	reply.Ufrag, reply.Pwd = ufrag, pwd
	media := FragMedia{EndOfCandidates: true}
	if len(reply.Media) > 0 {
		media.Line, media.Mid = reply.Media[0].Line, reply.Media[0].Mid
	}
	for _, c := range local {
		c = strings.TrimPrefix(c, "a=")
		if !strings.HasPrefix(c, candidateField) {
			c = candidateField + c
		}
		if checkText(c) != nil || strings.ContainsAny(c, "\r\n") || checkCandidate(c) != nil {
			s.log.Warn("local candidate left out of restart reply", "candidate", escape(c))
			continue
		}
		media.Candidates = append(media.Candidates, c)
	}
	reply.Media = []FragMedia{media}
	return reply
}
