package ingest

import (
	"fmt"
	"net/netip"

	"mediagate.dev/mediagate/gateway/config"
)

// SourceConfigFrom resolves one [[stream]] table and the shared [ingest]
// settings into a SourceConfig: it parses allow_from, converts durations,
// decodes the SRTP key into master key and salt, and converts the
// [stream.remb] bitrates from kbit/s to bit/s (REMB is nil when the table
// turns it off; the caller sets REMB.Demand). The config is expected
// to have passed config.Validate; errors wrap ErrConfig or ErrSRTP and name
// the key, never the secret.
func SourceConfigFrom(st config.Stream, in config.Ingest) (SourceConfig, error) {
	allow, err := parsePrefixes(st.AllowFrom)
	if err != nil {
		return SourceConfig{}, err
	}
	keys, err := srtpFrom(st.SRTP)
	if err != nil {
		return SourceConfig{}, err
	}
	return SourceConfig{
		Name:                   st.Name,
		Listen:                 st.Listen,
		RTCPListen:             st.RTCPListen,
		AllowFrom:              allow,
		Latch:                  st.Latch,
		RelatchAfter:           st.RelatchAfter.D(),
		KeyframeRequest:        st.KeyframeRequest,
		KeyframeInterval:       st.KeyframeInterval.D(),
		SRTP:                   keys,
		ReadBuffer:             in.ReadBuffer,
		SocketBuffer:           in.SocketBuffer,
		SourceTimeout:          in.SourceTimeout.D(),
		ReceiverReportInterval: in.ReceiverReportInterval.D(),
		REMB:                   rembFrom(st.REMB),
	}, nil
}

// rembFrom converts the [stream.remb] table; nil when REMB is off.
func rembFrom(r config.REMB) *REMBConfig {
	if !r.On() {
		return nil
	}
	const kbit = 1000
	return &REMBConfig{
		MinBitrate:    r.MinBitrate * kbit,
		MaxBitrate:    r.MaxBitrate * kbit,
		StartBitrate:  r.StartBitrate * kbit,
		AbsSendTimeID: uint8(min(max(r.AbsSendTimeID, 0), 255)),
	}
}

// parsePrefixes parses allow_from CIDRs, masked to their network.
func parsePrefixes(cidrs []string) ([]netip.Prefix, error) {
	out := make([]netip.Prefix, 0, len(cidrs))
	for i, c := range cidrs {
		p, err := netip.ParsePrefix(c)
		if err != nil {
			return nil, fmt.Errorf("%w: allow_from[%d]: %w", ErrConfig, i, err)
		}
		out = append(out, p.Masked())
	}
	return out, nil
}

// srtpFrom decodes the [stream.srtp] table; nil means plain RTP.
func srtpFrom(c *config.SRTP) (*SRTPConfig, error) {
	if c == nil {
		return nil, nil
	}
	profile, err := config.SRTPProfile(c.Suite)
	if err != nil {
		return nil, fmt.Errorf("%w: srtp.suite: %w", ErrSRTP, err)
	}
	key, salt, err := c.MasterKeySalt()
	if err != nil {
		return nil, fmt.Errorf("%w: srtp.key: %w", ErrSRTP, err)
	}
	sendKey, sendSalt, err := c.SendMasterKeySalt()
	if err != nil {
		return nil, fmt.Errorf("%w: srtp.send_key: %w", ErrSRTP, err)
	}
	return &SRTPConfig{Profile: profile, Key: key, Salt: salt, SendKey: sendKey, SendSalt: sendSalt}, nil
}
