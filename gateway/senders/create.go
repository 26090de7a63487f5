package senders

import (
	"cmp"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"net/netip"

	"mediagate.dev/mediagate/gateway/api"
	"mediagate.dev/mediagate/gateway/config"
	"mediagate.dev/mediagate/gateway/sendersdp"
)

// plan is a stream about to be created: its table (without a port yet)
// and what its SDP needs.
type plan struct {
	sc        config.Stream
	neg       *sendersdp.Negotiation // the sender's offer; nil when the gateway offers
	crypto    *sendersdp.Crypto      // the gateway's a=crypto line
	answerKey []byte                 // the gateway's key in an answer
}

// CreateStream creates a stream from the sender's offer, or with the
// gateway's own offer when the request has none, and returns its SDP.
func (s *Streams) CreateStream(_ context.Context, req api.SenderRequest) (api.SenderResult, error) {
	cfg := s.Config()
	p, err := s.planStream(cfg, req)
	if err != nil {
		return api.SenderResult{}, err
	}
	if err := checkStream(cfg, &p.sc, p.neg == nil); err != nil {
		return api.SenderResult{}, err
	}
	port, err := s.place(cfg, p.sc)
	if err != nil {
		return api.SenderResult{}, err
	}
	role := "answer"
	if p.neg == nil {
		role = "offer"
	}
	s.met.created(role)
	text, err := p.sdp(advertise(cfg.Senders.ListenIP, cfg.WebRTC.PublicIPs, req.Local), port)
	if err != nil {
		s.drop(p.sc.Name, "sdp_failed")
		return api.SenderResult{}, err
	}
	s.mu.Lock()
	if a := s.streams[p.sc.Name]; a != nil {
		a.sdp = text
	}
	s.mu.Unlock()
	s.log().Info("stream created through the API", "stream", p.sc.Name, "role", role, "port", port,
		"srtp", srtpSuite(p.sc.SRTP), "allow_from", p.sc.AllowFrom)
	return api.SenderResult{Name: p.sc.Name, ViewerToken: p.sc.ViewerToken.Reveal(), SDP: text}, nil
}

// RemoveStream removes a stream created through the API.
func (s *Streams) RemoveStream(name string) error {
	s.mu.Lock()
	_, ok := s.streams[name]
	s.mu.Unlock()
	switch {
	case ok:
		s.drop(name, "deleted")
		return nil
	case configured(s.Config(), name) != nil:
		return fmt.Errorf("%q: %w", name, errConfiguredStream)
	}
	return fmt.Errorf("%q: %w", name, api.ErrUnknownStream)
}

// planStream builds the stream a request asks for: name, token, allowed
// senders, and media and keys from the offer or for the gateway's offer.
func (s *Streams) planStream(cfg *config.Config, req api.SenderRequest) (plan, error) {
	p := plan{sc: config.Stream{Name: req.Name, ViewerToken: config.Secret(req.ViewerToken), AllowFrom: req.AllowFrom}}
	if p.sc.Name == "" {
		p.sc.Name = "api-" + randomHex(6)
	}
	if p.sc.ViewerToken == "" {
		p.sc.ViewerToken = config.Secret(randomToken())
	}
	var err error
	if len(req.Offer) > 0 {
		err = p.fromOffer(req, cfg.Senders.SRTPSuites, s.isLocal)
	} else {
		err = p.forOffer(req, cfg.Senders.OfferSRTP)
	}
	return p, err
}

// fromOffer takes media and the sender's key from its offer, and makes the
// gateway's own key for the answer. The offer's c= becomes allow_from
// unless the request set it; when that address is this host's own (ffmpeg
// writes its destination there), the HTTP client's address stands in.
func (p *plan) fromOffer(req api.SenderRequest, suites []string, isLocal func(netip.Addr) bool) error {
	n, err := sendersdp.Negotiate(req.Offer, sendersdp.Policy{Suites: suites})
	if err != nil {
		return err
	}
	p.neg, p.sc.Video, p.sc.Audio = n, n.Video, n.Audio
	if n.Crypto != nil {
		if p.answerKey, err = sendersdp.NewKey(n.Crypto.Suite); err != nil {
			return err
		}
		// The offerer's key decrypts what it sends; ours, from the answer,
		// protects the RTCP we send back (RFC 4568 §6.1).
		p.sc.SRTP = &config.SRTP{Suite: n.Crypto.Suite,
			Key:     config.Secret(base64.StdEncoding.EncodeToString(n.Crypto.Key)),
			SendKey: config.Secret(base64.StdEncoding.EncodeToString(p.answerKey))}
	}
	if p.sc.AllowFrom == nil {
		src := n.Source
		if src.IsValid() && isLocal(src) {
			src = req.Remote
		}
		if src.IsValid() {
			p.sc.AllowFrom = []string{netip.PrefixFrom(src, src.BitLen()).String()}
		}
	}
	return nil
}

// forOffer makes the media and key of the gateway's own offer: the codecs
// the request names (H.264 by default) and a fresh key that serves both
// directions, as a configured key does.
func (p *plan) forOffer(req api.SenderRequest, defaultSuite string) error {
	codec := cmp.Or(req.Codec, config.CodecH264)
	p.sc.Video = &config.Video{Codec: codec}
	if req.Audio != "" {
		p.sc.Audio = &config.Audio{Codec: req.Audio}
	}
	suite := cmp.Or(req.SRTP, defaultSuite)
	if suite == config.OfferPlainRTP {
		return nil
	}
	key, err := sendersdp.NewKey(suite)
	if err != nil {
		return fmt.Errorf("%w: srtp: %w", errBadStreamRequest, err)
	}
	p.crypto = &sendersdp.Crypto{Tag: 1, Suite: suite, Key: key}
	p.sc.SRTP = &config.SRTP{Suite: suite, Key: config.Secret(base64.StdEncoding.EncodeToString(key))}
	return nil
}

// sdp writes the stream's answer or offer, advertising addr and port.
func (p *plan) sdp(addr netip.Addr, port int) (string, error) {
	if p.neg != nil {
		return p.neg.Answer(sendersdp.Endpoint{Addr: addr, Port: port}, p.answerKey)
	}
	return sendersdp.Description{Name: "mediagate " + p.sc.Name, Addr: addr, Port: port,
		Video: p.sc.Video, Audio: p.sc.Audio, Crypto: p.crypto}.Marshal()
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
