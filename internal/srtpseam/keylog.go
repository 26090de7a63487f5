package srtpseam

import (
	"bytes"
	"encoding/hex"
	"slices"
	"sync"
)

// keyLogLabel is the NSS key-log label pion/dtls writes for DTLS 1.2.
const keyLogLabel = "CLIENT_RANDOM"

// randomLen is the length of a TLS/DTLS hello random.
const randomLen = 32

// maxSecrets bounds a KeyLog that every session of a SettingEngine shares:
// secrets nobody takes (a WHIP publisher's, a viewer that never got to
// media) are dropped oldest first, and zeroed.
const maxSecrets = 1024

// maxLine bounds a key-log line (pion writes about 180 bytes).
const maxLine = 1024

// KeyLog is an io.Writer for webrtc.SettingEngine.SetDTLSKeyLogWriter that
// keeps the master secrets in memory, keyed by client random, and writes
// them nowhere. A KeyLog may serve one PeerConnection (Latest is its
// handshake) or every PeerConnection of a SettingEngine (Take finds each
// one's by client random). Its zero value is ready to use.
type KeyLog struct {
	mu      sync.Mutex
	pending []byte
	secrets map[[randomLen]byte][]byte
	order   [][randomLen]byte // client randoms, oldest first, for the bound
	last    [randomLen]byte
	lines   int
}

// Write parses NSS key-log lines. Lines with another label or a malformed
// field are dropped; it never fails, so pion never logs a write error.
func (k *KeyLog) Write(p []byte) (int, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.pending = append(k.pending, p...)
	for {
		i := bytes.IndexByte(k.pending, '\n')
		if i < 0 {
			if len(k.pending) > maxLine {
				clear(k.pending)
				k.pending = k.pending[:0]
			}
			return len(p), nil
		}
		k.parseLine(k.pending[:i])
		clear(k.pending[:i+1])
		k.pending = k.pending[i+1:]
	}
}

func (k *KeyLog) parseLine(line []byte) {
	f := bytes.Fields(line)
	if len(f) != 3 || string(f[0]) != keyLogLabel || hex.DecodedLen(len(f[1])) != randomLen {
		return
	}
	var cr [randomLen]byte
	ms := make([]byte, hex.DecodedLen(len(f[2])))
	if _, err := hex.Decode(cr[:], f[1]); err != nil {
		return
	}
	if _, err := hex.Decode(ms, f[2]); err != nil {
		return
	}
	if k.secrets == nil {
		k.secrets = make(map[[randomLen]byte][]byte)
	}
	if old, ok := k.secrets[cr]; ok {
		clear(old)
	} else {
		k.order = append(k.order, cr)
	}
	k.secrets[cr] = ms
	k.last = cr
	k.lines++
	for len(k.order) > maxSecrets {
		k.drop(k.order[0])
		k.order = k.order[1:]
	}
}

// drop zeroes and forgets one secret.
func (k *KeyLog) drop(cr [randomLen]byte) {
	if ms, ok := k.secrets[cr]; ok {
		clear(ms)
		delete(k.secrets, cr)
	}
}

// Take returns the master secret of the handshake with this client random
// and forgets it, and false when none was logged (or it was taken). The
// caller zeroes the secret once it has derived its keys.
func (k *KeyLog) Take(clientRandom [randomLen]byte) ([]byte, bool) {
	k.mu.Lock()
	defer k.mu.Unlock()
	ms, ok := k.secrets[clientRandom]
	if !ok {
		return nil, false
	}
	delete(k.secrets, clientRandom)
	if i := slices.Index(k.order, clientRandom); i >= 0 {
		k.order = slices.Delete(k.order, i, i+1)
	}
	return ms, true
}

// Latest returns the client random and master secret of the newest
// handshake, and false when none was logged yet.
func (k *KeyLog) Latest() (clientRandom [randomLen]byte, masterSecret []byte, ok bool) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.lines == 0 {
		return clientRandom, nil, false
	}
	return k.last, bytes.Clone(k.secrets[k.last]), true
}

// Lines is how many key-log lines were parsed: more than one means the
// DTLS handshake ran again (a retried or renewed handshake).
func (k *KeyLog) Lines() int {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.lines
}

// Forget zeroes and drops every secret, as a viewer's Close must.
func (k *KeyLog) Forget() {
	k.mu.Lock()
	defer k.mu.Unlock()
	for cr := range k.secrets {
		k.drop(cr)
	}
	k.order = nil
	clear(k.pending)
	k.pending = nil
}
