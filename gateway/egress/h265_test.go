package egress

import (
	"testing"

	"mediagate.dev/mediagate/gateway/stream"
)

// TestH265Compatible: a viewer's H.265 format carries the source when it
// names the source's profile and tier, a level at least the source's (when
// the source's is known) and single-stream transmission.
func TestH265Compatible(t *testing.T) {
	const known = "level-id=120;profile-id=1;tier-flag=0;tx-mode=SRST" // 1080p Main, level 4
	const unknown = "profile-id=1;tier-flag=0;tx-mode=SRST"
	for _, c := range []struct {
		name, src, offered string
		want               bool
	}{
		{"chrome", known, "level-id=180;profile-id=1;tier-flag=0;tx-mode=SRST", true},
		{"same level", known, "level-id=120;profile-id=1;tier-flag=0;tx-mode=SRST", true},
		{"lower level", known, "level-id=93;profile-id=1;tier-flag=0;tx-mode=SRST", false},
		{"defaults are level 3.1", known, "", false},
		{"unknown source level", unknown, "level-id=93;profile-id=1", true},
		{"main 10 offered for main", known, "level-id=180;profile-id=2;tier-flag=0;tx-mode=SRST", false},
		{"high tier", known, "level-id=180;profile-id=1;tier-flag=1;tx-mode=SRST", false},
		{"multi-stream", known, "level-id=180;profile-id=1;tier-flag=0;tx-mode=MRST", false},
		{"unregistered profile", "profile-id=4", "level-id=180;profile-id=4", false},
		{"malformed", known, "level-id=x;profile-id=1", false},
	} {
		t.Run(c.name, func(t *testing.T) {
			src := stream.Codec{MimeType: "video/H265", ClockRate: 90000, Fmtp: c.src}
			got := compatible(src, offeredCodec{mime: "video/H265", clock: 90000, fmtp: c.offered})
			if got != c.want {
				t.Fatalf("compatible(%q, %q) = %v, want %v", c.src, c.offered, got, c.want)
			}
		})
	}
}
