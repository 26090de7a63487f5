package gateway

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"net/http"

	"mediagate.dev/mediagate/gateway/config"
	"mediagate.dev/mediagate/gateway/ingest"
	"mediagate.dev/mediagate/gateway/sendersdp"
	"mediagate.dev/mediagate/gateway/stream"
)

// senderToken reports an API-created stream's viewer token, and whether
// the stream exists; streamToken asks it for names the config lacks.
func (g *Gateway) senderToken(name string) (string, bool) {
	if g.senders == nil {
		return "", false
	}
	g.senders.mu.Lock()
	s, ok := g.senders.streams[name]
	g.senders.mu.Unlock()
	if !ok {
		return "", false
	}
	return s.token, g.hub.Get(name) != nil
}

// senderTokenValid reports whether token opens an API-created stream.
func (g *Gateway) senderTokenValid(token string) bool {
	if g.senders == nil {
		return false
	}
	g.senders.mu.Lock()
	defer g.senders.mu.Unlock()
	for _, s := range g.senders.streams {
		if s.token != "" && subtle.ConstantTimeCompare([]byte(s.token), []byte(token)) == 1 {
			return true
		}
	}
	return false
}

// classifySenderError maps the gateway's sender API errors to statuses.
func classifySenderError(err error) int {
	switch {
	case errors.Is(err, errBadStreamRequest), errors.Is(err, sendersdp.ErrSuite):
		return http.StatusBadRequest
	case errors.Is(err, errSendersOff):
		return http.StatusForbidden
	case errors.Is(err, errConfiguredStream), errors.Is(err, stream.ErrExists):
		return http.StatusConflict
	case errors.Is(err, errBadStreamMedia):
		return http.StatusUnprocessableEntity
	case errors.Is(err, errTooManyStreams), errors.Is(err, errNoPort):
		return http.StatusServiceUnavailable
	case errors.Is(err, ingest.ErrSRTP):
		return http.StatusUnprocessableEntity
	}
	return 0
}

func srtpSuite(s *config.SRTP) string {
	if s == nil {
		return "none"
	}
	return s.Suite
}

// randomHex returns n random bytes in hex.
func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // crypto/rand.Read never fails (Go 1.24+)
	return hex.EncodeToString(b)
}

// randomToken returns a viewer token: 24 random bytes, base64url.
func randomToken() string {
	b := make([]byte, 24)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}
