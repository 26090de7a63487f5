package gateway

import (
	"cmp"
	"context"
	"encoding/base64"
	"fmt"
	"net/http"
	"net/netip"
	"sync"
	"time"

	"mediagate.dev/mediagate/gateway/api"
	"mediagate.dev/mediagate/gateway/config"
	"mediagate.dev/mediagate/gateway/sendersdp"
)

// senderStreams holds the streams created through the sender API. They
// live in the hub and the sources map like configured streams but never in
// the config, so a reload, which applies the difference between two
// configs, never touches them.
type senderStreams struct {
	mu      sync.Mutex
	streams map[string]*apiStream
	cursor  int // where the next port search starts in ingest.port_range
	isLocal func(netip.Addr) bool
	met     *senderMetrics

	stopOnce sync.Once
	stop     chan struct{}
	done     chan struct{}
}

// apiStream is one stream created through the API.
type apiStream struct {
	token string
	sdp   string // the answer or offer it was created with
	// silentSince is when its sender last went silent (its creation when it
	// never sent); zero while it sends.
	silentSince time.Time
}

// startSenders sets up the sender API's streams and starts the goroutine
// that removes the silent ones. New calls it.
func (g *Gateway) startSenders() {
	g.senders = &senderStreams{
		streams: make(map[string]*apiStream),
		isLocal: hostHasAddr,
		met:     newSenderMetrics(g.reg),
		stop:    make(chan struct{}),
		done:    make(chan struct{}),
	}
	go g.reapSilent()
}

// stopSenders stops the reaper; closeAll closes the streams' sources with
// every other source. It is idempotent.
func (g *Gateway) stopSenders() {
	if g.senders == nil {
		return
	}
	g.senders.stopOnce.Do(func() { close(g.senders.stop) })
	<-g.senders.done
}

// senderRoutes registers the sender API beside the API handler h.
func (g *Gateway) senderRoutes(mux *http.ServeMux, h *api.Handler) {
	(&api.Senders{API: h, Streams: senderAPI{g}, Classify: classifySenderError,
		MaxBodyBytes: g.config().HTTP.MaxBodyBytes}).Routes(mux)
}

// senderAPI is the gateway as the sender API sees it.
type senderAPI struct{ g *Gateway }

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
func (a senderAPI) CreateStream(_ context.Context, req api.SenderRequest) (api.SenderResult, error) {
	g := a.g
	cfg := g.config()
	p, err := g.planStream(cfg, req)
	if err != nil {
		return api.SenderResult{}, err
	}
	if err := checkStream(cfg, &p.sc, p.neg == nil); err != nil {
		return api.SenderResult{}, err
	}
	port, err := g.placeStream(cfg, p.sc)
	if err != nil {
		return api.SenderResult{}, err
	}
	role := "answer"
	if p.neg == nil {
		role = "offer"
	}
	g.senders.met.created(role)
	text, err := p.sdp(advertise(cfg.Senders.ListenIP, cfg.WebRTC.PublicIPs, req.Local), port)
	if err != nil {
		g.dropSender(p.sc.Name, "sdp_failed")
		return api.SenderResult{}, err
	}
	g.senders.mu.Lock()
	if s := g.senders.streams[p.sc.Name]; s != nil {
		s.sdp = text
	}
	g.senders.mu.Unlock()
	g.log.Info("stream created through the API", "stream", p.sc.Name, "role", role, "port", port,
		"srtp", srtpSuite(p.sc.SRTP), "allow_from", p.sc.AllowFrom)
	return api.SenderResult{Name: p.sc.Name, ViewerToken: p.sc.ViewerToken.Reveal(), SDP: text}, nil
}

// planStream builds the stream a request asks for: name, token, allowed
// senders, and media and keys from the offer or for the gateway's offer.
func (g *Gateway) planStream(cfg *config.Config, req api.SenderRequest) (plan, error) {
	p := plan{sc: config.Stream{Name: req.Name, ViewerToken: config.Secret(req.ViewerToken), AllowFrom: req.AllowFrom}}
	if p.sc.Name == "" {
		p.sc.Name = "api-" + randomHex(6)
	}
	if p.sc.ViewerToken == "" {
		p.sc.ViewerToken = config.Secret(randomToken())
	}
	var err error
	if len(req.Offer) > 0 {
		err = p.fromOffer(req, cfg.Senders.SRTPSuites, g.senders.isLocal)
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

// RemoveStream removes a stream created through the API.
func (a senderAPI) RemoveStream(name string) error {
	g := a.g
	g.senders.mu.Lock()
	_, ok := g.senders.streams[name]
	g.senders.mu.Unlock()
	switch {
	case ok:
		g.dropSender(name, "deleted")
		return nil
	case streamNamed(g.config(), name) != nil:
		return fmt.Errorf("%q: %w", name, errConfiguredStream)
	}
	return fmt.Errorf("%q: %w", name, api.ErrUnknownStream)
}

// dropSender forgets an API-created stream and removes it with its viewers.
func (g *Gateway) dropSender(name, reason string) {
	g.senders.mu.Lock()
	_, ok := g.senders.streams[name]
	delete(g.senders.streams, name)
	g.senders.mu.Unlock()
	if ok {
		g.removeStream(name)
		g.senders.met.removed(reason)
		g.log.Info("API-created stream removed", "stream", name, "reason", reason)
	}
}
