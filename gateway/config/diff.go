package config

import (
	"reflect"
	"slices"
)

// Changes is what differs between two configs, as a reload applies it.
type Changes struct {
	// Added, Removed and Changed name streams: only in the new config, only
	// in the old one, and in both but different in any field. Added and
	// Changed follow the new config's order, Removed the old one's.
	Added, Removed, Changed []string
	// Settings lists the global (non-stream) settings that differ, by key
	// path, in the order of the file's sections.
	Settings []Setting
}

// Setting is one global setting that differs between two configs.
type Setting struct {
	// Key is the setting's key path, such as "http.listen".
	Key string
	// Restart is true when the running gateway cannot apply the new value:
	// it rebinds a socket or rebuilds the WebRTC engine.
	Restart bool
}

// Empty reports whether the two configs are the same.
func (c Changes) Empty() bool {
	return len(c.Added) == 0 && len(c.Removed) == 0 && len(c.Changed) == 0 && len(c.Settings) == 0
}

// RestartRequired returns the key paths of the changed settings that need a
// restart to take effect, or nil.
func (c Changes) RestartRequired() []string {
	var keys []string
	for _, s := range c.Settings {
		if s.Restart {
			keys = append(keys, s.Key)
		}
	}
	return keys
}

// settingKeys are the global settings Diff compares, with whether each needs
// a restart. Values read per viewer or per request (tokens, CORS, limits,
// the log level) apply live; listeners, the ICE engine and the shared ingest
// settings do not.
var settingKeys = []struct {
	key     string
	restart bool
	get     func(*Config) any
}{
	{"log.level", false, func(c *Config) any { return c.Log.Level }},
	{"log.format", true, func(c *Config) any { return c.Log.Format }},
	{"http.listen", true, func(c *Config) any { return c.HTTP.Listen }},
	{"http.admin_token", false, func(c *Config) any { return c.HTTP.AdminToken }},
	{"http.cors_origins", false, func(c *Config) any { return c.HTTP.CORSOrigins }},
	{"http.frame_ancestors", false, func(c *Config) any { return c.HTTP.FrameAncestors }},
	{"http.max_body_bytes", false, func(c *Config) any { return c.HTTP.MaxBodyBytes }},
	{"http.read_header_timeout", true, func(c *Config) any { return c.HTTP.ReadHeaderTimeout }},
	{"http.read_timeout", true, func(c *Config) any { return c.HTTP.ReadTimeout }},
	{"http.write_timeout", true, func(c *Config) any { return c.HTTP.WriteTimeout }},
	{"http.idle_timeout", true, func(c *Config) any { return c.HTTP.IdleTimeout }},
	{"http.tls.listen", true, func(c *Config) any { return c.HTTP.TLS.Listen }},
	{"http.tls.cert_file", false, func(c *Config) any { return c.HTTP.TLS.CertFile }},
	{"http.tls.key_file", false, func(c *Config) any { return c.HTTP.TLS.KeyFile }},
	{"webrtc.udp_port", true, func(c *Config) any { return c.WebRTC.UDPPort }},
	{"webrtc.tcp_port", true, func(c *Config) any { return c.WebRTC.TCPPort }},
	{"webrtc.interfaces", true, func(c *Config) any { return c.WebRTC.Interfaces }},
	{"webrtc.public_ips", true, func(c *Config) any { return c.WebRTC.PublicIPs }},
	{"webrtc.include_loopback", true, func(c *Config) any { return c.WebRTC.IncludeLoopback }},
	{"webrtc.max_sessions", false, func(c *Config) any { return c.WebRTC.MaxSessions }},
	{"webrtc.setup_timeout", false, func(c *Config) any { return c.WebRTC.SetupTimeout }},
	{"webrtc.queue_depth", false, func(c *Config) any { return c.WebRTC.QueueDepth }},
	{"webrtc.max_bridges", true, func(c *Config) any { return c.WebRTC.MaxBridges }},
	{"webrtc.fast_path", true, func(c *Config) any { return c.WebRTC.FastPath }},
	{"ingest.read_buffer", true, func(c *Config) any { return c.Ingest.ReadBuffer }},
	{"ingest.socket_buffer", true, func(c *Config) any { return c.Ingest.SocketBuffer }},
	{"ingest.source_timeout", true, func(c *Config) any { return c.Ingest.SourceTimeout }},
	{"ingest.receiver_report_interval", true, func(c *Config) any { return c.Ingest.ReceiverReportInterval }},
	{"ingest.port_range", false, func(c *Config) any { return c.Ingest.PortRange }},
	{"senders.listen_ip", false, func(c *Config) any { return c.Senders.ListenIP }},
	{"senders.srtp_suites", false, func(c *Config) any { return c.Senders.SRTPSuites }},
	{"senders.offer_srtp", false, func(c *Config) any { return c.Senders.OfferSRTP }},
	{"senders.idle_timeout", false, func(c *Config) any { return c.Senders.IdleTimeout }},
	{"senders.max_streams", false, func(c *Config) any { return c.Senders.MaxStreams }},
	{"webhook", false, func(c *Config) any { return webhooksKey(c.Webhooks) }},
	{"debug.stall_media_loop_after", false, func(c *Config) any { return c.Debug.StallMediaLoopAfter }},
	{"turn", true, func(c *Config) any { return c.Turn.fingerprint() }},
}

// Diff compares two loaded configs, from the running one to the next. A nil
// config counts as one with no streams and zero settings.
func Diff(from, to *Config) Changes {
	if from == nil {
		from = &Config{}
	}
	if to == nil {
		to = &Config{}
	}
	var ch Changes
	for _, s := range settingKeys {
		if !equalSetting(s.get(from), s.get(to)) {
			ch.Settings = append(ch.Settings, Setting{Key: s.key, Restart: s.restart})
		}
	}
	fromByName := streamsByName(from.Streams)
	toByName := streamsByName(to.Streams)
	for _, s := range to.Streams {
		prev, ok := fromByName[s.Name]
		switch {
		case !ok:
			ch.Added = append(ch.Added, s.Name)
		case !reflect.DeepEqual(*prev, s):
			ch.Changed = append(ch.Changed, s.Name)
		}
	}
	for _, s := range from.Streams {
		if _, ok := toByName[s.Name]; !ok {
			ch.Removed = append(ch.Removed, s.Name)
		}
	}
	return ch
}

// equalSetting compares two values of one setting; a list left out and an
// empty list are the same.
func equalSetting(a, b any) bool {
	if as, ok := a.([]string); ok {
		return slices.Equal(as, b.([]string))
	}
	return a == b
}

func streamsByName(streams []Stream) map[string]*Stream {
	m := make(map[string]*Stream, len(streams))
	for i := range streams {
		m[streams[i].Name] = &streams[i]
	}
	return m
}
