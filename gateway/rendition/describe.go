package rendition

import "mediagate.dev/mediagate/gateway/stream"

// Describe returns a stream's running renditions for its API description
// ("renditions": codec, source codec, reason, bitrate, subscribers), or nil
// when it has none.
func (m *Manager) Describe(st *stream.Stream) map[string]any {
	rs := st.Renditions()
	if len(rs) == 0 {
		return nil
	}
	list := make([]map[string]any, 0, len(rs))
	for _, r := range rs {
		list = append(list, map[string]any{
			"codec": r.Track.Codec.MimeType, "from": r.Source.Codec.MimeType,
			"reason": r.Reason, "bitrate": r.Bitrate(), "subscribers": r.Track.Subscribers(),
		})
	}
	return map[string]any{"renditions": list}
}
