package config

import "time"

// Start modes (Start.Mode).
const (
	// StartBridge starts a viewer who joins mid-GOP on a bridge: a key
	// frame of the current picture, encoded for it, and the live pictures
	// until the source's next keyframe, when it switches to the source.
	StartBridge = "bridge"
	// StartWait makes a joining viewer wait for the source's next keyframe.
	StartWait = "wait"
)

// Start is a stream's [stream.start] table: how a viewer who joins between
// the source's keyframes gets its first picture.
type Start struct {
	Mode string `toml:"mode"` // bridge | wait
	// GOPMaxBytes and GOPMaxDuration bound the memory of the source's
	// current group of pictures, which a bridge decodes up to now. A GOP
	// that outgrows them is forgotten until the next keyframe, and viewers
	// who join meanwhile wait.
	GOPMaxBytes    int      `toml:"gop_max_bytes"`
	GOPMaxDuration Duration `toml:"gop_max_duration"`
	// MaxBridged caps the viewers of the stream on a bridge at once; more
	// joiners wait for the keyframe.
	MaxBridged int `toml:"max_bridged"`
	// GracePeriod keeps the bridge's decoder running after its last
	// viewer switched, for the next joiner.
	GracePeriod Duration `toml:"grace_period"`
}

// Defaults and bounds of [stream.start] and webrtc.max_bridges.
const (
	defaultGOPMaxBytes    = 8 << 20
	defaultGOPMaxDuration = 10 * time.Second
	defaultMaxBridged     = 16
	defaultBridgeGrace    = 5 * time.Second
	defaultMaxBridges     = 4
	maxGOPMaxBytes        = 256 << 20
	maxGOPMaxDuration     = time.Minute
	maxMaxBridged         = 1000
	maxMaxBridges         = 256
)

// fillDefaults gives every zero field of s its default.
func (s *Start) fillDefaults() {
	if s.Mode == "" {
		s.Mode = StartBridge
	}
	if s.GOPMaxBytes == 0 {
		s.GOPMaxBytes = defaultGOPMaxBytes
	}
	if s.GOPMaxDuration == 0 {
		s.GOPMaxDuration = Duration(defaultGOPMaxDuration)
	}
	if s.MaxBridged == 0 {
		s.MaxBridged = defaultMaxBridged
	}
	if s.GracePeriod == 0 {
		s.GracePeriod = Duration(defaultBridgeGrace)
	}
}

// validate checks s; key is its path, "stream[i].start".
func (s *Start) validate(p *problems, key string) {
	p.oneOf(key+".mode", s.Mode, []string{StartBridge, StartWait})
	p.intIn(key+".gop_max_bytes", s.GOPMaxBytes, 64<<10, maxGOPMaxBytes)
	p.durationIn(key+".gop_max_duration", s.GOPMaxDuration, time.Second, maxGOPMaxDuration)
	p.intIn(key+".max_bridged", s.MaxBridged, 1, maxMaxBridged)
	p.durationIn(key+".grace_period", s.GracePeriod, 0, maxGracePeriod)
}
