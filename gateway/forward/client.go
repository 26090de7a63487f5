package forward

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/pion/webrtc/v4"
)

// Limits of the client.
const (
	// maxAnswerBytes bounds an SDP answer or fragment read.
	maxAnswerBytes = 64 << 10
	// DefaultRequestTimeout bounds each request when Client.Timeout is 0.
	DefaultRequestTimeout = 10 * time.Second
	// DefaultMaxRedirects is the redirect bound when Client.MaxRedirects
	// is 0.
	DefaultMaxRedirects = 5
)

// Client is the HTTP side of an RFC 9725 client, for WHIP (publishing)
// and WHEP (pulling) alike: it POSTs an offer, follows 307/308 redirects
// (§4.5, load balancing) up to a bound, keeps the session URL from
// Location and the ETag, reads the ice-server Link headers, and sends
// PATCH (trickle and ICE restarts, with If-Match) and DELETE to the
// session. Its zero value works with http.DefaultTransport.
type Client struct {
	// HTTP sends the requests; nil means a client on
	// http.DefaultTransport. Its redirect policy is not used: Client
	// follows redirects itself, so that the bearer token goes along to
	// the new host (net/http drops it there) but never from https to
	// http.
	HTTP *http.Client
	// Token returns the bearer token to present; nil or "" sends none.
	// It is called for each request, so a token file read here follows a
	// rotation. Never logged.
	Token func() (string, error)
	// Timeout bounds each request; 0 means DefaultRequestTimeout.
	Timeout time.Duration
	// MaxRedirects bounds the redirects of one request; 0 means
	// DefaultMaxRedirects.
	MaxRedirects int
}

// Resource is a session on the server: its URL (from Location, resolved
// against the URL that answered) and its current entity tag.
type Resource struct {
	URL  string
	ETag string
}

// Answer is a server's answer to an offer.
type Answer struct {
	// SDP is the answer.
	SDP string
	// Resource is the session created.
	Resource *Resource
	// ICEServers are the STUN and TURN servers the server offered in Link
	// headers (§4.6).
	ICEServers []webrtc.ICEServer
}

// Create POSTs offer to the endpoint and returns the answer. Errors wrap
// StatusError, ErrRedirects, ErrRedirectKind, ErrNoLocation, ErrAnswer or
// the transport's error; Permanent tells which retrying cannot mend.
func (c *Client) Create(ctx context.Context, endpoint, offer string) (Answer, error) {
	resp, final, err := c.do(ctx, http.MethodPost, endpoint, "application/sdp", offer, "")
	if err != nil {
		return Answer{}, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		return Answer{}, statusError(resp)
	}
	body, err := readBody(resp)
	if err != nil {
		return Answer{}, err
	}
	if !strings.HasPrefix(body, "v=0") {
		return Answer{}, fmt.Errorf("%w: body does not start with v=0", ErrAnswer)
	}
	loc := resp.Header.Get("Location")
	if loc == "" {
		return Answer{}, ErrNoLocation
	}
	ref, err := final.Parse(loc)
	if err != nil {
		return Answer{}, fmt.Errorf("%w: %v", ErrNoLocation, err)
	}
	return Answer{
		SDP:        body,
		Resource:   &Resource{URL: ref.String(), ETag: resp.Header.Get("ETag")},
		ICEServers: ICEServers(resp.Header.Values("Link")),
	}, nil
}

// Patch sends an application/trickle-ice-sdpfrag body (RFC 8840) to the
// session with If-Match: its ETag for trickled candidates, "*" for an ICE
// restart (§4.3.3), and returns the answer's fragment (empty for 204). The
// ETag of a restart's answer replaces the resource's.
func (c *Client) Patch(ctx context.Context, r *Resource, frag string, restart bool) (string, error) {
	ifMatch := r.ETag
	if restart || ifMatch == "" {
		ifMatch = "*"
	}
	resp, _, err := c.do(ctx, http.MethodPatch, r.URL, "application/trickle-ice-sdpfrag", frag, ifMatch)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	switch resp.StatusCode {
	case http.StatusNoContent:
		return "", nil
	case http.StatusOK:
		if tag := resp.Header.Get("ETag"); tag != "" {
			r.ETag = tag
		}
		return readBody(resp)
	}
	return "", statusError(resp)
}

// Delete ends the session (§4.2). A 404 counts as done: the server has
// forgotten it already.
func (c *Client) Delete(ctx context.Context, r *Resource) error {
	resp, _, err := c.do(ctx, http.MethodDelete, r.URL, "", "", "")
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxAnswerBytes))
	if resp.StatusCode/100 == 2 || resp.StatusCode == http.StatusNotFound {
		return nil
	}
	return statusError(resp)
}

// do sends one request, following 307 and 308 redirects with the same
// method, body and token, and returns the last response with the URL that
// gave it.
func (c *Client) do(ctx context.Context, method, target, ctype, body, ifMatch string) (*http.Response, *url.URL, error) {
	ctx, cancel := context.WithTimeout(ctx, c.timeout())
	u, err := url.Parse(target)
	if err != nil {
		cancel()
		return nil, nil, fmt.Errorf("%w: url: %v", ErrConfig, err)
	}
	token, err := c.token()
	if err != nil {
		cancel()
		return nil, nil, err
	}
	for hops := 0; ; hops++ {
		resp, err := c.send(ctx, method, u, ctype, body, ifMatch, token)
		if err != nil {
			cancel()
			return nil, nil, err
		}
		next, redirect, err := redirectTarget(resp, u)
		if err != nil || !redirect {
			if err != nil {
				resp.Body.Close()
				cancel()
				return nil, nil, err
			}
			resp.Body = cancelOnClose{resp.Body, cancel}
			return resp, u, nil
		}
		resp.Body.Close()
		if hops+1 > c.maxRedirects() {
			cancel()
			return nil, nil, fmt.Errorf("%w: more than %d", ErrRedirects, c.maxRedirects())
		}
		u = next
	}
}

// send writes one request.
func (c *Client) send(ctx context.Context, method string, u *url.URL, ctype, body, ifMatch, token string) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, method, u.String(), strings.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrConfig, err)
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	if ifMatch != "" {
		req.Header.Set("If-Match", ifMatch)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := c.httpClient().Do(req)
	if err != nil {
		return nil, scrubURL(err)
	}
	return resp, nil
}

// redirectTarget reads a redirect: 307 and 308 are followed (not to http
// from https), other 3xx answers are refused.
func redirectTarget(resp *http.Response, from *url.URL) (*url.URL, bool, error) {
	switch resp.StatusCode {
	case http.StatusTemporaryRedirect, http.StatusPermanentRedirect:
	case http.StatusMovedPermanently, http.StatusFound, http.StatusSeeOther:
		return nil, false, fmt.Errorf("%w: HTTP %d", ErrRedirectKind, resp.StatusCode)
	default:
		return nil, false, nil
	}
	next, err := from.Parse(resp.Header.Get("Location"))
	switch {
	case err != nil || resp.Header.Get("Location") == "":
		return nil, false, fmt.Errorf("%w: HTTP %d without a usable Location", ErrRedirectKind, resp.StatusCode)
	case next.Scheme != "http" && next.Scheme != "https":
		return nil, false, fmt.Errorf("%w: to scheme %q", ErrRedirectKind, next.Scheme)
	case from.Scheme == "https" && next.Scheme == "http":
		return nil, false, fmt.Errorf("%w: from https to http", ErrRedirectKind)
	}
	return next, true, nil
}

func (c *Client) httpClient() *http.Client {
	hc := http.Client{Transport: http.DefaultTransport}
	if c.HTTP != nil {
		hc = *c.HTTP
	}
	hc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &hc
}

func (c *Client) token() (string, error) {
	if c.Token == nil {
		return "", nil
	}
	return c.Token()
}

func (c *Client) timeout() time.Duration {
	if c.Timeout > 0 {
		return c.Timeout
	}
	return DefaultRequestTimeout
}

func (c *Client) maxRedirects() int {
	if c.MaxRedirects > 0 {
		return c.MaxRedirects
	}
	return DefaultMaxRedirects
}

// readBody reads a bounded body.
func readBody(resp *http.Response) (string, error) {
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswerBytes+1))
	if err != nil {
		return "", scrubURL(err)
	}
	if len(b) > maxAnswerBytes {
		return "", fmt.Errorf("%w: larger than %d bytes", ErrAnswer, maxAnswerBytes)
	}
	return string(b), nil
}

// statusError reads the start of an error response into a StatusError.
func statusError(resp *http.Response) error {
	b, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
	detail := strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return ' '
		}
		return r
	}, string(b))
	return &StatusError{Code: resp.StatusCode, Detail: strings.TrimSpace(detail)}
}

// scrubURL drops the URL from a transport error (*url.Error), so that a
// query string holding a secret never reaches a log.
func scrubURL(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return fmt.Errorf("%s: %w", ue.Op, ue.Err)
	}
	return err
}

// isTimeout reports a request that ran out of time.
func isTimeout(err error) bool {
	var ne net.Error
	return errors.Is(err, context.DeadlineExceeded) || errors.As(err, &ne) && ne.Timeout()
}

// cancelOnClose releases a request's context when its body is closed.
type cancelOnClose struct {
	io.ReadCloser
	cancel context.CancelFunc
}

func (c cancelOnClose) Close() error {
	err := c.ReadCloser.Close()
	c.cancel()
	return err
}

// Redact returns u without user info, query or fragment: what logs and
// events may show of a configured URL.
func Redact(u string) string {
	p, err := url.Parse(u)
	if err != nil {
		return "(unparsable url)"
	}
	p.User, p.RawQuery, p.Fragment, p.ForceQuery = nil, "", "", false
	return p.String()
}
