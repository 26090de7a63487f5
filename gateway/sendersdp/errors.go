package sendersdp

import (
	"errors"
	"fmt"
	"strings"

	"mediagate.dev/mediagate/gateway/signal"
)

// Errors of Negotiate, Answer and Description, matched with errors.Is.
var (
	// ErrBadOffer reports an offer that is not SDP, or not SDP the gateway
	// can read: no m= line, a malformed a=crypto line, a key of the wrong
	// length. The HTTP API answers 400.
	ErrBadOffer = signal.NewError("malformed SDP offer", signal.ErrInvalid)
	// ErrUnacceptable reports a well-formed offer the gateway cannot
	// answer: no m= line with a codec it accepts, a recvonly sender, a
	// WebRTC offer. The HTTP API answers 422.
	ErrUnacceptable = signal.NewError("offer not acceptable", signal.ErrUnacceptable)
	// ErrUnsupportedSuites reports an offer whose SDES crypto suites are all
	// unsupported (see UnsupportedSuitesError). The HTTP API answers 422.
	ErrUnsupportedSuites = signal.NewError("no supported SRTP crypto suite offered", signal.ErrUnacceptable)
	// ErrBadCrypto reports an a=crypto value that does not follow RFC 4568
	// §9.1.
	ErrBadCrypto = errors.New("malformed a=crypto attribute")
	// ErrNoAddress reports a description without an address a sender can
	// reach (none, 0.0.0.0 or ::).
	ErrNoAddress = errors.New("no address to advertise")
	// ErrSuite reports a suite name that mediagate does not support.
	ErrSuite = signal.NewError("unsupported SRTP suite", signal.ErrInvalid)
)

// UnsupportedSuitesError names the crypto suites an offer carried when none
// of them is one the gateway accepts. It matches ErrUnsupportedSuites.
type UnsupportedSuitesError struct {
	// Offered are the suites of the offer's a=crypto lines, in order.
	Offered []string
	// Reasons says, per offered suite, why it was refused.
	Reasons []string
	// Accepted are the suites the gateway would have taken.
	Accepted []string
}

// Error names every offered suite, why it was refused, and the accepted ones.
func (e *UnsupportedSuitesError) Error() string {
	return fmt.Sprintf("%v: offered %s; accepted: %s", ErrUnsupportedSuites,
		strings.Join(e.Reasons, ", "), strings.Join(e.Accepted, ", "))
}

// Unwrap returns ErrUnsupportedSuites.
func (e *UnsupportedSuitesError) Unwrap() error { return ErrUnsupportedSuites }
