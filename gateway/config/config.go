package config

import "time"

// Config is the whole mediagate configuration file, as decoded from TOML.
// It is pure data: Load fills it in the fixed order defaults → strict decode →
// Validate, and nothing in it changes after that.
type Config struct {
	Log     Log      `toml:"log"`
	HTTP    HTTP     `toml:"http"`
	WebRTC  WebRTC   `toml:"webrtc"`
	Ingest  Ingest   `toml:"ingest"`
	Streams []Stream `toml:"stream"`
	// Debug holds test-only fault injection; see Debug.
	Debug Debug `toml:"debug"`
	// Senders configures the streams created through the sender API.
	Senders Senders `toml:"senders"`
	// Webhooks are the receivers every event is POSTed to.
	Webhooks []Webhook `toml:"webhook"`
	// Turn configures the built-in TURN server; see Turn.
	Turn Turn `toml:"turn"`
}

// Log selects how much the gateway logs and in which format.
type Log struct {
	Level  string `toml:"level"`  // debug | info | warn | error
	Format string `toml:"format"` // text | json
}

// HTTP configures the listener that serves WHEP, the API, metrics and the
// player page.
type HTTP struct {
	Listen      string   `toml:"listen"`
	AdminToken  Secret   `toml:"admin_token"`
	CORSOrigins []string `toml:"cors_origins"`
	// FrameAncestors are the origins whose pages may embed the player
	// pages in a frame (CSP frame-ancestors); empty allows none.
	FrameAncestors    []string `toml:"frame_ancestors"`
	MaxBodyBytes      int64    `toml:"max_body_bytes"`
	ReadHeaderTimeout Duration `toml:"read_header_timeout"`
	ReadTimeout       Duration `toml:"read_timeout"`
	WriteTimeout      Duration `toml:"write_timeout"`
	IdleTimeout       Duration `toml:"idle_timeout"`
	// TLS is the HTTPS listener beside this one; see TLS.
	TLS TLS `toml:"tls"`
}

// WebRTC configures ICE and the viewer sessions.
type WebRTC struct {
	UDPPort int `toml:"udp_port"` // one UDP port for all ICE traffic
	TCPPort int `toml:"tcp_port"` // ICE-TCP passive port; 0 disables it
	// Interfaces restricts ICE to these network interfaces; empty means all.
	Interfaces []string `toml:"interfaces"`
	// PublicIPs are NAT 1:1 addresses announced instead of the local ones.
	PublicIPs []string `toml:"public_ips"`
	// IncludeLoopback gathers loopback candidates (tests, single-host setups).
	IncludeLoopback bool `toml:"include_loopback"`
	// MaxSessions caps viewer sessions across all streams.
	MaxSessions int `toml:"max_sessions"`
	// SetupTimeout reclaims sessions that never reach ICE connected.
	SetupTimeout Duration `toml:"setup_timeout"`
	// QueueDepth is the number of packets each viewer track may buffer.
	QueueDepth int `toml:"queue_depth"`
	// MaxBridges caps the bridges (a decoder and an encoder each, see
	// Start) running at once across all streams; a joiner past it waits
	// for its stream's keyframe.
	MaxBridges int `toml:"max_bridges"`
	// FastPath sends viewers on the gateway's UDP sockets in one pass per
	// packet with sendmmsg (egress's fan-out); false sends every viewer's
	// packets through pion, one write each.
	FastPath bool `toml:"fast_path"`
}

// Ingest holds settings shared by every RTP source.
type Ingest struct {
	// ReadBuffer is the largest datagram accepted; larger ones are dropped.
	ReadBuffer int `toml:"read_buffer"`
	// SocketBuffer sets SO_RCVBUF on each ingest socket (bytes; 0 = OS default).
	SocketBuffer int `toml:"socket_buffer"`
	// SourceTimeout is how long a silent source stays "up".
	SourceTimeout Duration `toml:"source_timeout"`
	// ReceiverReportInterval is how often RTCP receiver reports go back.
	ReceiverReportInterval Duration `toml:"receiver_report_interval"`
	// PortRange is "first-last", the UDP ports of API-created streams.
	PortRange string `toml:"port_range"`
}

// Stream is one [[stream]] table: a camera or encoder and how viewers reach it.
type Stream struct {
	Name   string `toml:"name"`
	Source string `toml:"source"` // rtp | testpattern | whip | whep
	// Listen is the UDP address for RTP; RTCP is muxed on it unless RTCPListen is set.
	Listen     string   `toml:"listen"`
	RTCPListen string   `toml:"rtcp_listen"`
	AllowFrom  []string `toml:"allow_from"` // CIDRs a sender may use
	// Latch is the latching policy: "first" (latch the first allowed sender and
	// re-latch only after RelatchAfter of silence) or "strict" (never re-latch
	// to another address while the source is up).
	Latch        string   `toml:"latch"`
	RelatchAfter Duration `toml:"relatch_after"`
	ViewerToken  Secret   `toml:"viewer_token"`
	MaxViewers   int      `toml:"max_viewers"`
	// Keyframe requests sent to the sender: "pli" or "fir", at most one per KeyframeInterval.
	KeyframeRequest  string   `toml:"keyframe_request"`
	KeyframeInterval Duration `toml:"keyframe_interval"`
	Video            *Video   `toml:"video"`
	Audio            *Audio   `toml:"audio"`
	SRTP             *SRTP    `toml:"srtp"`
	// Transcode configures on-demand transcoding for viewers that cannot
	// take the source's codec; see Transcode.
	Transcode Transcode `toml:"transcode"`
	// REMB configures the REMB sent to the stream's sender; see REMB.
	REMB REMB `toml:"remb"`
	// Start configures how a viewer who joins between keyframes starts;
	// see Start.
	Start Start `toml:"start"`
	// Output, when set, sends the stream on to an RTP/SRTP receiver.
	Output *Output `toml:"output"`
	// PublishToken is the bearer token a WHIP publisher must present
	// (source "whip" only).
	PublishToken Secret `toml:"publish_token"`
	// Forward publishes the stream by WHIP to other servers while it has
	// a source; see Forward.
	Forward []Forward `toml:"forward"`
	// WHEPURL is the WHEP endpoint a stream whose source is "whep" pulls
	// from, such as "http://origin:8080/whep/cam1".
	WHEPURL string `toml:"whep_url"`
	// WHEPToken and WHEPTokenFile are the bearer token for that endpoint
	// (the origin stream's viewer_token), as in Forward.
	WHEPToken     Secret `toml:"whep_token"`
	WHEPTokenFile string `toml:"whep_token_file"`
	// WHEPLinger is how long the pull stays connected after its last
	// consumer (viewer, output, forward, rendition) left.
	WHEPLinger Duration `toml:"whep_linger"`
}

// Video describes the video the sender pushes.
type Video struct {
	Codec       string `toml:"codec"` // h264 | h265 | vp8
	PayloadType int    `toml:"payload_type"`
	ClockRate   int    `toml:"clock_rate"`
	// ProfileLevelID is the H.264 profile-level-id the camera sends (hex, 6 digits).
	ProfileLevelID string `toml:"profile_level_id"`
	// SpropParameterSets carries SPS,PPS (base64, comma separated) for cameras
	// that send them only out of band.
	SpropParameterSets string `toml:"sprop_parameter_sets"`
	// SpropVPS, SpropSPS and SpropPPS carry an H.265 camera's parameter
	// sets (base64 NAL units, RFC 7798 §7.1's sprop-vps, sprop-sps and
	// sprop-pps) for cameras that send them only out of band: all three or
	// none.
	SpropVPS string `toml:"sprop_vps"`
	SpropSPS string `toml:"sprop_sps"`
	SpropPPS string `toml:"sprop_pps"`
}

// Audio describes the audio the sender pushes.
type Audio struct {
	Codec       string `toml:"codec"` // opus | pcmu | pcma
	PayloadType int    `toml:"payload_type"`
	ClockRate   int    `toml:"clock_rate"`
	Channels    int    `toml:"channels"`
}

// SRTP holds the SDES keying for an SRTP source.
type SRTP struct {
	Suite string `toml:"suite"` // e.g. AES_CM_128_HMAC_SHA1_80
	Key   Secret `toml:"key"`   // base64 master key || master salt
	// SendKey, when set, protects what the gateway sends back (RTCP) instead
	// of Key: SDES gives each direction its own key (RFC 4568 §6.1).
	SendKey Secret `toml:"send_key"`
}

// Duration is a time.Duration written as a string ("5s") in TOML. Integers
// are refused: BurntSushi/toml would read them as nanoseconds.
type Duration time.Duration

// Secret is a string that never prints itself: logs and errors show "[redacted]".
type Secret string
