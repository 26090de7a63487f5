package srtpseam

import (
	"crypto/sha256"
	"crypto/sha512"
	"errors"
	"fmt"
	"hash"
	"net/netip"

	"github.com/pion/dtls/v3"
	"github.com/pion/dtls/v3/pkg/crypto/prf"
	"github.com/pion/srtp/v3"
)

// Errors of the seam.
var (
	ErrNoKeyLog      = errors.New("srtpseam: no key-log line yet")
	ErrNoHandshake   = errors.New("srtpseam: no hellos seen for the logged client random")
	ErrProfile       = errors.New("srtpseam: unsupported SRTP protection profile")
	ErrExporterInput = errors.New("srtpseam: exporter context is not supported")
)

// Keys derives the SRTP master keys of the viewer whose handshake log is
// log from the hellos conn saw: Local* are the gateway's write keys, Remote*
// the viewer's. The returned Config's Profile is the negotiated one.
func Keys(log *KeyLog, conn *Conn) (srtp.Config, Handshake, error) {
	cr, ms, ok := log.Latest()
	if !ok {
		return srtp.Config{}, Handshake{}, ErrNoKeyLog
	}
	defer clear(ms)
	hs, ok := conn.Handshake(cr)
	if !ok {
		return srtp.Config{}, hs, ErrNoHandshake
	}
	cfg, err := KeysFrom(ms, hs)
	return cfg, hs, err
}

// KeysWith derives the SRTP master keys of the session whose DTLS
// handshake ran between conn and remote, from a KeyLog that every session
// shares, and forgets that handshake's secret and hellos.
func KeysWith(log *KeyLog, conn *Conn, remote netip.AddrPort) (srtp.Config, Handshake, error) {
	hs, ok := conn.HandshakeWith(remote)
	if !ok {
		return srtp.Config{}, hs, ErrNoHandshake
	}
	conn.Forget(hs.ClientRandom)
	ms, ok := log.Take(hs.ClientRandom)
	if !ok {
		return srtp.Config{}, hs, ErrNoKeyLog
	}
	defer clear(ms)
	cfg, err := KeysFrom(ms, hs)
	return cfg, hs, err
}

// KeysFrom runs the DTLS-SRTP exporter (RFC 5764 §4.2) on a master secret
// and the hellos of its handshake, and splits the output with pion/srtp's
// Config.ExtractSessionKeysFromDTLS, the same code pion runs.
func KeysFrom(masterSecret []byte, hs Handshake) (srtp.Config, error) {
	profile, err := srtpProfile(hs.SRTPProfile)
	if err != nil {
		return srtp.Config{}, err
	}
	cfg := srtp.Config{Profile: profile}
	ex := exporter{ms: masterSecret, cr: hs.ClientRandom, sr: hs.ServerRandom, hash: prfHash(hs.CipherSuite)}
	if err := cfg.ExtractSessionKeysFromDTLS(ex, hs.IsClient); err != nil {
		return srtp.Config{}, err
	}
	return cfg, nil
}

// exporter is the TLS 1.2 keying-material exporter (RFC 5705 §4) over a
// logged master secret: P_hash(master_secret, label + client_random +
// server_random). Extended master secret (RFC 7627) changes only how the
// master secret was made, not this.
type exporter struct {
	ms     []byte
	cr, sr [randomLen]byte
	hash   func() hash.Hash
}

// ExportKeyingMaterial implements srtp.KeyingMaterialExporter.
func (e exporter) ExportKeyingMaterial(label string, context []byte, length int) ([]byte, error) {
	if len(context) != 0 {
		return nil, ErrExporterInput
	}
	seed := make([]byte, 0, len(label)+2*randomLen)
	seed = append(append(append(seed, label...), e.cr[:]...), e.sr[:]...)
	return prf.PHash(e.ms, seed, length, e.hash)
}

// prfHash is the TLS 1.2 PRF hash of a DTLS cipher suite: SHA-384 for the
// *_SHA384 suites, SHA-256 for every other suite pion offers (pion's
// AES_256_CBC_SHA suites use the TLS 1.2 default, SHA-256).
func prfHash(suite uint16) func() hash.Hash {
	switch dtls.CipherSuiteID(suite) {
	case dtls.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384, dtls.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384:
		return sha512.New384
	default:
		return sha256.New
	}
}

// srtpProfile maps a use_srtp profile to pion/srtp's, as pion does.
func srtpProfile(p uint16) (srtp.ProtectionProfile, error) {
	switch dtls.SRTPProtectionProfile(p) {
	case dtls.SRTP_AEAD_AES_128_GCM:
		return srtp.ProtectionProfileAeadAes128Gcm, nil
	case dtls.SRTP_AEAD_AES_256_GCM:
		return srtp.ProtectionProfileAeadAes256Gcm, nil
	case dtls.SRTP_AES128_CM_HMAC_SHA1_80:
		return srtp.ProtectionProfileAes128CmHmacSha1_80, nil
	case dtls.SRTP_AES128_CM_HMAC_SHA1_32:
		return srtp.ProtectionProfileAes128CmHmacSha1_32, nil
	default:
		return 0, fmt.Errorf("%w: 0x%04x", ErrProfile, p)
	}
}
