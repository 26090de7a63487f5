package config

import (
	"errors"
	"fmt"
	"strings"

	"github.com/pion/srtp/v3"
)

// srtpSuites maps the SDES crypto-suite names (RFC 4568 §6.2, RFC 6188 §7.1,
// RFC 7714 §14.2) to pion's protection profiles, in the order messages list
// them.
var srtpSuites = []struct {
	name    string
	profile srtp.ProtectionProfile
}{
	{"AES_CM_128_HMAC_SHA1_80", srtp.ProtectionProfileAes128CmHmacSha1_80},
	{"AES_CM_128_HMAC_SHA1_32", srtp.ProtectionProfileAes128CmHmacSha1_32},
	{"AES_256_CM_HMAC_SHA1_80", srtp.ProtectionProfileAes256CmHmacSha1_80},
	{"AES_256_CM_HMAC_SHA1_32", srtp.ProtectionProfileAes256CmHmacSha1_32},
	{"AEAD_AES_128_GCM", srtp.ProtectionProfileAeadAes128Gcm},
	{"AEAD_AES_256_GCM", srtp.ProtectionProfileAeadAes256Gcm},
}

// suiteNames lists the supported suites as "a | b | …".
func suiteNames() string {
	names := make([]string, len(srtpSuites))
	for i, s := range srtpSuites {
		names[i] = s.name
	}
	return oneOf(names)
}

// SRTPProfile returns pion's protection profile for an SDES suite name such
// as "AES_CM_128_HMAC_SHA1_80". It returns ErrNullSuite for the NULL cipher
// suites, which do not encrypt, and ErrUnknownSuite for any other name.
func SRTPProfile(suite string) (srtp.ProtectionProfile, error) {
	for _, s := range srtpSuites {
		if s.name == suite {
			return s.profile, nil
		}
	}
	if strings.HasPrefix(strings.ToUpper(suite), "NULL") {
		return 0, fmt.Errorf("%w: %s", ErrNullSuite, quote(suite))
	}
	return 0, fmt.Errorf("%w: %s; use one of %s", ErrUnknownSuite, quote(suite), suiteNames())
}

// MasterKeySalt decodes the key (standard base64, padding optional) and
// splits it into the suite's master key and master salt, ready for
// srtp.CreateContext. Its errors give lengths, never the key.
func (s *SRTP) MasterKeySalt() (key, salt []byte, err error) {
	return s.split(s.Key)
}

// SendMasterKeySalt is MasterKeySalt for the key that protects what the
// gateway sends back (RTCP): SendKey when set, else Key. RFC 4568 gives each
// direction its own key; a configured camera usually shares one.
func (s *SRTP) SendMasterKeySalt() (key, salt []byte, err error) {
	if !s.SendKey.IsSet() {
		return s.MasterKeySalt()
	}
	return s.split(s.SendKey)
}

func (s *SRTP) split(secret Secret) (key, salt []byte, err error) {
	profile, err := SRTPProfile(s.Suite)
	if err != nil {
		return nil, nil, err
	}
	keyLen, err := profile.KeyLen()
	if err != nil {
		return nil, nil, err
	}
	saltLen, err := profile.SaltLen()
	if err != nil {
		return nil, nil, err
	}
	raw, err := decodeBase64(secret.Reveal())
	if err != nil {
		// err names only an offset, such as "illegal base64 data at input
		// byte 7", never the data.
		return nil, nil, &keyError{ErrKeyEncoding,
			fmt.Sprintf("must be standard base64 (A-Z a-z 0-9 + /, padding optional): %v", err)}
	}
	if len(raw) != keyLen+saltLen {
		return nil, nil, &keyError{ErrKeyLength,
			fmt.Sprintf("must decode to %d bytes for %s (got %d)", keyLen+saltLen, s.Suite, len(raw))}
	}
	return raw[:keyLen:keyLen], raw[keyLen:], nil
}

// keyError is a problem with an SRTP key: its class and a message that
// never holds the key.
type keyError struct {
	class error
	msg   string
}

func (e *keyError) Error() string { return e.class.Error() + ": " + e.msg }
func (e *keyError) Unwrap() error { return e.class }

// validate checks the suite and the key; key is the table's path.
func (s *SRTP) validate(p *problems, key string) {
	if _, err := SRTPProfile(s.Suite); err != nil {
		p.add(key+".suite", "%v", err)
		return
	}
	if !s.Key.IsSet() {
		p.add(key+".key", "required: base64 of the master key and salt, such as `openssl rand -base64 30` prints")
		return
	}
	addKeyProblem(p, key+".key", func() error { _, _, err := s.MasterKeySalt(); return err })
	if s.SendKey.IsSet() {
		addKeyProblem(p, key+".send_key", func() error { _, _, err := s.SendMasterKeySalt(); return err })
	}
}

// addKeyProblem records check's error under key, by its message alone.
func addKeyProblem(p *problems, key string, check func() error) {
	if err := check(); err != nil {
		var ke *keyError
		if errors.As(err, &ke) {
			p.add(key, "%s", ke.msg)
		} else {
			p.add(key, "%v", err)
		}
	}
}
