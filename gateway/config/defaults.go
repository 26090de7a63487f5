package config

import (
	"strings"
	"time"
)

// Global defaults (see configs/mediagate.toml for what each one means).
const (
	defaultHTTPListen   = "0.0.0.0:8080"
	defaultMaxBodyBytes = 64 << 10
	defaultICEPort      = 8189
	defaultMaxSessions  = 500
	defaultQueueDepth   = 512
	// defaultReadBuffer holds a whole datagram of a 1500-byte MTU with room
	// to spare; anything larger than ReadBuffer is dropped as truncated.
	defaultReadBuffer   = 2048
	defaultSocketBuffer = 4 << 20
)

// Per-stream defaults, applied by Stream.FillDefaults.
const (
	defaultRelatchAfter     = 3 * time.Second
	defaultMaxViewers       = 100
	defaultKeyframeInterval = time.Second
	defaultSRTPSuite        = "AES_CM_128_HMAC_SHA1_80"
)

// defaultAllowFrom admits any IPv4 or IPv6 sender.
func defaultAllowFrom() []string { return []string{"0.0.0.0/0", "::/0"} }

// Default returns a Config holding every global default and no streams. Each
// call returns fresh slices, so callers (and the decoder) may modify them.
func Default() *Config {
	return &Config{
		Log: Log{Level: "info", Format: "text"},
		HTTP: HTTP{
			Listen:            defaultHTTPListen,
			CORSOrigins:       []string{"*"},
			FrameAncestors:    []string{},
			MaxBodyBytes:      defaultMaxBodyBytes,
			ReadHeaderTimeout: Duration(5 * time.Second),
			ReadTimeout:       Duration(10 * time.Second),
			WriteTimeout:      Duration(10 * time.Second),
			IdleTimeout:       Duration(60 * time.Second),
		},
		WebRTC: WebRTC{
			UDPPort:      defaultICEPort,
			TCPPort:      defaultICEPort,
			MaxSessions:  defaultMaxSessions,
			SetupTimeout: Duration(15 * time.Second),
			QueueDepth:   defaultQueueDepth,
			MaxBridges:   defaultMaxBridges,
			FastPath:     true,
		},
		Ingest: Ingest{
			ReadBuffer:             defaultReadBuffer,
			SocketBuffer:           defaultSocketBuffer,
			SourceTimeout:          Duration(5 * time.Second),
			ReceiverReportInterval: Duration(time.Second),
			PortRange:              defaultPortRange,
		},
		Senders: defaultSenders(),
		Turn:    defaultTurn(),
	}
}

// FillDefaults gives every empty or zero field of s its default, lowers the
// codec names and the H.264 profile-level-id, and leaves set fields alone.
// Load calls it for each [[stream]]; code that builds a Stream itself (the
// API) calls it before Validate.
func (s *Stream) FillDefaults() {
	if s.Source == "" {
		s.Source = SourceRTP
	}
	if len(s.AllowFrom) == 0 {
		s.AllowFrom = defaultAllowFrom()
	}
	if s.Latch == "" {
		s.Latch = LatchFirst
	}
	if s.RelatchAfter == 0 {
		s.RelatchAfter = Duration(defaultRelatchAfter)
	}
	if s.MaxViewers == 0 {
		s.MaxViewers = defaultMaxViewers
	}
	if s.KeyframeRequest == "" {
		s.KeyframeRequest = KeyframePLI
	}
	if s.KeyframeInterval == 0 {
		s.KeyframeInterval = Duration(defaultKeyframeInterval)
	}
	if s.Video != nil {
		s.Video.fillDefaults()
	}
	if s.Audio != nil {
		s.Audio.fillDefaults()
	}
	if s.SRTP != nil && s.SRTP.Suite == "" {
		s.SRTP.Suite = defaultSRTPSuite
	}
	s.Transcode.fillDefaults()
	s.REMB.fillDefaults()
	s.Start.fillDefaults()
	for i := range s.Forward {
		s.Forward[i].fillDefaults()
	}
	if s.Source == SourceWHEP && s.WHEPLinger == 0 {
		s.WHEPLinger = Duration(defaultWHEPLinger)
	}
}

func (v *Video) fillDefaults() {
	v.Codec = strings.ToLower(v.Codec)
	if v.PayloadType == 0 {
		v.PayloadType = defaultVideoPT
	}
	if v.ClockRate == 0 {
		v.ClockRate = videoClockRate
	}
	if v.Codec == CodecH264 {
		if v.ProfileLevelID == "" {
			v.ProfileLevelID = defaultProfileLevelID
		}
		v.ProfileLevelID = strings.ToLower(v.ProfileLevelID)
	}
}

func (a *Audio) fillDefaults() {
	a.Codec = strings.ToLower(a.Codec)
	c, ok := audioCodecs[a.Codec]
	if !ok {
		return
	}
	if a.PayloadType == 0 {
		a.PayloadType = c.payloadType
	}
	if a.ClockRate == 0 {
		a.ClockRate = c.clockRate
	}
	if a.Channels == 0 {
		a.Channels = c.channels
	}
}
