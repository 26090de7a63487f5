package egress

import (
	"testing"
	"testing/synctest"
	"time"

	"github.com/pion/rtp"

	"mediagate.dev/mediagate/gateway/stream"
)

// TestFanGathersFrame: a video pass of a fan of fanGatherFrom viewers waits for the rest of its first
// packet's frame (up to the marker bit), for at most fanHold, and never
// takes more than fanBurst packets; an audio pass takes what is queued.
func TestFanGathersFrame(t *testing.T) {
	cases := []struct {
		name    string
		kind    stream.Kind
		packets int // written gap apart
		gap     time.Duration
		marker  int           // index of the packet with the marker bit, or -1
		want    int           // packets in the first pass
		waited  time.Duration // from the first packet to the pass
	}{
		{"frame", stream.Video, 5, 100 * time.Microsecond, 4, 5, 400 * time.Microsecond},
		{"next frame waits", stream.Video, 8, 100 * time.Microsecond, 2, 3, 200 * time.Microsecond},
		{"no marker", stream.Video, 20, 100 * time.Microsecond, -1, 10, fanHold},
		{"burst", stream.Video, 20, 10 * time.Microsecond, 19, fanBurst, (fanBurst - 1) * 10 * time.Microsecond},
		{"audio", stream.Audio, 3, 100 * time.Microsecond, -1, 1, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				src := stream.NewTrack(tc.kind, stream.Codec{MimeType: "video/VP8", ClockRate: 90000})
				fn := &fan{src: src, sub: src.Subscribe(64), stop: make(chan struct{})}
				defer fn.sub.Close()
				done := make(chan struct{})
				go func() {
					defer close(done)
					for i := range tc.packets {
						src.Write(&stream.Packet{Header: rtp.Header{SequenceNumber: uint16(i), Marker: i == tc.marker}})
						time.Sleep(tc.gap)
					}
				}()
				first := <-fn.sub.Packets()
				start := time.Now()
				burst := fn.collect([]*stream.Packet{first}, fanGatherFrom)
				if len(burst) != tc.want {
					t.Errorf("pass of %d packets, want %d", len(burst), tc.want)
				}
				if waited := time.Since(start); waited != tc.waited {
					t.Errorf("pass after %v, want %v", waited, tc.waited)
				}
				for i, p := range burst {
					if p.SequenceNumber != uint16(i) {
						t.Errorf("packet %d has seq %d", i, p.SequenceNumber)
					}
				}
				<-done
			})
		})
	}
}
