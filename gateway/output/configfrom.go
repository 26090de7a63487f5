package output

import (
	"errors"
	"fmt"
	"net"

	"mediagate.dev/mediagate/gateway/config"
	"mediagate.dev/mediagate/gateway/stream"
)

// ConfigFrom turns a stream's [stream.output] table into the Config of an
// Output of st: the receiver's name resolved, the SRTP key decoded, the
// payload types taken from [stream.video] and [stream.audio]. sc.Output
// must be set. Errors name the stream and the key at fault, never the
// secret. Log and Metrics are left for the caller.
func ConfigFrom(sc config.Stream, st *stream.Stream) (Config, error) {
	oc := sc.Output
	ua, err := net.ResolveUDPAddr("udp", oc.Address)
	if err != nil {
		return Config{}, fmt.Errorf("stream %q: output.address: %w", sc.Name, err)
	}
	cfg := Config{Name: sc.Name, Stream: st, Remote: ua.AddrPort(), Listen: oc.Listen}
	if sc.Video != nil {
		cfg.VideoPayloadType = uint8(sc.Video.PayloadType)
	}
	if sc.Audio != nil {
		cfg.AudioPayloadType = uint8(sc.Audio.PayloadType)
	}
	if oc.SRTP != nil {
		profile, err1 := config.SRTPProfile(oc.SRTP.Suite)
		key, salt, err2 := oc.SRTP.MasterKeySalt()
		if err := errors.Join(err1, err2); err != nil {
			return Config{}, fmt.Errorf("stream %q: output.srtp: %w", sc.Name, err)
		}
		cfg.SRTP = &SRTPConfig{Profile: profile, Key: key, Salt: salt}
	}
	return cfg, nil
}

// startKey is what a Manager starts an Output from: when it changes, the
// Output is restarted.
type startKey struct {
	table            config.Output
	videoPT, audioPT int
}

// keyOf returns the startKey of a stream whose table has [stream.output].
func keyOf(sc config.Stream) startKey {
	k := startKey{table: *sc.Output, videoPT: -1, audioPT: -1}
	if sc.Video != nil {
		k.videoPT = sc.Video.PayloadType
	}
	if sc.Audio != nil {
		k.audioPT = sc.Audio.PayloadType
	}
	return k
}
