package webhook

import (
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	"mediagate.dev/mediagate/gateway/event"
)

// Defaults a Receiver's zero fields take.
const (
	// DefaultTimeout bounds one request.
	DefaultTimeout = 5 * time.Second
	// DefaultMaxAttempts is how often one event is tried.
	DefaultMaxAttempts = 5
	// DefaultQueueSize is how many events may wait for one receiver.
	DefaultQueueSize = 1000
)

// Receiver is one endpoint events are POSTed to.
type Receiver struct {
	// URL is where events go (http or https).
	URL string
	// Secret keys the request signatures (see Sign).
	Secret string
	// Events selects the event types sent: exact names ("stream.up"), a
	// family ("viewer.*") or "*". Empty sends every event.
	Events []string
	// Timeout bounds one request; 0 means DefaultTimeout.
	Timeout time.Duration
	// MaxAttempts is how often an event is tried; 0 means
	// DefaultMaxAttempts.
	MaxAttempts int
	// QueueSize bounds the events waiting; 0 means DefaultQueueSize.
	QueueSize int
}

// withDefaults returns r with its zero fields set.
func (r Receiver) withDefaults() Receiver {
	if r.Timeout <= 0 {
		r.Timeout = DefaultTimeout
	}
	if r.MaxAttempts <= 0 {
		r.MaxAttempts = DefaultMaxAttempts
	}
	if r.QueueSize <= 0 {
		r.QueueSize = DefaultQueueSize
	}
	return r
}

// wants reports whether the receiver's filter selects an event type.
func (r Receiver) wants(t event.Type) bool {
	if len(r.Events) == 0 {
		return true
	}
	return slices.ContainsFunc(r.Events, func(p string) bool {
		if p == "*" || p == string(t) {
			return true
		}
		family, ok := strings.CutSuffix(p, "*")
		return ok && strings.HasPrefix(string(t), family)
	})
}

// identity is a key under which a receiver's settings compare: equal
// identities share a queue across SetReceivers.
func (r Receiver) identity() string {
	return fmt.Sprintf("%q %q %q %d %d %d", r.URL, r.Secret, r.Events, r.Timeout, r.MaxAttempts, r.QueueSize)
}

// label names the receiver in metrics and logs: its URL without query,
// fragment or credentials, which could hold secrets.
func (r Receiver) label() string {
	u, err := url.Parse(r.URL)
	if err != nil {
		return "invalid-url"
	}
	return u.Scheme + "://" + u.Host + u.Path
}
