package config

// REMB is a stream's [stream.remb] table: the Receiver Estimated Maximum
// Bitrate (draft-alvestrand-rmcat-remb) mediagate sends to the stream's
// sender — the latched RTP sender, or the browser publishing through WHIP —
// and the bounds of the viewers' aggregate REMB. Bitrates are in kbit/s.
type REMB struct {
	// Enabled turns REMB to the sender on or off; absent means on.
	Enabled *bool `toml:"enabled"`
	// MinBitrate and MaxBitrate bound every REMB sent, and the viewers'
	// aggregate: one viewer on a bad link cannot pull the sender below
	// MinBitrate.
	MinBitrate int `toml:"min_bitrate"`
	MaxBitrate int `toml:"max_bitrate"`
	// StartBitrate is the estimate before the link has been measured.
	StartBitrate int `toml:"start_bitrate"`
	// AbsSendTimeID is the RTP header extension id (RFC 8285) under which
	// an RTP sender stamps abs-send-time; 0 means it does not, and the RTP
	// timestamp stands in for the send time. WHIP negotiates its own.
	AbsSendTimeID int `toml:"abs_send_time_id"`
}

// Defaults and bounds of [stream.remb].
const (
	defaultREMBMin   = 100
	defaultREMBMax   = 8000
	defaultREMBStart = 2000
	minREMBBitrate   = 30
	maxREMBBitrate   = 100000
	maxExtensionID   = 255
)

// On reports whether REMB is sent to the stream's sender.
func (r *REMB) On() bool { return r.Enabled == nil || *r.Enabled }

// fillDefaults gives every zero field of r its default.
func (r *REMB) fillDefaults() {
	if r.MinBitrate == 0 {
		r.MinBitrate = defaultREMBMin
		if r.MaxBitrate != 0 {
			r.MinBitrate = min(defaultREMBMin, r.MaxBitrate)
		}
	}
	if r.MaxBitrate == 0 {
		r.MaxBitrate = max(defaultREMBMax, r.MinBitrate)
	}
	if r.StartBitrate == 0 {
		r.StartBitrate = min(max(defaultREMBStart, r.MinBitrate), r.MaxBitrate)
	}
}

// validate checks r; key is its path, "stream[i].remb".
func (r *REMB) validate(p *problems, key string) {
	p.intIn(key+".min_bitrate", r.MinBitrate, minREMBBitrate, maxREMBBitrate)
	p.intIn(key+".max_bitrate", r.MaxBitrate, minREMBBitrate, maxREMBBitrate)
	switch {
	case r.MinBitrate > r.MaxBitrate:
		p.add(key+".min_bitrate", "must not exceed max_bitrate (%d > %d)", r.MinBitrate, r.MaxBitrate)
	case r.StartBitrate < r.MinBitrate || r.StartBitrate > r.MaxBitrate:
		p.add(key+".start_bitrate", "must lie within min_bitrate and max_bitrate (%d-%d, got %d)",
			r.MinBitrate, r.MaxBitrate, r.StartBitrate)
	}
	p.intIn(key+".abs_send_time_id", r.AbsSendTimeID, 0, maxExtensionID)
}
