package rendition

import "mediagate.dev/mediagate/gateway/stream"

// Describe returns a stream's running renditions for its API description
// ("renditions": codec, source codec, reason, bitrate, the viewers holding
// it, and its track's subscriptions — a fan-out reads one for all its
// viewers), or nil when it has none.
func (m *Manager) Describe(st *stream.Stream) map[string]any {
	rs := st.Renditions()
	if len(rs) == 0 {
		return nil
	}
	viewers := m.holders(st)
	list := make([]map[string]any, 0, len(rs))
	for _, r := range rs {
		list = append(list, map[string]any{
			"codec": r.Track.Codec.MimeType, "from": r.Source.Codec.MimeType,
			"reason": r.Reason, "bitrate": r.Bitrate(), "viewers": viewers[r],
			"subscribers": r.Track.Subscribers(),
		})
	}
	return map[string]any{"renditions": list}
}

// holders counts the viewers holding each transcoded rendition of st.
func (m *Manager) holders(st *stream.Stream) map[*stream.Rendition]int {
	m.mu.Lock()
	defer m.mu.Unlock()
	n := make(map[*stream.Rendition]int)
	for key, rd := range m.running {
		if key.st == st {
			n[rd.r] = rd.refs
		}
	}
	return n
}
