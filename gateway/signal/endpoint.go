package signal

import (
	"net/http"
)

// preflight answers a CORS preflight: 204 with the CORS headers for an
// allowed origin, never 401 and never Link headers (RFC 9725 §4.6 and
// §4.7.1; draft-ietf-wish-whep asks for Accept-Post on OPTIONS).
func (h *Handler) preflight(w http.ResponseWriter, r *http.Request) {
	h.cors.AddPreflight(w.Header(), r)
	w.Header().Set("Accept-Post", SDPContentType)
	w.Header().Set("Allow", corsMethods)
	w.WriteHeader(http.StatusNoContent)
}

// serveEndpoint handles requests on <Path><stream>.
func (h *Handler) serveEndpoint(w http.ResponseWriter, r *http.Request, stream string) {
	switch r.Method {
	case http.MethodPost:
		h.post(w, r, stream)
	case http.MethodOptions:
		h.options(w, r, stream)
	case http.MethodGet, http.MethodHead:
		// RFC 9725 §4.1: GET answers 2xx with no content; HEAD answers
		// 200 with the media type a POST takes (URL discoverability).
		if _, exists := h.streamToken(stream); !exists {
			WriteProblem(w, http.StatusNotFound, "no such stream")
			return
		}
		if r.Method == http.MethodHead {
			w.Header().Set("Content-Type", SDPContentType)
			w.WriteHeader(http.StatusOK)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	default:
		h.notAllowed(w, allowEndpoint)
	}
}

// options answers a plain (non-preflight) OPTIONS on the endpoint with
// Accept-Post and the ice-server Link headers, after the token check,
// since the links may carry TURN credentials (RFC 9725 §4.6).
func (h *Handler) options(w http.ResponseWriter, r *http.Request, stream string) {
	if !h.admit(w, r, stream) {
		return
	}
	w.Header().Set("Accept-Post", SDPContentType)
	w.Header().Set("Allow", allowEndpoint)
	h.addICEServers(w.Header(), r, stream)
	w.WriteHeader(http.StatusNoContent)
}

// notAllowed answers 405 with the Allow header (RFC 9110 §15.5.6).
func (h *Handler) notAllowed(w http.ResponseWriter, allow string) {
	w.Header().Set("Allow", allow)
	WriteProblem(w, http.StatusMethodNotAllowed, "method not allowed")
}

// streamToken wraps StreamToken with its nil default.
func (h *Handler) streamToken(stream string) (string, bool) {
	if h.StreamToken == nil {
		return "", true
	}
	return h.StreamToken(stream)
}

// addICEServers adds the Link headers of ICEServers.
func (h *Handler) addICEServers(hdr http.Header, r *http.Request, stream string) {
	if h.ICEServers == nil {
		return
	}
	for _, link := range h.ICEServers(r, stream) {
		hdr.Add("Link", link)
	}
}

// allowRate spends a token of the client's bucket, answering 429 with
// Retry-After (RFC 6585 §4) when there is none.
func (h *Handler) allowRate(w http.ResponseWriter, r *http.Request, b bucket) bool {
	wait := h.clients.wait(clientKey(r.RemoteAddr), b)
	if wait == 0 {
		return true
	}
	SetRetryAfter(w.Header(), wait)
	WriteProblem(w, http.StatusTooManyRequests, "request rate limit exceeded")
	return false
}

// admit runs the checks a POST and a plain OPTIONS on the endpoint share:
// the client's rate, the stream's existence (404 before any token check) and
// its bearer token. It writes the refusal and reports false when one fails.
func (h *Handler) admit(w http.ResponseWriter, r *http.Request, stream string) bool {
	if !h.allowRate(w, r, postBucket) {
		return false
	}
	token, exists := h.streamToken(stream)
	if !exists {
		WriteProblem(w, http.StatusNotFound, "no such stream")
		return false
	}
	return CheckBearer(w, r, token, h.TokenValidFor)
}
