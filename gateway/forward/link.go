package forward

import (
	"strings"

	"github.com/pion/webrtc/v4"
)

// maxICEServers bounds the Link headers honoured per answer.
const maxICEServers = 8

// ICEServers reads the ice-server Link headers of a POST answer (RFC 9725
// §4.6, the syntax of RFC 8288): each link's target is a stun:, stuns:,
// turn: or turns: URI, with the TURN credentials in its username and
// credential parameters. Other links and malformed ones are skipped.
func ICEServers(links []string) []webrtc.ICEServer {
	var out []webrtc.ICEServer
	for _, header := range links {
		for _, link := range splitLinks(header) {
			if s, ok := parseICELink(link); ok && len(out) < maxICEServers {
				out = append(out, s)
			}
		}
	}
	return out
}

// splitLinks splits a Link header value at the commas between links,
// not those inside <…> or quoted strings.
func splitLinks(h string) []string {
	var out []string
	depth, quoted, start := false, false, 0
	for i := 0; i < len(h); i++ {
		switch c := h[i]; {
		case c == '"' && !depth:
			quoted = !quoted
		case c == '<' && !quoted:
			depth = true
		case c == '>' && !quoted:
			depth = false
		case c == ',' && !depth && !quoted:
			out = append(out, h[start:i])
			start = i + 1
		}
	}
	return append(out, h[start:])
}

// parseICELink reads one link of rel="ice-server".
func parseICELink(link string) (webrtc.ICEServer, bool) {
	link = strings.TrimSpace(link)
	if !strings.HasPrefix(link, "<") {
		return webrtc.ICEServer{}, false
	}
	end := strings.IndexByte(link, '>')
	if end < 0 {
		return webrtc.ICEServer{}, false
	}
	target := link[1:end]
	scheme, _, _ := strings.Cut(target, ":")
	switch strings.ToLower(scheme) {
	case "stun", "stuns", "turn", "turns":
	default:
		return webrtc.ICEServer{}, false
	}
	s := webrtc.ICEServer{URLs: []string{target}}
	isICE := false
	for _, param := range strings.Split(link[end+1:], ";") {
		k, v, _ := strings.Cut(strings.TrimSpace(param), "=")
		v = strings.Trim(strings.TrimSpace(v), `"`)
		switch strings.ToLower(strings.TrimSpace(k)) {
		case "rel":
			isICE = strings.EqualFold(v, "ice-server")
		case "username":
			s.Username = v
		case "credential":
			s.Credential = v
		}
	}
	return s, isICE
}
