package signal

import (
	"context"

	"github.com/pion/sdp/v3"
)

// Session is one session as an Opener returns it: a viewer
// (gateway/egress) or a publisher (gateway/whip).
type Session interface {
	// AddCandidate adds a trickled remote candidate: the attribute without
	// "a=" ("candidate:1 1 udp …") and the mid of its m= section (the
	// answer's first mid when the client gave none). An error is logged and
	// the candidate dropped; the PATCH still succeeds (RFC 9725 §4.3.2).
	AddCandidate(candidate, mid string) error
	// Restart performs an ICE restart (RFC 8445 §9) with the client's new
	// credentials and candidates (attributes as for AddCandidate),
	// replacing the remote candidate set, and returns the server's new
	// credentials and every local candidate, gathered completely, each
	// with or without the "candidate:" or "a=candidate:" prefix.
	// On error the existing ICE session must stay as it was; the error is
	// answered through Classify.
	Restart(ctx context.Context, ufrag, pwd string, candidates []string) (localUfrag, localPwd string, localCandidates []string, err error)
	// Close ends the session; it is idempotent.
	Close()
	// Done is closed when the session has ended, for whatever reason.
	Done() <-chan struct{}
}

// OpenRequest is what an Opener needs to create a session.
type OpenRequest struct {
	// ID is the session ID, the last segment of the session URL. It is a
	// capability: whoever knows it can end the session.
	ID string
	// Stream is the stream name from the URL.
	Stream string
	// Offer is the client's SDP offer as it arrived.
	Offer string
	// Description is Offer parsed, once, by the handler (RFC 8866 syntax,
	// ICE credentials checked). The Opener owns it and may modify it;
	// it is never nil.
	Description *sdp.SessionDescription
	// Remote is the client's address (http.Request.RemoteAddr).
	Remote string
}

// Opener creates the session a POST asks for. The answer must carry every
// server candidate (RFC 9725 §4.3.2: the server does not trickle). ctx
// bounds only the setup; the session outlives it.
type Opener interface {
	Open(ctx context.Context, req OpenRequest) (Session, string, error)
}

// OpenFunc adapts a function to Opener.
type OpenFunc func(ctx context.Context, req OpenRequest) (Session, string, error)

// Open calls f.
func (f OpenFunc) Open(ctx context.Context, req OpenRequest) (Session, string, error) {
	return f(ctx, req)
}
