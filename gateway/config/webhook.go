package config

import (
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"time"
)

// Bounds Validate enforces on each [[webhook]]; zero means the default.
const (
	minWebhookTimeout  = 100 * time.Millisecond
	maxWebhookTimeout  = time.Minute
	maxWebhookAttempts = 20
	maxWebhookQueue    = 100000
	maxWebhooks        = 16
)

// Webhook is one [[webhook]] table: a receiver that every event of the bus
// (or those Events selects) is POSTed to as JSON, signed with Secret. The
// zero values of Timeout, MaxAttempts and QueueSize take the defaults of
// package gateway/webhook (5s, 5 and 1000).
type Webhook struct {
	// URL is where events are POSTed: http:// or https://.
	URL string `toml:"url"`
	// Secret keys the HMAC-SHA256 signature each request carries, so the
	// receiver can trust it. Required, at least 16 characters.
	Secret Secret `toml:"secret"`
	// Events selects the event types sent: exact names ("stream.up") or a
	// family ("viewer.*"). Empty sends every event.
	Events []string `toml:"events"`
	// Timeout bounds one request, from connecting to reading the status.
	Timeout Duration `toml:"timeout"`
	// MaxAttempts is how often one event is tried before it is dropped.
	MaxAttempts int `toml:"max_attempts"`
	// QueueSize is how many events may wait for this receiver; newer ones
	// are dropped (and counted) while it is full.
	QueueSize int `toml:"queue_size"`
}

// eventPattern matches an event type or a family of them: "stream.up",
// "transcoding.*", or "*" for every event.
var eventPattern = regexp.MustCompile(`^(\*|[a-z][a-z_]*(\.[a-z][a-z_]*)*(\.\*)?)$`)

// validateWebhooks checks every [[webhook]] table.
func (c *Config) validateWebhooks(p *problems) {
	if len(c.Webhooks) > maxWebhooks {
		p.add("webhook", "at most %d receivers (got %d)", maxWebhooks, len(c.Webhooks))
	}
	for i := range c.Webhooks {
		c.Webhooks[i].validate(p, fmt.Sprintf("webhook[%d]", i))
	}
}

func (w *Webhook) validate(p *problems, key string) {
	if err := checkWebhookURL(w.URL); err != nil {
		p.add(key+".url", "%v", err)
	}
	if !w.Secret.IsSet() {
		p.add(key+".secret", "required: the HMAC key receivers verify requests with, "+
			"such as the output of `openssl rand -base64 32`")
	} else {
		p.token(key+".secret", w.Secret)
	}
	for i, e := range w.Events {
		if !eventPattern.MatchString(e) {
			p.add(fmt.Sprintf("%s.events[%d]", key, i),
				"must be an event type such as \"stream.up\", a family such as \"viewer.*\", or \"*\" (got %s)",
				quote(e))
		}
	}
	if w.Timeout != 0 {
		p.durationIn(key+".timeout", w.Timeout, minWebhookTimeout, maxWebhookTimeout)
	}
	if w.MaxAttempts != 0 {
		p.intIn(key+".max_attempts", w.MaxAttempts, 1, maxWebhookAttempts)
	}
	if w.QueueSize != 0 {
		p.intIn(key+".queue_size", w.QueueSize, 1, maxWebhookQueue)
	}
}

// checkWebhookURL accepts an absolute http or https URL with a host and
// without credentials (the secret authenticates; a password in a URL ends
// up in logs).
func checkWebhookURL(s string) error {
	u, err := url.Parse(s)
	switch {
	case s == "":
		return fmt.Errorf("required: the receiver's URL, such as \"https://hooks.example.com/mediagate\"")
	case err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "":
		return fmt.Errorf("must be an http:// or https:// URL (got %s)", quote(s))
	case u.User != nil:
		return fmt.Errorf("must not hold credentials; the secret authenticates the requests")
	case u.Fragment != "":
		return fmt.Errorf("must not have a fragment (got %s)", quote(s))
	}
	return nil
}

// webhooksKey renders the [[webhook]] tables as one comparable value, for
// Diff: any change to any receiver, its secret included, changes it.
func webhooksKey(ws []Webhook) string {
	var b strings.Builder
	for _, w := range ws {
		fmt.Fprintf(&b, "%q %q %q %d %d %d\n", w.URL, w.Secret.Reveal(), w.Events,
			int64(w.Timeout), w.MaxAttempts, w.QueueSize)
	}
	return b.String()
}
