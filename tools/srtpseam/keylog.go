package srtpseam

import (
	"bytes"
	"encoding/hex"
	"sync"
)

// keyLogLabel is the NSS key-log label pion/dtls writes for DTLS 1.2.
const keyLogLabel = "CLIENT_RANDOM"

// randomLen is the length of a TLS/DTLS hello random.
const randomLen = 32

// KeyLog is an io.Writer for webrtc.SettingEngine.SetDTLSKeyLogWriter that
// keeps the master secrets in memory, keyed by client random, and writes
// them nowhere. One KeyLog serves one PeerConnection (a SettingEngine per
// viewer), so the newest line is that viewer's handshake. Its zero value is
// ready to use.
type KeyLog struct {
	mu      sync.Mutex
	pending []byte
	secrets map[[randomLen]byte][]byte
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
	k.secrets[cr] = ms
	k.last = cr
	k.lines++
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
	for cr, ms := range k.secrets {
		clear(ms)
		delete(k.secrets, cr)
	}
	clear(k.pending)
	k.pending = nil
}
