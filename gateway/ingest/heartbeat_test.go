package ingest

import (
	"net"
	"testing"
	"time"
)

// TestHeartbeat checks that every read loop calls Heartbeat, named for its
// socket, while no datagram arrives and while datagrams keep arriving.
func TestHeartbeat(t *testing.T) {
	tests := []struct {
		name  string
		rtcp  string
		loops []string
	}{
		{"muxed", "", []string{"rtp"}},
		{"separate RTCP port", "127.0.0.1:0", []string{"rtp", "rtcp"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			beats := make(chan string, 64)
			h := newHarness(t, SourceConfig{
				RTCPListen:        tt.rtcp,
				HeartbeatInterval: 20 * time.Millisecond,
				Heartbeat: func(loop string) {
					select {
					case beats <- loop:
					default:
					}
				},
			})
			waitBeats(t, beats, tt.loops, 3)

			// Under traffic the deadline still fires once per interval.
			conn, err := net.DialUDP("udp4", nil, net.UDPAddrFromAddrPort(h.addr()))
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			stop := make(chan struct{})
			defer close(stop)
			go func() {
				for seq := uint16(0); ; seq++ {
					select {
					case <-stop:
						return
					case <-time.After(2 * time.Millisecond):
					}
					_, _ = conn.Write(rtpBytes(0x80, videoPT, seq, 0x65, 0x88))
				}
			}()
			drain(beats)
			waitBeats(t, beats, tt.loops, 3)
		})
	}
}

// waitBeats waits until each loop has beaten n times.
func waitBeats(t *testing.T, beats <-chan string, loops []string, n int) {
	t.Helper()
	got := make(map[string]int)
	deadline := time.After(waitLimit)
	for {
		done := true
		for _, l := range loops {
			done = done && got[l] >= n
		}
		if done {
			return
		}
		select {
		case l := <-beats:
			got[l]++
		case <-deadline:
			t.Fatalf("heartbeats after %v: %v, want %d of each of %v", waitLimit, got, n, loops)
		}
	}
}

func drain(c <-chan string) {
	for {
		select {
		case <-c:
		default:
			return
		}
	}
}
