package main

import (
	"fmt"
	"os"
	"strings"

	"github.com/pion/srtp/v3"

	"mediagate.dev/mediagate/gateway/config"
)

// keyEnv is the environment variable that may hold the SRTP key.
const keyEnv = "MEDIAGATE_SRTP_KEY"

// srtpKeys is the keying of an SRTP session: one master key and salt
// protect our SRTP and open the gateway's SRTCP, as a configured stream
// without send_key expects (RFC 4568 allows one key per direction; a
// camera's SDES configuration usually shares one).
type srtpKeys struct {
	suite     string
	profile   srtp.ProtectionProfile
	key, salt []byte
}

// loadSRTP reads the key from -srtp-key-file or MEDIAGATE_SRTP_KEY and
// splits it for -srtp-suite. It returns nil, nil when neither is set
// (plain RTP). Its errors give lengths and sources, never the key.
func loadSRTP(o *options, getenv func(string) string) (*srtpKeys, error) {
	env := strings.TrimSpace(getenv(keyEnv))
	if env != "" && o.SRTPKeyFile != "" {
		return nil, fmt.Errorf("%w: both %s and -srtp-key-file are set; use one", errKey, keyEnv)
	}
	text, from := env, keyEnv
	if o.SRTPKeyFile != "" {
		raw, err := os.ReadFile(o.SRTPKeyFile)
		if err != nil {
			return nil, fmt.Errorf("%w: -srtp-key-file: %w", errKey, err)
		}
		text, from = strings.TrimSpace(string(raw)), "-srtp-key-file"
		if text == "" {
			return nil, fmt.Errorf("%w: -srtp-key-file %s is empty", errKey, o.SRTPKeyFile)
		}
	}
	if text == "" {
		return nil, nil
	}
	profile, err := config.SRTPProfile(o.SRTPSuite)
	if err != nil {
		return nil, fmt.Errorf("%w: -srtp-suite: %w", errFlags, err)
	}
	s := config.SRTP{Suite: o.SRTPSuite, Key: config.Secret(text)}
	key, salt, err := s.MasterKeySalt()
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %w", errKey, from, err)
	}
	return &srtpKeys{suite: o.SRTPSuite, profile: profile, key: key, salt: salt}, nil
}
