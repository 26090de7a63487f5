package api

import (
	"fmt"
	"io"
	"net/http"
	"net/netip"
	"slices"
	"strings"
)

// createParams are the query parameters of POST /api/v1/streams; the last
// three shape the gateway's own offer and are refused with a body.
var createParams = []string{"name", "viewer_token", "allow_from", "codec", "audio", "srtp"}

// anySender is what ?allow_from=any stands for.
var anySender = []string{"0.0.0.0/0", "::/0"}

// parseCreate reads a POST /api/v1/streams: its query, and its body when
// it has one.
func (s *Senders) parseCreate(w http.ResponseWriter, r *http.Request) (SenderRequest, error) {
	q := r.URL.Query()
	for p := range q {
		if !slices.Contains(createParams, p) {
			return SenderRequest{}, describeQueryError(p, "unknown; known: "+strings.Join(createParams, ", "))
		}
	}
	req := SenderRequest{
		Name: q.Get("name"), ViewerToken: q.Get("viewer_token"),
		Codec: q.Get("codec"), Audio: q.Get("audio"), SRTP: q.Get("srtp"),
		Local: localAddr(r),
	}
	if ap, err := netip.ParseAddrPort(r.RemoteAddr); err == nil {
		req.Remote = ap.Addr().Unmap()
	}
	allow, err := parseAllowFrom(q["allow_from"])
	if err != nil {
		return SenderRequest{}, err
	}
	req.AllowFrom = allow
	limit := s.MaxBodyBytes
	if limit <= 0 {
		limit = defaultSenderBody
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	if err != nil {
		return SenderRequest{}, err
	}
	if len(body) == 0 {
		return req, nil
	}
	if !isSDP(r.Header.Get("Content-Type")) {
		return SenderRequest{}, ErrNotSDP
	}
	for _, p := range []string{"codec", "audio", "srtp"} {
		if q.Has(p) {
			return SenderRequest{}, describeQueryError(p, "shapes the gateway's offer; a request with an offer may not set it")
		}
	}
	req.Offer = body
	return req, nil
}

// parseAllowFrom reads allow_from values: CIDRs or single addresses,
// repeated or comma separated, or "any".
func parseAllowFrom(values []string) ([]string, error) {
	var out []string
	for _, v := range values {
		for item := range strings.SplitSeq(v, ",") {
			item = strings.TrimSpace(item)
			switch {
			case item == "any":
				out = append(out, anySender...)
			case strings.Contains(item, "/"):
				p, err := netip.ParsePrefix(item)
				if err != nil {
					return nil, describeQueryError("allow_from", "want CIDRs or addresses, such as 192.0.2.10 or 192.0.2.0/24")
				}
				out = append(out, p.Masked().String())
			default:
				a, err := netip.ParseAddr(item)
				if err != nil {
					return nil, describeQueryError("allow_from", "want CIDRs or addresses, such as 192.0.2.10 or 192.0.2.0/24")
				}
				out = append(out, netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen()).String())
			}
		}
	}
	return out, nil
}

// describeQueryError names the offending parameter of a request.
func describeQueryError(param, msg string) error {
	return fmt.Errorf("%w: %s: %s", ErrBadQuery, param, msg)
}
