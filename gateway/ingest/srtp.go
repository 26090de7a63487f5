package ingest

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net/netip"
	"time"

	"github.com/pion/rtp"
	"github.com/pion/srtp/v3"
)

// replayWindow is the SRTP and SRTCP replay window (RFC 3711 §3.3.2 asks for
// at least 64).
const replayWindow = 64

// maxProbes bounds the candidate contexts kept for senders that are not
// latched, so a spray of source ports costs one context each and no memory.
const maxProbes = 4

// rocTrialsPerPacket bounds the rollover counters tried on one packet of
// a fresh sender that did not authenticate with a counter of 0, and
// maxROCGuess the counters tried in all before the search starts over:
// 2^16 rollovers are half a year of a 2,000-packet/s camera.
const (
	rocTrialsPerPacket = 8
	maxROCGuess        = 1 << 16
)

// srtcpIndexLen is the E flag and SRTCP index that end an SRTCP packet
// before its authentication tag (RFC 3711 §3.4).
const srtcpIndexLen = 4

// srtpState holds the SRTP contexts of one source. A pion/srtp Context is
// one-way and not safe for concurrent use, so receive and send have their
// own, all guarded by Source.mu.
type srtpState struct {
	cfg SRTPConfig
	// rx decrypts the latched sender's SRTP and SRTCP; nil while not latched.
	rx *srtp.Context
	// probes authenticate packets from other addresses without touching
	// rx's replay windows; the one that latches becomes rx.
	probes [maxProbes]probe
	// tx protects the RTCP the source sends back.
	tx *srtp.Context
	// spare keeps a packet that may have to be decrypted more than once.
	spare []byte
	// rocTrials counts the rollover counters searchROC tried; the source
	// moves it to its metric.
	rocTrials int
	// tagRTP and tagRTCP are the bytes an SRTP or SRTCP packet carries
	// beyond its plaintext: authentication tag, AEAD tag, SRTCP index.
	tagRTP, tagRTCP, authTagRTCP int
}

type probe struct {
	addr netip.AddrPort
	ctx  *srtp.Context
	used time.Time
	roc  uint32 // the last rollover counter searchROC tried
}

func newSRTPState(cfg SRTPConfig) (*srtpState, error) {
	st := &srtpState{cfg: cfg}
	sendKey, sendSalt := cfg.Key, cfg.Salt
	if cfg.SendKey != nil {
		sendKey, sendSalt = cfg.SendKey, cfg.SendSalt
	}
	tx, err := srtp.CreateContext(sendKey, sendSalt, cfg.Profile)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrSRTP, err)
	}
	st.tx = tx
	authRTP, err1 := cfg.Profile.AuthTagRTPLen()
	authRTCP, err2 := cfg.Profile.AuthTagRTCPLen()
	aead, err3 := cfg.Profile.AEADAuthTagLen()
	if err := errors.Join(err1, err2, err3); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrSRTP, err)
	}
	st.tagRTP = authRTP + aead
	st.tagRTCP = authRTCP + aead + srtcpIndexLen
	st.authTagRTCP = authRTCP
	return st, nil
}

// newRx creates a receive context with replay protection on: pion/srtp's
// default leaves it off.
func (st *srtpState) newRx() (*srtp.Context, error) {
	return srtp.CreateContext(st.cfg.Key, st.cfg.Salt, st.cfg.Profile,
		srtp.SRTPReplayProtection(replayWindow), srtp.SRTCPReplayProtection(replayWindow))
}

// probeFor returns the candidate context for from, creating one and
// evicting the least recently used when the table is full.
func (st *srtpState) probeFor(from netip.AddrPort, now time.Time) (*probe, error) {
	victim := -1
	for i := range st.probes {
		p := &st.probes[i]
		if p.ctx != nil && p.addr == from {
			p.used = now
			return p, nil
		}
		if victim < 0 || st.probes[victim].ctx != nil && (p.ctx == nil || p.used.Before(st.probes[victim].used)) {
			victim = i
		}
	}
	ctx, err := st.newRx()
	if err != nil {
		return nil, err
	}
	st.probes[victim] = probe{addr: from, ctx: ctx, used: now}
	return &st.probes[victim], nil
}

// promote makes from's probe context the receive context.
func (st *srtpState) promote(from netip.AddrPort) {
	for i := range st.probes {
		if p := &st.probes[i]; p.ctx != nil && p.addr == from {
			st.rx = p.ctx
			*p = probe{}
			return
		}
	}
}

// open authenticates and decrypts an SRTP packet in place and reports
// whether a probe context opened it (the sender is fresh). The latched
// sender's packets go to rx. Once that sender has been silent for
// RelatchAfter (stale), a packet rx refuses is tried again with a fresh
// probe context: a camera restarted on the same address, with the same key
// and its sequence numbers starting over, is taken back. rx is tried
// first, on a saved copy, because a fresh context cannot follow a sender
// whose rollover counter has moved past 0.
func (st *srtpState) open(b []byte, from netip.AddrPort, latched, stale bool, hdr *rtp.Header,
	now time.Time) ([]byte, bool, dropReason, bool) {
	if latched && st.rx != nil {
		if !stale {
			out, r, ok := st.decryptRTP(st.rx, b, hdr)
			return out, false, r, ok
		}
		st.spare = append(st.spare[:0], b...)
		if out, _, ok := st.decryptRTP(st.rx, b, hdr); ok {
			return out, false, 0, true
		}
		copy(b, st.spare) // AEAD may have overwritten b
	}
	p, err := st.probeFor(from, now)
	if err != nil {
		return nil, true, dropSRTPAuth, false
	}
	st.spare = append(st.spare[:0], b...)
	out, r, ok := st.decryptRTP(p.ctx, b, hdr)
	if ok || r != dropSRTPAuth {
		return out, true, r, ok
	}
	out, ok = st.searchROC(p, b, hdr)
	if !ok {
		return nil, true, dropSRTPAuth, false
	}
	return out, true, 0, true
}

// searchROC tries the next rocTrialsPerPacket rollover counters on a packet
// of a fresh sender that did not authenticate with a counter of 0 (RFC 3711
// §3.3.1 leaves a receiver that joins late to estimate it): a camera that
// has sent for longer than one turn of its 16-bit sequence numbers when the
// gateway (re)starts is found within a few packets, the packet that
// authenticates fixes the counter, and the replay window starts from it.
// The search goes on from packet to packet, so its cost is bounded per
// datagram and counted (rocTrials). st.spare holds the packet as received.
func (st *srtpState) searchROC(p *probe, b []byte, hdr *rtp.Header) ([]byte, bool) {
	if len(st.spare) < 12 {
		return nil, false
	}
	ssrc := binary.BigEndian.Uint32(st.spare[8:12])
	for range rocTrialsPerPacket {
		p.roc = p.roc%(maxROCGuess-1) + 1
		st.rocTrials++
		copy(b, st.spare) // a failed AEAD open clears b
		p.ctx.SetROC(ssrc, p.roc)
		if out, _, ok := st.decryptRTP(p.ctx, b, hdr); ok {
			return out, true
		}
	}
	p.ctx.SetROC(ssrc, 0) // the next packet tries a restarted camera's 0 first
	copy(b, st.spare)
	return nil, false
}

// rocOf returns the rollover counter from's probe context holds for ssrc.
func (st *srtpState) rocOf(from netip.AddrPort, ssrc uint32) (uint32, bool) {
	for i := range st.probes {
		if p := &st.probes[i]; p.ctx != nil && p.addr == from {
			return p.ctx.ROC(ssrc)
		}
	}
	return 0, false
}

// decryptRTP authenticates and decrypts b in place with ctx and returns the
// plaintext RTP packet (RFC 3711 §3.3). hdr is scratch space.
func (st *srtpState) decryptRTP(ctx *srtp.Context, b []byte, hdr *rtp.Header) ([]byte, dropReason, bool) {
	out, err := ctx.DecryptRTP(b, b, hdr)
	if err != nil {
		return nil, st.rtpFailure(err, b, hdr), false
	}
	return out, 0, true
}

// rtpFailure names why DecryptRTP refused b. pion/srtp exports only the
// authentication error, so the other causes are told apart by checking the
// packet's shape: what is well formed and still refused was a replay.
func (st *srtpState) rtpFailure(err error, b []byte, hdr *rtp.Header) dropReason {
	if errors.Is(err, srtp.ErrFailedToVerifyAuthTag) {
		return dropSRTPAuth
	}
	n, perr := hdr.Unmarshal(b)
	if perr != nil || len(b) < n+st.tagRTP ||
		hdr.ExtensionProfile == rtp.CryptexProfileOneByte || hdr.ExtensionProfile == rtp.CryptexProfileTwoByte {
		return dropMalformed
	}
	return dropSRTPReplay
}

// decryptRTCP authenticates and decrypts an SRTCP compound from the latched
// sender (RFC 3711 §3.4). SRTCP with the E flag clear is refused: the
// source's RTCP must be encrypted.
func (st *srtpState) decryptRTCP(b []byte) ([]byte, dropReason, bool) {
	if st.rx == nil {
		return nil, dropNotLatched, false
	}
	if len(b) < minRTCP+st.tagRTCP {
		return nil, dropRTCPMalformed, false
	}
	if b[len(b)-st.authTagRTCP-srtcpIndexLen]&0x80 == 0 {
		return nil, dropSRTCPUnencrypted, false
	}
	out, err := st.rx.DecryptRTCP(b, b, nil)
	switch {
	case err == nil:
		return out, 0, true
	case errors.Is(err, srtp.ErrFailedToVerifyAuthTag):
		return nil, dropSRTPAuth, false
	default:
		return nil, dropSRTPReplay, false
	}
}

// encryptRTCP protects an RTCP compound the source sends.
func (st *srtpState) encryptRTCP(raw []byte) ([]byte, error) {
	return st.tx.EncryptRTCP(nil, raw, nil)
}
